"""The three exchanges with the national portal, each an outbox task (retried with back-off, visible
when it fails, re-sendable from the background-jobs page):

* ``national_push(message_id)``: one dossier change, queued in the change's own transaction
  (``queue_push``); skipped when that message was already acknowledged;
* ``national_pull()`` (every 5 minutes): dossiers submitted on the portal come in with their code
  (R6) as submitted online dossiers; ratings given since are queued for pushing;
* ``national_reconcile(day)`` (daily, 01:30 Vietnam time, for the day before): what differs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.contract.vntime import VN_TZ
from core.db.tx import write_tx
from core.nation.dataset import iso, message_for, payments_of, portal_status, ratings_of
from core.nation.tables import NationalImport, NationalMessage, NationalReconciliation

__all__ = (
    "SYNC_TARGET_SECONDS",
    "portal",
    "queue_push",
    "national_push",
    "national_pull",
    "pull",
    "import_one",
    "reconcile",
    "national_reconcile",
)

log = logging.getLogger("motcua.nation")
SYNC_TARGET_SECONDS = 600
"""R31 (NĐ 63/2024): a change reaches the national portal within 10 minutes."""
RATING_LOOKBACK = timedelta(days=1)
"""How far back the pull looks for ratings not pushed yet."""


def portal() -> tuple[Any, Any] | None:
    """``(spec, client)`` of the first configured national-portal connection, or None."""
    from core.plugins import get_plugin_manager

    for specs in get_plugin_manager().hook.register_national_portals():
        for spec in specs or ():
            client = spec.build()
            if client is not None:
                return spec, client
    return None


async def queue_push(dossier_id: int, code: str, message_id: str, event_at: datetime) -> int | None:
    """Record the message and queue its sending, in the caller's transaction; None when that message
    is already recorded (the same change reported twice)."""
    from core.jobs import outbox

    async with write_tx():
        rows = (
            await NationalMessage.insert(
                NationalMessage(
                    message_id=message_id,
                    dossier=dossier_id,
                    dossier_code=code,
                    event_at=event_at,
                    status="pending",
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(NationalMessage.id)
        )
        if not rows:
            return None
        outbox_id = await outbox.add("national_push", message_id=message_id)
        await NationalMessage.update({NationalMessage.outbox_id: outbox_id}).where(
            NationalMessage.id == rows[0]["id"]
        )
    return outbox_id


def _configured():
    found = portal()
    if found is None:
        raise RuntimeError(
            "Chưa cấu hình kết nối Cổng Dịch vụ công quốc gia (MOTCUA_NATIONAL_PORTAL_URL hoặc plugin)."
        )
    return found[1]


async def national_push(ctx: dict, message_id: str) -> None:
    """Send one recorded message (the dossier's data set as it is now); done once acknowledged."""
    row = await NationalMessage.select().where(NationalMessage.message_id == message_id).first()
    if row is None:
        log.warning("national_push: no message %s", message_id)
        return
    if row["status"] == "sent":
        return
    client = _configured()
    message = await message_for(row["dossier"], message_id, changed_at=row["event_at"])
    reference = await client.push(message)
    now = datetime.now(UTC)
    async with write_tx():
        await NationalMessage.update(
            {
                NationalMessage.status: "sent",
                NationalMessage.sent_at: now,
                NationalMessage.reference: reference[:128],
                NationalMessage.version: message["PhienBan"],
                NationalMessage.lag_seconds: max(0, int((now - row["event_at"]).total_seconds())),
            }
        ).where((NationalMessage.id == row["id"]) & (NationalMessage.status == "pending"))


def _parse_moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def _error_text(exc: Exception) -> str:
    from core.contract.errors import InvalidInput

    if isinstance(exc, InvalidInput) and getattr(exc, "errors", None):
        return f"{exc}: " + "; ".join(f"{f or ''} {m}".strip() for f, m in exc.errors)
    return str(exc)


async def import_one(item: Mapping[str, Any]) -> tuple[str, int | None]:
    """Bring one portal dossier in; idempotent on its code (R6: an existing code is never given a
    second dossier, and no new code is ever made).

    Returns:
        ``("imported" | "present" | "rejected", dossier id or None)``.
    """
    from core.contract.errors import MotcuaError
    from core.dossiers import intake
    from core.dossiers.tables import Dossier
    from core.identity.tables import Agency

    code = str(item.get("MaHoSo") or "").strip()[:64]
    now = datetime.now(UTC)
    if not code:
        log.warning("national_pull: a portal dossier without MaHoSo was skipped")
        return "rejected", None
    existing = await Dossier.select(Dossier.id).where(Dossier.code == code).first()
    if existing is not None:
        await _record_import(code, existing["id"], "imported", "", item, now)
        return "present", existing["id"]
    agency_code = str(item.get("MaCoQuan") or "")
    agency = (
        await Agency.select(Agency.id, Agency.code, Agency.eid)
        .where((Agency.code == agency_code) | (Agency.eid == agency_code))
        .first()
    )
    if agency is not None:  # the portal gave this code: never allocate it here, even if refused below
        from core.dossiers import codes

        async with write_tx():
            await codes.reserve(code, (agency["code"], agency["eid"]))
    raw_owner, raw_data = item.get("ChuHoSo"), item.get("DuLieuToKhai")
    owner: dict[str, Any] = raw_owner if isinstance(raw_owner, dict) else {}
    answers: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    try:
        if agency is None:
            from core.contract.errors import InvalidInput

            raise InvalidInput(
                "Không có cơ quan tiếp nhận.", [("MaCoQuan", f"Không có cơ quan mã '{agency_code[:40]}'.")]
            )
        async with write_tx():
            view = await intake.import_national(
                code,
                str(item.get("MaTTHC") or ""),
                agency["id"],
                applicant={
                    "name": owner.get("HoTen"),
                    "id_number": owner.get("SoDinhDanh"),
                    "phone": owner.get("SoDienThoai"),
                    "email": owner.get("Email"),
                    "address": owner.get("DiaChi"),
                },
                data=answers,
                submitted_at=_parse_moment(item.get("NgayNopHoSo")),
                result_channel=str(item.get("HinhThucNhanKetQua") or "online"),
                source="national_portal",
            )
            await _record_import(code, view.id, "imported", "", item, now)
        return "imported", view.id
    except MotcuaError as exc:
        await _record_import(code, None, "rejected", _error_text(exc), item, now)
        return "rejected", None
    except Exception:
        # two pulls at once: the other one inserted the code first (unique); that one is the dossier
        again = await Dossier.select(Dossier.id).where(Dossier.code == code).first()
        if again is None:
            raise
        await _record_import(code, again["id"], "imported", "", item, now)
        return "present", again["id"]


async def _record_import(code: str, dossier_id: int | None, status: str, error: str, item, now) -> None:
    import json

    payload = json.loads(json.dumps(dict(item), default=str))
    async with write_tx():
        found = (
            await NationalImport.select(NationalImport.id, NationalImport.status)
            .where(NationalImport.code == code)
            .first()
        )
        if found is None:
            await NationalImport.insert(
                NationalImport(
                    code=code,
                    dossier=dossier_id,
                    status=status,
                    error=error[:2000],
                    payload=payload,
                    pulled_at=now,
                )
            ).on_conflict(action="DO NOTHING")
        elif found["status"] != "imported" or dossier_id is not None:
            await NationalImport.update(
                {
                    NationalImport.dossier: dossier_id,
                    NationalImport.status: status,
                    NationalImport.error: error[:2000],
                    NationalImport.pulled_at: now,
                }
            ).where(NationalImport.id == found["id"])


async def pull() -> dict[str, int]:
    """Pull the portal's new dossiers once (import, then acknowledge each one that is in) and queue the
    pushes of recent ratings. Returns counts by outcome; ``{}`` when no portal is configured.

    Raises:
        ConnectionError: the portal did not answer (the outbox retries the pull).
    """
    found = portal()
    if found is None:
        return {}
    client = found[1]
    counts = {"imported": 0, "present": 0, "rejected": 0}
    seen: set[str] = set()
    for item in await client.pull():
        code = str(item.get("MaHoSo") or "").strip()
        if code in seen:  # the portal listed it twice
            continue
        seen.add(code)
        outcome, dossier_id = await import_one(item)
        counts[outcome] += 1
        if dossier_id is not None:
            await client.acknowledge(code, str(dossier_id))
            async with write_tx():
                await NationalImport.update({NationalImport.acknowledged_at: datetime.now(UTC)}).where(
                    NationalImport.code == code
                )
    counts["ratings"] = await _queue_recent_ratings()
    return counts


async def _queue_recent_ratings() -> int:
    """Queue one push per rating of the last day not reported yet (ratings are not dossier events)."""
    from core.dossiers.tables import Dossier
    from core.feedback.tables import Rating

    since = datetime.now(UTC) - RATING_LOOKBACK
    ratings = await Rating.select(Rating.id, Rating.dossier_id, Rating.created_at).where(
        Rating.created_at >= since
    )
    if not ratings:
        return 0
    dossiers = {
        r["id"]: r["code"]
        for r in await Dossier.select(Dossier.id, Dossier.code).where(
            Dossier.id.is_in(list({r["dossier_id"] for r in ratings}))
        )
    }
    wanted = {f"{dossiers[r['dossier_id']]}:r{r['id']}": r for r in ratings if dossiers.get(r["dossier_id"])}
    if not wanted:
        return 0
    done = {
        m["message_id"]
        for m in await NationalMessage.select(NationalMessage.message_id).where(
            NationalMessage.message_id.is_in(list(wanted))
        )
    }
    queued = 0
    for message_id, r in wanted.items():
        if message_id not in done and await queue_push(
            r["dossier_id"], dossiers[r["dossier_id"]], message_id, r["created_at"]
        ):
            queued += 1
    return queued


async def national_pull(ctx: dict) -> None:
    """The scheduled pull (see ``pull``)."""
    counts = await pull()
    if counts:
        log.info("national_pull: %s", counts)


def _vn_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


async def reconcile(day: date) -> dict[str, Any]:
    """Compare the day's changes on both sides and store the report (one per day, replaced when run again).

    Local side: every dossier with an event, a payment or a rating that day. Portal side: its records
    changed that day. For each code on either side: present on both, same status, same version
    (``PhienBan``), same number of payments and of ratings; and every message of the day sent within
    ``SYNC_TARGET_SECONDS``.

    Raises:
        RuntimeError: no portal configured. ConnectionError: the portal did not answer.
    """
    from core.dossiers.tables import Dossier, DossierEvent

    client = _configured()
    now = datetime.now(UTC)
    start, end = _vn_day_bounds(day)
    portal_rows = {str(r.get("MaHoSo")): r for r in await client.snapshot(day) if r.get("MaHoSo")}
    changed = {
        r["dossier"]
        for r in await DossierEvent.select(DossierEvent.dossier).where(
            (DossierEvent.at >= start) & (DossierEvent.at < end)
        )
    }
    changed |= {
        r["dossier"]
        for r in await NationalMessage.select(NationalMessage.dossier).where(
            (NationalMessage.event_at >= start) & (NationalMessage.event_at < end)
        )
    }
    columns = (Dossier.id, Dossier.code, Dossier.state, Dossier.version)
    local: dict[str, dict[str, Any]] = {}
    ids = list(changed)
    for i in range(0, len(ids), 500):
        for r in await Dossier.select(*columns).where(Dossier.id.is_in(ids[i : i + 500])):
            if r["code"] and r["state"] != "draft":
                local[r["code"]] = r
    missing = [c for c in portal_rows if c not in local]
    for i in range(0, len(missing), 500):
        for r in await Dossier.select(*columns).where(Dossier.code.is_in(missing[i : i + 500])):
            local[r["code"]] = r
    by_id = {r["id"]: r for r in local.values()}
    payments = await payments_of(by_id)
    ratings = await ratings_of(by_id)
    differences: list[dict[str, Any]] = []
    for code in sorted(set(local) | set(portal_rows)):
        mine, theirs = local.get(code), portal_rows.get(code)
        if theirs is None:
            state = mine["state"] if mine is not None else None
            differences.append({"code": code, "kind": "missing_on_portal", "local": state, "portal": None})
            continue
        if mine is None:
            differences.append(
                {"code": code, "kind": "missing_here", "local": None, "portal": theirs.get("TrangThaiHoSo")}
            )
            continue
        pairs = (
            ("status", portal_status(mine["state"]), str(theirs.get("TrangThaiHoSo") or "")),
            ("version", mine["version"], int(theirs.get("PhienBan") or 0)),
            ("payments", len(payments[mine["id"]]), int(theirs.get("SoThanhToan") or 0)),
            ("ratings", len(ratings[mine["id"]]), int(theirs.get("SoDanhGia") or 0)),
        )
        differences += [{"code": code, "kind": k, "local": a, "portal": b} for k, a, b in pairs if a != b]
    for m in await NationalMessage.select().where(
        (NationalMessage.event_at >= start) & (NationalMessage.event_at < end)
    ):
        lag = m["lag_seconds"]
        overdue = (now - m["event_at"]).total_seconds() > SYNC_TARGET_SECONDS
        if (m["status"] != "sent" and overdue) or (lag is not None and lag > SYNC_TARGET_SECONDS):
            differences.append(
                {
                    "code": m["dossier_code"],
                    "kind": "late",
                    "local": m["message_id"],
                    "portal": f"{lag} s" if m["status"] == "sent" else None,
                }
            )
    report = {
        "day": day.isoformat(),
        "generated_at": iso(datetime.now(UTC)),
        "checked": len(set(local) | set(portal_rows)),
        "differences": differences,
    }
    async with write_tx():
        await NationalReconciliation.delete().where(NationalReconciliation.day == day)
        await NationalReconciliation.insert(
            NationalReconciliation(
                day=day, generated_at=datetime.now(UTC), checked=report["checked"], differences=differences
            )
        )
    return report


async def national_reconcile(ctx: dict, day: str | None = None) -> None:
    """The daily reconciliation: ``day`` (ISO), else yesterday in Vietnam; nothing to compare with
    when no portal is configured (the admin page says so)."""
    if portal() is None:
        log.info("national_reconcile: no national portal configured")
        return
    target = date.fromisoformat(day) if day else datetime.now(VN_TZ).date() - timedelta(days=1)
    report = await reconcile(target)
    log.info(
        "national_reconcile %s: %s compared, %s differences",
        day,
        report["checked"],
        len(report["differences"]),
    )
