"""Notifications: every message composed, its channel and delivery status (the outbox page)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.dossiers.tables import Dossier
from core.identity.tables import User

__all__ = ("Notification", "DeadlineAlert")


class Notification(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    recipient = ForeignKey(references=User, null=True, index=True)
    dossier = ForeignKey(references=Dossier, null=True)
    channel = Varchar(length=16)
    """``email``, ``sms``, ``inapp``."""
    to_address = Varchar(length=255, default="")
    template = Varchar(length=64)
    subject = Varchar(length=255, default="")
    body = Text(default="")
    status = Varchar(length=16, default="pending")
    """``pending`` (waiting for its delivery task), ``sent`` (handed to the SMTP server / SMS
    gateway, or shown in-app), ``outbox`` (no gateway configured: kept on the outbox page, which
    is the delivery), ``failed`` (the last attempt's error is in ``error``)."""
    error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    event_id = Integer(null=True, default=None, index=True)
    """The dossier event that caused it (a re-delivered event does not notify twice)."""
    outbox_id = Integer(null=True, default=None)
    """The outbox row of the latest delivery attempt."""
    attempts = Integer(default=0)
    read_at = Timestamptz(null=True, default=None)


class DeadlineAlert(Table):
    """One deadline alert sent: a dossier that turned near-due (``yellow``) or overdue (``red``) for a
    given due moment. Its unique ``key`` makes the alert pass idempotent: once per dossier per colour
    change (a new due, after an apology, may be alerted again)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=120, unique=True)
    """``<dossier id>:<colour>:<due, ISO UTC>``."""
    dossier = Integer(index=True)
    colour = Varchar(length=8)
    due_at = Timestamptz()
    recipients = Integer(default=0)
    """How many staff accounts were told."""
    created_at = Timestamptz()
