"""Compose, queue, deliver and re-send notifications (R37: each has a template id and a delivery log).

``notify()`` runs inside the caller's transaction: it writes one ``Notification`` per channel
(``email`` when an address is given, ``sms`` for a phone, ``inapp`` for a user account) and an
outbox ``deliver_notification`` row for each e-mail/SMS, so nothing is sent for a change that rolled
back and nothing is lost if the process stops before sending.
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime

from core.db.tx import write_tx
from core.notify import channels, messages
from core.notify.tables import Notification

__all__ = ("notify", "deliver_notification", "resend", "mark_read", "TEMPLATES")

log = logging.getLogger("motcua.notify")
TEMPLATES = tuple(messages.MESSAGES)


async def notify(
    template: str,
    *,
    dossier_id: int | None = None,
    user_id: int | None = None,
    to_email: str = "",
    to_phone: str = "",
    context: dict,
    event_id: int | None = None,
) -> list[int]:
    """Compose ``template`` with ``context`` and queue it on every channel the recipient has.

    Args:
        template: One of ``TEMPLATES`` (``receipt``, ``supplement_requested``, ``refused``, ``apology``,
            ``result_ready``, ``stopped``, ``returned``, ``closed``, ``late_warning``).
        dossier_id: The dossier it concerns.
        user_id: The recipient's account: an in-app message they see at ``/thong-bao``.
        to_email: An e-mail address (mail through SMTP, or the outbox page).
        to_phone: A phone number (SMS through the gateway, or the outbox page).
        context: Values the message template fills in (dossier code, dates, reasons…).
        event_id: The dossier event that caused it; a second call for the same event and template
            and recipient does nothing (events are delivered at least once).

    Returns:
        The ids of the notifications written (the existing ones for a repeated event).

    Raises:
        ValueError: unknown template.
    """
    if template not in messages.MESSAGES:
        raise ValueError(f"Không có mẫu thông báo '{template}'.")
    from core.jobs import outbox

    msg = messages.render(template, context)
    now = datetime.now(UTC)
    targets = [("email", to_email.strip()), ("sms", to_phone.strip())]
    async with write_tx():
        if event_id is not None:
            same_recipient = (
                (Notification.recipient == user_id)
                if user_id is not None
                else (Notification.recipient.is_null())
            )
            existing = await Notification.select(Notification.id).where(
                (Notification.event_id == event_id) & (Notification.template == template) & same_recipient
            )
            if existing:
                return [r["id"] for r in existing]
        ids = []
        if user_id is not None:
            row = Notification(
                recipient=user_id,
                dossier=dossier_id,
                channel="inapp",
                template=template,
                subject=msg.subject,
                body=msg.body,
                status="sent",
                created_at=now,
                sent_at=now,
                event_id=event_id,
            )
            await row.save()
            ids.append(row.id)
        for channel, address in targets:
            if not address:
                continue
            row = Notification(
                recipient=user_id,
                dossier=dossier_id,
                channel=channel,
                to_address=address,
                template=template,
                subject=msg.subject,
                body=msg.sms if channel == "sms" else msg.body,
                status="pending",
                created_at=now,
                event_id=event_id,
            )
            await row.save()
            outbox_id = await outbox.add("deliver_notification", notification_id=row.id)
            await Notification.update({Notification.outbox_id: outbox_id}).where(Notification.id == row.id)
            ids.append(row.id)
    return ids


async def deliver_notification(ctx: dict, notification_id: int) -> None:
    """Task: hand one e-mail/SMS to its channel; a message already delivered is not sent again.

    Raises:
        Exception: the channel's error, after recording it on the notification (the task retries).
    """
    row = await Notification.select().where(Notification.id == notification_id).first()
    if row is None or row["status"] in ("sent", "outbox") or row["channel"] == "inapp":
        return
    channel = channels.get_channel(row["channel"])
    try:
        status = await channel.send(row["to_address"], row["subject"], row["body"])
    except Exception as exc:
        async with write_tx():
            await Notification.update(
                {
                    Notification.status: "failed",
                    Notification.error: "".join(traceback.format_exception_only(exc)).strip()[:2000],
                    Notification.attempts: Notification.attempts + 1,
                }
            ).where(Notification.id == notification_id)
        raise
    async with write_tx():
        await Notification.update(
            {
                Notification.status: status,
                Notification.error: "",
                Notification.sent_at: datetime.now(UTC) if status == "sent" else None,
                Notification.attempts: Notification.attempts + 1,
            }
        ).where(Notification.id == notification_id)


async def resend(notification_id: int, *, actor_id: int | None = None) -> int:
    """Queue a failed message again (a new outbox row); audited. Returns the outbox row id.

    Raises:
        NotFound: no such message.
        Conflict: the message has not failed, or its delivery is still being retried.
    """
    from core.audit import chain
    from core.contract.errors import Conflict, NotFound
    from core.jobs import outbox
    from core.jobs.tables import Outbox

    async with write_tx():
        row = await Notification.select().where(Notification.id == notification_id).first()
        if row is None:
            raise NotFound(f"Không có thông báo số {notification_id}.")
        if row["status"] != "failed":
            raise Conflict(
                f"Thông báo số {notification_id} không ở trạng thái gửi lỗi nên không gửi lại được."
            )
        if row["outbox_id"]:
            job = await Outbox.select(Outbox.status).where(Outbox.id == row["outbox_id"]).first()
            if job and job["status"] in ("pending", "queued", "running"):
                raise Conflict(f"Thông báo số {notification_id} đang được tự động gửi lại; vui lòng chờ.")
        outbox_id = await outbox.add("deliver_notification", notification_id=notification_id)
        await Notification.update({Notification.outbox_id: outbox_id, Notification.status: "pending"}).where(
            Notification.id == notification_id
        )
        await chain.append(
            "notification.resend",
            actor_id=actor_id,
            object_type="notification",
            object_id=notification_id,
            data={"outbox_id": outbox_id, "channel": row["channel"]},
        )
    return outbox_id


async def mark_read(user_id: int) -> int:
    """Mark every in-app message of ``user_id`` read; returns how many were unread."""
    async with write_tx():
        rows = (
            await Notification.update({Notification.read_at: datetime.now(UTC)})
            .where(
                (Notification.recipient == user_id)
                & (Notification.channel == "inapp")
                & Notification.read_at.is_null()
            )
            .returning(Notification.id)
        )
    return len(rows)
