"""Generated documents (legal forms, results, fee receipts): stored once, re-downloadable."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.dossiers.tables import Dossier

__all__ = ("GeneratedDocument", "DocumentCounter")


class GeneratedDocument(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    dossier = ForeignKey(references=Dossier, null=True, index=True)
    kind = Varchar(length=64)
    """``form01`` … ``form07``, ``result:<id>``, ``fee_receipt``."""
    key = Varchar(length=200, unique=True)
    """Idempotency key: the same key is rendered once (``form01:<dossier>:<event>``)."""
    number = Varchar(length=64, default="")
    template_version = Varchar(length=32, default="1")
    status = Varchar(length=16, default="pending")
    """``pending``, ``ready``, ``failed``."""
    path = Varchar(length=500, default="")
    sha256 = Varchar(length=64, default="")
    size = Integer(default=0)
    context = JSON(default={})
    """The data printed, frozen at the moment the document was requested."""
    error = Text(default="")
    created_at = Timestamptz()
    ready_at = Timestamptz(null=True, default=None)
    public_id = Varchar(length=32, null=True, default=None, unique=True)
    """Unguessable id of an issued document in its verification address ``/xac-minh/{public_id}`` (and
    its QR); None for documents that are not published for verification."""
    validity = Varchar(length=16, default="valid")
    """``valid``, ``revoked`` or ``superseded`` (by a corrected document, ``superseded_by``)."""
    validity_reason = Text(default="")
    """Why it was revoked or superseded (staff only; the public page does not show it)."""
    validity_changed_at = Timestamptz(null=True, default=None)
    validity_changed_by = Integer(null=True, default=None)
    """The user who revoked or superseded it."""
    superseded_by = Integer(null=True, default=None)
    """The id of the document that replaces this one."""


class DocumentCounter(Table):
    """Last number issued in one numbering book (``form02``, ``fee_receipt`` …) of one agency in one
    year: one row per (book, agency, year), so books and agencies never wait on each other."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    book = Varchar(length=64)
    agency_code = Varchar(length=32)
    year = Integer()
    last = Integer(default=0)
