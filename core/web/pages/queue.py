"""Queue tickets at the one-stop counters.

- ``/lay-so?co_quan=CODE``: the kiosk — a citizen picks a service group and gets a numbered ticket
  (printable, with a QR code of its status address ``/lay-so/ve/<token>``).
- ``/goi-so``: a clerk calls the next number to their counter, recalls it, skips it, or calls a number
  back; a ticket already called elsewhere gets a clear message.
- ``/man-hinh/quay?co_quan=CODE``: the hall screen, which number goes to which counter, readable from
  5 m; htmx polls it every 5 s, and without JavaScript a meta refresh reloads it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.contract.errors import Conflict, InvalidInput, NotAllowed
from core.documents.qr import qr_svg_data_uri
from core.identity.guards import public, requires_role
from core.queue import service
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, with_role
from core.web.render import flash, page

__all__ = ("kiosk", "kiosk_issue", "ticket_page", "caller", "caller_post", "hall_screen", "ROUTES")

menu_entry("/goi-so", N_("Call numbers"), with_role(*service.CALLER_ROLES), order=35)

SCREEN_REFRESH = 5


def _code(request: Request) -> str:
    return str(request.query_params.get("co_quan") or "").strip()[:32]


@get(
    "/lay-so",
    include_in_schema=False,
    name="queue_kiosk",
    opt=public("the ticket kiosk: service groups of an agency, no personal data"),
)
async def kiosk(request: Request) -> Template:
    """The service groups of the agency named by ``co_quan`` (or the list of agencies to pick from)."""
    code = _code(request)
    agency = await service.agency_by_code(code) if code else None
    agencies = [] if agency else await _agencies()
    return await page(
        request,
        "queue/kiosk.html",
        {"agency": agency, "agencies": agencies, "groups": service.groups(), "errors": {}},
    )


async def _agencies() -> list[dict]:
    from core.identity.tables import Agency

    return await Agency.select(Agency.code, Agency.name).where(Agency.active.eq(True)).order_by(Agency.code)


@post(
    "/lay-so",
    include_in_schema=False,
    name="queue_kiosk_issue",
    opt=public("taking a ticket at the kiosk: anyone in the hall may (no personal data)"),
)
async def kiosk_issue(request: Request) -> Template | Redirect:
    form = await request.form()
    code = str(form.get("co_quan") or "")[:32]
    try:
        row = await service.issue(code, str(form.get("group") or "")[:32])
    except InvalidInput as exc:
        agency = await service.agency_by_code(code)
        errors = {k or "group": m for k, m in exc.errors}
        ctx = {"agency": agency, "agencies": [], "groups": service.groups(), "errors": errors}
        return await page(request, "queue/kiosk.html", ctx, status_code=422)
    return Redirect(f"/lay-so/ve/{row['token']}?in=1", status_code=303)


@get(
    "/lay-so/ve/{token:str}",
    include_in_schema=False,
    name="queue_ticket",
    opt=public("a queue ticket by its random token: number, group, place in the queue; no personal data"),
)
async def ticket_page(request: Request, token: str) -> Template:
    row = await service.ticket(token)
    url = f"{request.app.state.settings.base_url.rstrip('/')}/lay-so/ve/{row['token']}"
    return await page(
        request,
        "queue/ticket.html",
        {
            "t": row,
            "ahead": await service.waiting_before(row) if row["status"] == "waiting" else 0,
            "qr": qr_svg_data_uri(url),
            "url": url,
            "printing": request.query_params.get("in") == "1",
        },
    )


async def _caller_context(request: Request, values: dict | None = None, errors: dict | None = None) -> dict:
    user = request.user
    values = values or {
        "agency_id": request.session.get("queue_agency", "") if request.session else "",
        "counter": request.session.get("queue_counter", "") if request.session else "",
    }
    agencies = [(a, user.agencies[a]["name"]) for a in user.agencies_with(*service.CALLER_ROLES)]
    if not values.get("agency_id") and len(agencies) == 1:
        values["agency_id"] = agencies[0][0]
    current = None
    agency_id = int(values["agency_id"]) if str(values.get("agency_id") or "").isdigit() else None
    counter = int(values["counter"]) if str(values.get("counter") or "").isdigit() else None
    if agency_id and counter and service.may_call(user, agency_id):
        current = await service.current_at_counter(agency_id, counter)
    return {
        "agencies": agencies,
        "groups": service.groups(),
        "values": values,
        "errors": errors or {},
        "current": current,
        "agency_code": user.agencies.get(agency_id, {}).get("code") if agency_id else None,
    }


@get(
    "/goi-so",
    include_in_schema=False,
    name="queue_caller",
    guards=[requires_role(*service.CALLER_ROLES)],
)
async def caller(request: Request) -> Template:
    """The clerk's calling panel: agency, counter number, the number now at the counter."""
    return await page(request, "queue/caller.html", await _caller_context(request))


