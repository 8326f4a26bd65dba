"""Core plugin for core.dossiers: the standard step selectors, the clock-scan job and command
(registered like any plugin; the pages are core.web.pages.dossiers)."""

from __future__ import annotations

from typing import Any

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec

__all__ = ("assign_step", "register_jobs", "register_commands", "resolve_selector")


async def resolve_selector(selector: str, dossier: dict[str, Any], agencies) -> Any:
    """The agency a standard selector names (``receiving``, ``parent``, ``level:<level>``,
    ``sector:<kind>``), or None for a selector core does not know."""
    from core.plugins import await_me_maybe

    receiving = dossier["receiving_agency"]
    receiving_id = receiving["id"] if isinstance(receiving, dict) else receiving
    if selector == "receiving":
        return await await_me_maybe(agencies.by_id(receiving_id))
    if selector == "parent":
        me = await await_me_maybe(agencies.by_id(receiving_id))
        parent_id = getattr(me, "parent_id", None) if me is not None else None
        if parent_id is None:
            parent_id = (
                await await_me_maybe(agencies.parent_id(receiving_id))
                if hasattr(agencies, "parent_id")
                else None
            )
        return await await_me_maybe(agencies.by_id(parent_id)) if parent_id else None
    if selector.startswith("level:"):
        return await await_me_maybe(agencies.ancestor(receiving_id, selector.split(":", 1)[1]))
    if selector.startswith("sector:"):
        kind = selector.split(":", 1)[1]
        province = await await_me_maybe(agencies.ancestor(receiving_id, "province"))
        if province is not None:
            try:  # the sector agency of the receiving agency's own province
                found = await await_me_maybe(agencies.sector(kind, under=province.id))
            except TypeError:
                found = None
            if found is not None:
                return found
        return await await_me_maybe(agencies.sector(kind))
    return None


@hookimpl(trylast=True)
def assign_step(dossier, step, ctx):
    """Core's answer for the standard selectors (plugins answer first for their own)."""
    return resolve_selector(step.agency, dossier, ctx["agencies"])


@hookimpl
def register_jobs():
    from core.dossiers import clockscan

    # arq's worker runs cron in Vietnam time (core.jobs.worker): 00:05 every day.
    return [JobSpec(name="clock_scan", func=clockscan.scan_job, cron={"hour": 0, "minute": 5})]


def _cmd_clock_scan(args) -> None:
    """``motcua clock-scan``: run the clock scan now (the same pass the daily job runs)."""
    import asyncio
    import json

    from core.catalogue.registry import get_catalogue
    from core.db.tx import engine

    async def go():
        db = engine()
        if db.engine_type == "postgres":
            await db.start_connection_pool()
        try:
            from core.dossiers import clockscan

            return (await clockscan.scan()).as_dict()
        finally:
            if db.engine_type == "postgres":
                await db.close_connection_pool()

    get_catalogue()
    summary = asyncio.run(go())
    print(json.dumps(summary, ensure_ascii=False))
    print(f"Đã đánh dấu quá hạn {len(summary['flagged_late'])} hồ sơ, đóng {len(summary['closed'])} hồ sơ.")


@hookimpl
def register_commands(subparsers):
    parser = subparsers.add_parser(
        "clock-scan",
        help="Quét hạn giải quyết: đánh dấu hồ sơ quá hạn, đóng hồ sơ không bổ sung (như tác vụ hằng ngày)",
    )
    parser.set_defaults(func=_cmd_clock_scan)
