"""Fee lines quoted for a dossier, and the payments and refunds recorded against them."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.dossiers.tables import Dossier
from core.identity.tables import User

__all__ = ("DossierFee", "Payment")


class DossierFee(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    dossier = ForeignKey(references=Dossier, index=True)
    code = Varchar(length=64)
    label = Varchar(length=255)
    amount = Integer()
    legal_basis = Varchar(length=255, default="")
    exempt_reason = Varchar(length=255, default="")


class Payment(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    dossier = ForeignKey(references=Dossier, index=True)
    kind = Varchar(length=16, default="payment")
    """``payment`` or ``refund``."""
    method = Varchar(length=32)
    """``cash``, ``bank_transfer`` (VietQR), ``post``, ``gateway:<name>``."""
    amount = Integer()
    status = Varchar(length=16, default="pending", index=True)
    """``pending``, ``paid``, ``failed``, ``refunded``."""
    reference = Varchar(length=128, default="")
    receipt_number = Varchar(length=64, null=True, default=None)
    data = JSON(default={})
    note = Text(default="")
    recorded_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz()
    paid_at = Timestamptz(null=True, default=None)
