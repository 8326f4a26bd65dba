"""Core plugin for notifications: the delivery task, the messages sent on dossier events (R37) and
their menu entries (the pages, outbox and in-app messages: core.web.pages.notify)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec, L, MenuItem, Panel
from core.dossiers.codes import status_url

log = logging.getLogger("motcua.notify")

ACTION_TEMPLATES = {
    "receive": "receipt",
    "request_supplement": "supplement_requested",
    "refuse_intake": "refused",
    "reject": "refused",
    "apologise": "apology",
    "mark_result_ready": "result_ready",
    "stop": "stopped",
    "return_result": "returned",
    "close_unanswered": "closed",
}
"""Which message the applicant gets after which dossier action."""

STAFF_ROLES_WARNED = ("approver", "agency_admin")
"""Who is told (in-app) when a dossier runs late at their agency."""


def _when(value: Any) -> str:
    from core.jobs.cron import VN_TZ

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return ""
    return value.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")


def message_context(event: dict, dossier: dict) -> dict[str, Any]:
    """Placeholder values for a dossier's messages (Vietnamese, dates in Vietnam time)."""
    from core.catalogue.registry import get_catalogue
    from core.settings import get_settings

    proc = get_catalogue().procedure(dossier.get("procedure_code", ""))
    agency = dossier.get("receiving_agency") or {}
    code = dossier.get("code") or ""
    return {
        "code": code,
        "procedure_name": proc.name.vi if proc else dossier.get("procedure_code", ""),
        "applicant_name": dossier.get("applicant_name", ""),
        "agency_name": agency.get("name", "") if isinstance(agency, dict) else "",
        "reason": event.get("note", ""),
        "appointment": _when(dossier.get("appointment_at") or dossier.get("due_at")),
        # to the applicant only: their link carries the look-up key (R36)
        "link": status_url(code, dossier.get("lookup_key") or "") if code else get_settings().base_url,
        "late_agency": (agency.get("name", "") if isinstance(agency, dict) else ""),
    }


async def _late_agency_name(agency_id: int | None) -> str:
    from core.identity.tables import Agency

    if not agency_id:
        return ""
    row = await Agency.select(Agency.name).where(Agency.id == agency_id).first()
    return row["name"] if row else ""


@hookimpl(trylast=True)
def register_notification_channels():
    """Core's SMTP and HTTP SMS channels, after every plugin's (a plugin's configured channel wins)."""
    from core.notify.channels import core_channels

    return core_channels()


@hookimpl
async def dossier_panels(dossier, user, request):
    """The messages sent about the dossier with their delivery status (the notification log)."""
    from core.notify.tables import Notification

    if user is None or not any(role != "citizen" for _agency, role in getattr(user, "grants", ())):
        return []
    if dossier.get("id") is None:  # not saved yet: nothing was sent about it
        return []
    rows = await (
        Notification.select(
            Notification.id,
            Notification.channel,
            Notification.to_address,
            Notification.subject,
            Notification.status,
            Notification.error,
            Notification.created_at,
            Notification.sent_at,
            Notification.attempts,
        )
        .where((Notification.dossier == dossier["id"]) & (Notification.channel != "inapp"))
        .order_by(Notification.id)
        .limit(200)
    )
    if not rows:
        return []
    return [
        Panel(L("Thông báo đã gửi", "Notifications sent"), "notify/_dossier_panel.html", {"rows": rows}, 90)
    ]


@hookimpl
def register_jobs():
    from core.notify.alerts import alerts_job
    from core.notify.service import deliver_notification

    return [
        JobSpec("deliver_notification", deliver_notification),
        # Vietnam time, every half hour (the daily clock scan flags late dossiers at 00:05).
        JobSpec("deadline_alerts", alerts_job, cron={"minute": {10, 40}}),
    ]


_MATCHED = {"cccd": "số CCCD", "email": "địa chỉ thư điện tử"}


@hookimpl
async def on_account_event(event):
    """Write to an account's owner: a welcome for a new account; a warning when someone tried to
    register with its CCCD or e-mail (the visitor was not told the account exists)."""
    from core.notify.service import notify
    from core.settings import get_settings

    template = {"registered": "account_created", "registration_duplicate": "registration_attempt"}.get(
        event.get("action")
    )
    if template is None:
        return
    context = {
        "code": event.get("username", ""),
        "applicant_name": event.get("full_name", ""),
        "agency_name": event.get("agency_name", ""),
        "link": get_settings().base_url + "/dang-nhap",
        "reason": " và ".join(_MATCHED[f] for f in event.get("fields", ()) if f in _MATCHED),
    }
    await notify(template, user_id=event["user_id"], to_email=event.get("email") or "", context=context)