@post(
    "/goi-so",
    include_in_schema=False,
    name="queue_caller_post",
    guards=[requires_role(*service.CALLER_ROLES)],
)
async def caller_post(request: Request) -> Template | Redirect:
    """``action``: ``next``, ``recall``, ``skip`` or ``number`` (with ``number``)."""
    form = await request.form()
    values: dict[str, Any] = {
        k: str(form.get(k) or "").strip()[:16] for k in ("agency_id", "counter", "number", "action")
    }
    values["groups"] = [str(g)[:32] for g in form.getall("groups", [])]
    errors: dict[str, str] = {}
    if not values["agency_id"].isdigit():
        errors["agency_id"] = "Vui lòng chọn cơ quan."
    if not values["counter"].isdigit() or not 1 <= int(values["counter"]) <= service.MAX_COUNTER:
        errors["counter"] = f"Số quầy là một số từ 1 đến {service.MAX_COUNTER}."
    if errors:
        return await page(
            request, "queue/caller.html", await _caller_context(request, values, errors), status_code=422
        )
    agency_id, counter, user = int(values["agency_id"]), int(values["counter"]), request.user
    request.set_session({**(request.session or {}), "queue_agency": agency_id, "queue_counter": counter})
    row: dict[str, Any] | None
    try:
        if values["action"] == "recall":
            row = await service.recall(user, agency_id, counter)
            flash(request, _("Number %(n)s called again to counter %(c)s.", n=row["label"], c=counter))
        elif values["action"] == "skip":
            row = await service.skip(user, agency_id, counter)
            flash(request, _("Number %(n)s set aside; it can be called back by its number.", n=row["label"]))
        elif values["action"] == "number":
            row = await service.call_number(user, agency_id, counter, values["number"])
            flash(request, _("Number %(n)s called to counter %(c)s.", n=row["label"], c=counter))
        else:
            row = await service.call_next(user, agency_id, counter, values["groups"])
            if row is None:
                flash(request, _("Nobody is waiting."), "info")
            else:
                flash(request, _("Number %(n)s called to counter %(c)s.", n=row["label"], c=counter))
    except InvalidInput as exc:
        errs = {k or "number": m for k, m in exc.errors}
        return await page(
            request, "queue/caller.html", await _caller_context(request, values, errs), status_code=422
        )
    except (Conflict, NotAllowed) as exc:
        errs = {"number" if values["action"] == "number" else "": exc.message}
        return await page(
            request,
            "queue/caller.html",
            await _caller_context(request, values, errs),
            status_code=exc.status_code,
        )
    return Redirect("/goi-so", status_code=303)


@get(
    "/man-hinh/quay",
    include_in_schema=False,
    name="queue_screen",
    opt=public("the hall screen: ticket numbers and counter numbers only"),
)
async def hall_screen(request: Request) -> Template:
    code = _code(request)
    if not code:
        return await page(
            request,
            "queue/kiosk.html",
            {"agency": None, "agencies": await _agencies(), "groups": [], "errors": {}, "screen": True},
        )
    agency = await service.agency_by_code(code)
    return await page(
        request,
        "queue/screen.html",
        {"agency": agency, "calls": await service.display(agency["id"]), "refresh": SCREEN_REFRESH},
        block="calls",
    )


ROUTES = [kiosk, kiosk_issue, ticket_page, caller, caller_post, hall_screen]
