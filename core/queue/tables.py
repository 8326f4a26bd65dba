"""The queue ticket table."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from core.identity.tables import Agency, User

__all__ = ("QueueTicket",)


class QueueTicket(Table):
    """One numbered ticket of one agency's queue on one day; ``(agency, day, grp, number)`` is unique
    (migration ``queue_ticket``)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    agency = ForeignKey(references=Agency, index=True)
    day = Date()
    """The local (Vietnam) day the ticket was issued; numbering starts again each day."""
    grp = Varchar(length=32)
    """The service group: a catalogue domain code."""
    letter = Varchar(length=2)
    """The group's letter on the ticket (``A``, ``B``...), fixed at issue."""
    number = Integer()
    token = Varchar(length=32, unique=True)
    """Random: the ticket's status address (``/lay-so/ve/<token>``), printed as a QR code."""
    status = Varchar(length=12, default="waiting", index=True)
    """``waiting``, ``called``, ``skipped`` or ``done``."""
    counter = Integer(null=True, default=None)
    """The counter number that called it."""
    calls = Integer(default=0)
    """How many times it was called (a recall counts)."""
    called_at = Timestamptz(null=True, default=None)
    called_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz()
