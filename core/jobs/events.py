"""The ``dispatch_event`` task: hand a committed dossier event to every ``on_dossier_event`` hook.

Delivery is at least once per plugin and idempotent per plugin: each plugin that returned without
error is recorded in ``EventDelivery`` (``<event id>:<plugin>``), so a retry after one plugin failed
re-runs only the plugins that have not succeeded yet.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from core.db.tx import write_tx
from core.jobs.tables import EventDelivery

__all__ = ("dispatch_event", "event_view", "dossier_view")

log = logging.getLogger("motcua.jobs")


def _load(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def event_view(event_id: int) -> dict[str, Any] | None:
    """The event as hooks see it: ``id``, ``dossier_id``, ``seq``, ``action``, ``from_state``,
    ``to_state``, ``step`` (step id), ``note``, ``data``, ``actor_id``, ``agency_id``, ``at``."""
    from core.dossiers.tables import DossierEvent

    row = await DossierEvent.select().where(DossierEvent.id == event_id).first()
    if row is None:
        return None
    return {
        "id": row["id"],
        "dossier_id": row["dossier"],
        "seq": row["seq"],
        "action": row["action"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "step": row["step_id"],
        "step_id": row["step_id"],
        "note": row["note"],
        "data": _load(row["data"]) or {},
        "actor_id": row["actor"],
        "agency_id": row["agency"],
        "at": row["at"],
    }


async def dossier_view(dossier_id: int) -> dict[str, Any]:
    """The dossier's view as a dict (``DossierView.as_dict()`` of the dossier service)."""
    from core.dossiers import service

    return dict((await service.get(dossier_id)).as_dict())


async def dispatch_event(ctx: dict, event_id: int) -> None:
    """Call every plugin's ``on_dossier_event`` for ``event_id`` that has not handled it yet.

    Raises:
        RuntimeError: some plugins failed (named); they run again on the retry, the others do not.
    """
    from core.plugins import await_me_maybe, get_plugin_manager

    event = await event_view(event_id)
    if event is None:
        log.warning("dispatch_event: no event %s", event_id)
        return
    dossier = await dossier_view(event["dossier_id"])
    done = {
        r["plugin"]
        for r in await EventDelivery.select(EventDelivery.plugin).where(EventDelivery.event_id == event_id)
    }
    failures = []
    hook_ctx = {"job": {k: v for k, v in ctx.items() if k in ("outbox_id", "job_try")}}
    for impl in get_plugin_manager().hook.on_dossier_event.get_hookimpls():
        if impl.plugin_name in done:
            continue
        try:
            await await_me_maybe(impl.function(event=event, dossier=dossier, ctx=hook_ctx))
        except Exception as exc:
            log.warning("on_dossier_event of %s failed for event %s: %s", impl.plugin_name, event_id, exc)
            failures.append(f"{impl.plugin_name}: {exc}")
            continue
        async with write_tx():
            await EventDelivery.insert(
                EventDelivery(
                    key=f"{event_id}:{impl.plugin_name}",
                    event_id=event_id,
                    plugin=impl.plugin_name,
                    delivered_at=datetime.now(UTC),
                )
            ).on_conflict(action="DO NOTHING")
    if failures:
        raise RuntimeError("Plugin xử lý sự kiện bị lỗi: " + "; ".join(failures))
