"""The province's working calendar page (``/quan-tri/lich-lam-viec``): the year's holidays (library and
overrides), adding and deleting overrides, and an explainer of any due date."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from core.clock import service
from core.clock.calendar import get_calendar
from core.clock.deadlines import VN_TZ, WorkSessions, due_for, fmt_date
from core.contract.errors import InvalidInput
from core.identity.guards import requires_role
from core.text.formats import parse_date
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("calendar_page", "override_add", "override_delete", "ROUTES")

_URL = "/quan-tri/lich-lam-viec"
CALENDAR_ADMIN = [
    requires_role("province_admin", message="Chỉ quản trị viên cấp tỉnh được điều chỉnh lịch làm việc.")
]
_DT = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+(\d{1,2})[:hg](\d{2}))?\s*$")
_HM = re.compile(r"^\s*(\d{1,2})[:hg](\d{2})\s*$")


def _year(raw: str | None) -> int:
    try:
        y = int(raw or "")
    except ValueError:
        return datetime.now(VN_TZ).year
    return y if 2000 <= y <= 2100 else datetime.now(VN_TZ).year


async def _context(
    year: int, values: dict | None = None, errors: dict | None = None, explain: dict | None = None
) -> dict:
    cal = await get_calendar()
    overrides = {r["day"]: r for r in await service.list_overrides(year)}
    days: list[dict[str, Any]] = [
        {
            "day": d,
            "weekday": fmt_date(d).rsplit(" ", 1)[0],
            "working": working,
            "name": name,
            "source": source,
            "override": overrides.get(d),
        }
        for d, working, name, source in cal.special_days(year)
    ]
    return {
        "year": year,
        "days": days,
        "off_count": sum(1 for d in days if not d["working"] and d["day"].weekday() < 5),
        "values": values or {},
        "errors": errors or {},
        "explain": explain or {"values": {"cutoff": "15:00"}, "errors": {}, "result": None},
        "kinds": [("off", _("Day off")), ("workday", _("Make-up working day"))],
    }


def _parse_dt(raw: str) -> datetime:
    m = _DT.match(raw or "")
    if not m:
        raise ValueError(raw)
    d, mo, y, hh, mm = m.groups()
    return datetime(int(y), int(mo), int(d), int(hh or 8), int(mm or 0), tzinfo=VN_TZ)


def _explain(params) -> dict:
    values = {k: (params.get(k) or "").strip() for k in ("received", "days", "cutoff", "extra_days")}
    errors: dict[str, str] = {}
    received = days = cutoff = None
    extra = 0.0
    try:
        received = _parse_dt(values["received"])
    except ValueError:
        errors["received"] = (
            "Nhập thời điểm tiếp nhận có thật, dạng ngày/tháng/năm giờ:phút (ví dụ 23/01/2026 16:10)."
        )
    else:
        if not 2000 <= received.year <= 2100:  # the calendar knows these years; 9999 + 365 days is no date
            errors["received"] = "Năm tiếp nhận phải từ 2000 đến 2100."
            received = None
    try:
        days = float(values["days"].replace(",", "."))
        if not 0 <= days <= 365:
            raise ValueError
    except ValueError:
        errors["days"] = "Nhập số ngày làm việc từ 0 đến 365 (ví dụ 20 hoặc 0,5)."
    m = _HM.match(values["cutoff"] or "15:00")
    try:
        cutoff = time(int(m.group(1)), int(m.group(2))) if m else None
    except ValueError:
        cutoff = None
    if cutoff is None:
        errors["cutoff"] = "Nhập giờ chốt dạng giờ:phút (ví dụ 15:00)."
    if values["extra_days"]:
        try:
            extra = float(values["extra_days"].replace(",", "."))
            if not 0 <= extra <= 60:
                raise ValueError
        except ValueError:
            errors["extra_days"] = "Số ngày cộng thêm là số từ 0 đến 60."
    return {
        "values": values,
        "errors": errors,
        "received": received,
        "days": days,
        "cutoff": cutoff,
        "extra": extra,
    }


@get(_URL, include_in_schema=False, name="admin_calendar", guards=CALENDAR_ADMIN)
async def calendar_page(request: Request) -> Template:
    """The year's named days, the override form and the due-date explainer (``?received=…&days=…``)."""
    year = _year(request.query_params.get("nam"))
    explain = None
    status = 200
    if request.query_params.get("received") is not None:
        got = _explain(request.query_params)
        result = None
        if not got["errors"]:
            result = due_for(
                await get_calendar(),
                WorkSessions(),
                got["received"],
                got["days"],
                got["cutoff"],
                extra_days=got["extra"],
            )
        else:
            status = 422
        explain = {"values": got["values"], "errors": got["errors"], "result": result}
    block = "explainer" if explain is not None else "main"
    return await page(
        request, "admin/calendar.html", await _context(year, explain=explain), block=block, status_code=status
    )


@post(_URL, include_in_schema=False, name="admin_calendar_add", status_code=200, guards=CALENDAR_ADMIN)
async def override_add(request: Request) -> Response:
    """Add an override; bad input comes back at the field (422, values kept)."""
    user = request.user
    form = await request.form()
    values = {k: (form.get(k) or "").strip() for k in ("day", "kind", "name", "legal_basis")}
    errors: dict[str, str] = {}
    day: date | None = None
    if not values["day"]:
        errors["day"] = "Nhập ngày cần điều chỉnh (ngày/tháng/năm)."
    else:
        try:
            day = parse_date(values["day"])
            if not 2000 <= day.year <= 2100:
                raise ValueError(values["day"])
        except ValueError:
            errors["day"] = "Ngày phải là ngày có thật, dạng ngày/tháng/năm (ví dụ 02/01/2027)."
    if day is not None:
        try:
            await service.add_override(
                day, values["kind"], values["name"], values["legal_basis"], actor_id=user.id
            )
        except InvalidInput as exc:
            errors.update({f or "day": m for f, m in exc.errors})
    else:
        if values["kind"] not in service.KINDS:
            errors["kind"] = "Chọn loại: ngày nghỉ hoặc ngày làm việc bù."
    if errors or day is None:  # no day always came with an error
        order = ["day", "kind", "name", "legal_basis"]
        errors = {k: errors[k] for k in order if k in errors}
        year = day.year if day else _year(form.get("nam"))
        return await page(
            request,
            "admin/calendar.html",
            await _context(year, values, errors),
            block="override_form",
            status_code=422,
        )
    flash(request, _("Calendar change saved. Deadlines computed from now on use it."))
    return Redirect(f"{_URL}?nam={day.year}", status_code=303)


@post(
    _URL + "/{override_id:int}/xoa",
    include_in_schema=False,
    name="admin_calendar_delete",
    status_code=200,
    guards=CALENDAR_ADMIN,
)
async def override_delete(request: Request, override_id: int) -> Response:
    """Delete an override: the library's rule applies to that day again."""
    user = request.user
    form = await request.form()
    await service.delete_override(override_id, actor_id=user.id)
    flash(request, _("Calendar change deleted."))
    return Redirect(f"{_URL}?nam={_year(form.get('nam'))}", status_code=303)


ROUTES = [calendar_page, override_add, override_delete]
