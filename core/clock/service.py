"""Administration of the working calendar: the province's overrides over the library's holidays.

Every change is audited (``core.audit.chain``) and drops the cached calendar of this process; other
processes notice within ``CHECK_EVERY_SECONDS``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.audit import chain as audit
from core.clock.calendar import get_calendar, invalidate
from core.clock.tables import CalendarOverride as CO
from core.contract.errors import InvalidInput, NotFound
from core.db.tx import write_tx

__all__ = ("KINDS", "list_overrides", "add_override", "delete_override", "AUDIT_CHAIN")

KINDS = ("off", "workday")
AUDIT_CHAIN = "calendar"


async def list_overrides(year: int | None = None) -> list[dict]:
    """Overrides (all, or of ``year``) by date."""
    query = CO.select(CO.id, CO.day, CO.kind, CO.name, CO.legal_basis, CO.created_at)
    if year is not None:
        query = query.where((CO.day >= date(year, 1, 1)) & (CO.day <= date(year, 12, 31)))
    return await query.order_by(CO.day)


async def add_override(day: date, kind: str, name: str, legal_basis: str, *, actor_id: int | None) -> int:
    """Record an override and audit it.

    Raises:
        InvalidInput: unknown kind, missing name or legal basis, a day already overridden, or a
            change that would change nothing (a day off on a day that is already off, ...).
    """
    name, legal_basis = (name or "").strip(), (legal_basis or "").strip()
    errors: list[tuple[str, str]] = []
    if kind not in KINDS:
        errors.append(("kind", "Chọn loại: ngày nghỉ hoặc ngày làm việc bù."))
    if not name:
        errors.append(("name", "Nhập tên hoặc lý do (ví dụ: Nghỉ bù Tết Nguyên đán)."))
    if not legal_basis:
        errors.append(("legal_basis", "Nhập căn cứ (ví dụ: Thông báo số 6150/TB-BNV)."))
    if kind in KINDS:
        cal = await get_calendar()
        if await CO.exists().where(CO.day == day):
            errors.insert(
                0, ("day", f"Ngày {day:%d/%m/%Y} đã có điều chỉnh; xóa điều chỉnh cũ trước khi thêm mới.")
            )
        elif kind == "off" and not cal.is_working_day(day):
            holiday = cal.holiday_name(day)
            errors.insert(
                0, ("day", f"Ngày {day:%d/%m/%Y} vốn đã là ngày nghỉ{f' ({holiday})' if holiday else ''}.")
            )
        elif kind == "workday" and cal.is_working_day(day):
            errors.insert(0, ("day", f"Ngày {day:%d/%m/%Y} vốn đã là ngày làm việc."))
    if errors:
        raise InvalidInput("Điều chỉnh lịch làm việc chưa hợp lệ.", errors)
    async with write_tx():
        row = CO(
            day=day,
            kind=kind,
            name=name,
            legal_basis=legal_basis,
            created_by=actor_id,
            created_at=datetime.now(UTC),
        )
        await row.save()
        await audit.append(
            "calendar_override_added",
            chain=AUDIT_CHAIN,
            actor_id=actor_id,
            object_type="calendar_override",
            object_id=row.id,
            data={"day": day.isoformat(), "kind": kind, "name": name, "legal_basis": legal_basis},
        )
    invalidate()
    return row.id


async def delete_override(override_id: int, *, actor_id: int | None) -> None:
    """Remove an override (the library's rule applies again to that day) and audit it."""
    async with write_tx():
        row = (
            await CO.select(CO.id, CO.day, CO.kind, CO.name, CO.legal_basis)
            .where(CO.id == override_id)
            .first()
        )
        if row is None:
            raise NotFound("Không tìm thấy điều chỉnh lịch này (có thể đã bị xóa).")
        await CO.delete().where(CO.id == override_id)
        await audit.append(
            "calendar_override_deleted",
            chain=AUDIT_CHAIN,
            actor_id=actor_id,
            object_type="calendar_override",
            object_id=override_id,
            data={
                "day": row["day"].isoformat(),
                "kind": row["kind"],
                "name": row["name"],
                "legal_basis": row["legal_basis"],
            },
        )
    invalidate()
