"""Pages: the outbox of messages (``/quan-tri/thu-di``, province administrators) and a signed-in
person's in-app messages (``/thong-bao``)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from core.contract.errors import NotFound
from core.identity.guards import requires_login
from core.jobs.access import BACK_OFFICE
from core.jobs.tables import Outbox
from core.notify.tables import Notification
from core.web.render import flash, page

__all__ = ("routes",)

STATUSES = ("outbox", "failed", "pending", "sent")
PAGE_SIZE = 50


@get("/quan-tri/thu-di", include_in_schema=False, name="admin_outbox_mail", guards=BACK_OFFICE)
async def outbox_mail(
    request: Request, trang_thai: str = "outbox", kenh: str = "", trang: int = 1
) -> Template:
    status = trang_thai if trang_thai in STATUSES else "outbox"
    channel = kenh if kenh in ("email", "sms") else ""
    base = Notification.channel.is_in([channel] if channel else ["email", "sms"])
    counts = {s: 0 for s in STATUSES}
    for row in (
        await Notification.select(Notification.status, Count(alias="n"))
        .where(base)
        .group_by(Notification.status)
    ):
        if row["status"] in counts:
            counts[row["status"]] = row["n"]
    page_no = max(1, trang)
    rows = (
        await Notification.select()
        .where(base & (Notification.status == status))
        .order_by(Notification.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    jobs = {}
    if ids := [r["outbox_id"] for r in rows if r["outbox_id"]]:
        jobs = {
            j["id"]: j["status"]
            for j in await Outbox.select(Outbox.id, Outbox.status).where(Outbox.id.is_in(ids))
        }
    for r in rows:
        r["can_resend"] = r["status"] == "failed" and jobs.get(r["outbox_id"]) not in (
            "pending",
            "queued",
            "running",
        )
    return await page(
        request,
        "admin/outbox_mail.html",
        {
            "rows": rows,
            "status": status,
            "statuses": STATUSES,
            "counts": counts,
            "channel": channel,
            "page_no": page_no,
            "has_next": len(rows) == PAGE_SIZE,
        },
    )


@get(
    "/quan-tri/thu-di/{notification_id:int}",
    include_in_schema=False,
    name="admin_outbox_mail_detail",
    guards=BACK_OFFICE,
)
async def outbox_mail_detail(request: Request, notification_id: int) -> Template:
    row = (
        await Notification.select()
        .where((Notification.id == notification_id) & Notification.channel.is_in(["email", "sms"]))
        .first()
    )
    if row is None:
        raise NotFound(f"Không có thư số {notification_id}.")
    job = None
    if row["outbox_id"]:
        job = await Outbox.select().where(Outbox.id == row["outbox_id"]).first()
    row["can_resend"] = row["status"] == "failed" and (job is None or job["status"] in ("failed", "done"))
    return await page(request, "admin/outbox_mail_detail.html", {"m": row, "job": job})


@post(
    "/quan-tri/thu-di/{notification_id:int}/gui-lai",
    include_in_schema=False,
    name="admin_outbox_mail_resend",
    guards=BACK_OFFICE,
)
async def outbox_mail_resend(request: Request, notification_id: int) -> Redirect:
    from core.jobs import runner
    from core.notify import service
    from core.text.i18n import gettext as _

    user = request.user
    await service.resend(notification_id, actor_id=user.id)
    runner.wake(request.app)
    flash(request, _("Message %(id)s was queued to be sent again.", id=notification_id))
    return Redirect(f"/quan-tri/thu-di/{notification_id}", status_code=303)


@get("/thong-bao", include_in_schema=False, name="my_messages", guards=[requires_login])
async def my_messages(request: Request, trang: int = 1) -> Template:
    from core.notify import service

    user = request.user
    page_no = max(1, trang)
    rows = (
        await Notification.select(
            Notification.id,
            Notification.subject,
            Notification.body,
            Notification.created_at,
            Notification.read_at,
            Notification.dossier.code.as_alias("dossier_code"),
        )
        .where((Notification.recipient == user.id) & (Notification.channel == "inapp"))
        .order_by(Notification.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    if any(r["read_at"] is None for r in rows):
        await service.mark_read(user.id)
    return await page(
        request, "notify/inbox.html", {"rows": rows, "page_no": page_no, "has_next": len(rows) == PAGE_SIZE}
    )


def routes() -> list:
    return [outbox_mail, outbox_mail_detail, outbox_mail_resend, my_messages]