@hookimpl
async def on_dossier_event(event, dossier, ctx):
    """Tell the applicant (mail, SMS, in-app) about receipt, supplement requests, refusals, apologies,
    results and stops; tell the late agency's leaders when a dossier runs late."""
    from core.notify.service import notify

    action = event.get("action")
    context = message_context(event, dossier)
    if action in ("apologise", "flag_late"):
        late_id = dossier.get("late_agency_id") or event.get("agency_id")
        context["late_agency"] = await _late_agency_name(late_id) or context["late_agency"]
    if action == "submit" and dossier.get("channel") == "truc_tuyen":
        await _tell_the_desk(event, dossier, context)
        return
    if action == "flag_late":
        from core.identity.tables import RoleGrant

        late_id = dossier.get("late_agency_id") or event.get("agency_id")
        if not late_id:
            return
        users = {
            r["user"]
            for r in await RoleGrant.select(RoleGrant.user).where(
                (RoleGrant.agency == late_id) & RoleGrant.role.is_in(list(STAFF_ROLES_WARNED))
            )
        }
        for uid in sorted(users):
            await notify(
                "late_warning", dossier_id=dossier["id"], user_id=uid, context=context, event_id=event["id"]
            )
        return
    template = ACTION_TEMPLATES.get(action)
    if template is None:
        return
    recipient = {
        "dossier_id": dossier["id"],
        "user_id": dossier.get("applicant_id"),
        "to_email": dossier.get("applicant_email") or "",
        "to_phone": dossier.get("applicant_phone") or "",
        "event_id": event["id"],
    }
    await notify(template, context=context, **recipient)
    if action == "receive":  # the fee quote was frozen at receipt: say what falls due, and how to pay
        from core.fees.service import balance_due
        from core.settings import get_settings
        from core.text.templating import format_vnd

        due = await balance_due(dossier["id"])
        if due > 0 and dossier.get("code"):
            fee_context = {
                **context,
                "amount": format_vnd(due),
                "pay_link": f"{get_settings().base_url}/ho-so/{dossier['code']}/le-phi",
            }
            await notify("fee_due", context=fee_context, **recipient)


async def _tell_the_desk(event: dict, dossier: dict, context: dict) -> None:
    """R9: an online dossier the portal received reaches the receiving officers at once (the rule
    allows 2 working hours), with the moment any supplement request is due (8 working hours later in
    the agency's hours)."""
    from core.dossiers import timing
    from core.identity.tables import Agency, RoleGrant, User
    from core.notify.service import notify

    agency_id = (dossier.get("receiving_agency") or {}).get("id")
    submitted = dossier.get("submitted_at") or event.get("at")
    if not agency_id or submitted is None:
        return
    if isinstance(submitted, str):
        submitted = datetime.fromisoformat(submitted)
    sessions = await Agency.select(Agency.work_sessions).where(Agency.id == agency_id).first()
    due = await timing.add(submitted, 8 * 60, (sessions or {}).get("work_sessions"))
    grants = await RoleGrant.select(RoleGrant.user).where(
        (RoleGrant.agency == agency_id) & (RoleGrant.role == "receiver")
    )
    ids = sorted({g["user"] for g in grants})
    if not ids:
        return
    staff = await User.select(User.id, User.email).where(User.id.is_in(ids) & (User.active == True))  # noqa: E712
    from core.settings import get_settings

    ref = dossier.get("code") or dossier["id"]
    context = {**context, "appointment": _when(due), "link": f"{get_settings().base_url}/ho-so/{ref}"}
    for u in staff:
        await notify(
            "online_submitted",
            dossier_id=dossier["id"],
            user_id=u["id"],
            to_email=u["email"] or "",
            context=context,
            event_id=event["id"],
        )


@hookimpl
def menu_items(user, request):
    if user is None:
        return []
    items = [MenuItem("/thong-bao", L("Thông báo", "Messages"), order=800)]
    if user.has_role("province_admin"):
        items.append(MenuItem("/quan-tri/thu-di", L("Thư đi", "Outgoing messages"), order=920))
    return items
