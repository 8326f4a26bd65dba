"""The cash book's rows: one per payment taken at a counter, one per counter-day closed."""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.fees.tables import Payment
from core.identity.tables import Agency, User

__all__ = ("CashBookEntry", "CashBookClosing")


class CashBookEntry(Table):
    """A payment recorded by a clerk (cash, bank transfer, post), written in the payment's transaction."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    payment = ForeignKey(references=Payment, unique=True)
    """The payment: one line per payment, whatever retries happen."""
    agency = ForeignKey(references=Agency, index=True)
    """The receiving agency whose desk took the money."""
    counter = Integer(default=0)
    """The counter number (quầy số) the clerk sat at; 0 when recorded outside the counter pages."""
    day = Date(null=True, default=None, index=True)
    """The day in Vietnam the payment was made."""
    method = Varchar(length=32)
    amount = Integer()
    dossier_code = Varchar(length=64, default="")
    recorded_by = ForeignKey(references=User, null=True)
    recorded_at = Timestamptz()


class CashBookClosing(Table):
    """The end-of-day reconciliation of one counter: the cash expected, counted and the difference."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    key = Varchar(length=64, unique=True)
    """``<agency id>:<counter>:<day>``: a counter-day is closed once (the database refuses a second)."""
    agency = ForeignKey(references=Agency, index=True)
    counter = Integer(default=0)
    day = Date(null=True, default=None)
    expected_cash = Integer(default=0)
    counted_cash = Integer(default=0)
    difference = Integer(default=0)
    """Counted minus expected: negative when cash is missing."""
    totals = JSON(default={})
    """The book's totals by method and the number of lines when closed."""
    note = Text(default="")
    closed_by = ForeignKey(references=User, null=True)
    closed_at = Timestamptz()
