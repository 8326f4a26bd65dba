"""Generated documents (legal forms, results, fee receipts): stored once, re-downloadable."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.dossiers.tables import Dossier
from core.identity.tables import User

__all__ = ("GeneratedDocument", "DocumentCounter", "DocumentSignature", "EStoreDelivery")


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


class DocumentSignature(Table):
    """One signed version of a generated document: the signed bytes are kept as they were signed (a
    signature is never re-made over the same rendering; signing again is a new version)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    document = ForeignKey(references=GeneratedDocument, index=True)
    version = Integer(default=1)
    """1, 2, 3… per document; the highest is the one served."""
    signer = ForeignKey(references=User, null=True)
    signer_name = Varchar(length=255, default="")
    role = Varchar(length=16, default="")
    """``approver``, ``receiver`` or ``officer`` (see ``core.contract.signing.SignerRef``)."""
    service = Varchar(length=64, default="")
    """The signing service (``DocumentSigner.name``)."""
    subject = Varchar(length=500, default="")
    """The signing certificate's subject, as the validator read it back."""
    serial = Varchar(length=64, default="")
    signed_at = Timestamptz()
    unsigned_sha256 = Varchar(length=64, default="")
    """Digest of the rendering that was signed (a re-render with the same digest reuses this version)."""
    sha256 = Varchar(length=64, default="")
    size = Integer(default=0)
    path = Varchar(length=500, default="")


class EStoreDelivery(Table, tablename="estore_delivery"):
    """A signed electronic result sent to the citizen's electronic data store (R29, R31)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    document = ForeignKey(references=GeneratedDocument, index=True)
    dossier = ForeignKey(references=Dossier, index=True)
    message_id = Varchar(length=100, unique=True)
    """``<document id>:<signed version>``: the store files one message id once."""
    adapter = Varchar(length=64, default="")
    status = Varchar(length=16, default="pending")
    """``pending`` (queued or being retried), ``delivered`` (acknowledged), ``rejected`` (refused)."""
    attempts = Integer(default=0)
    error = Text(default="")
    receipt_id = Varchar(length=100, default="")
    """The store's acknowledgement number: the proof of delivery."""
    received_at = Timestamptz(null=True, default=None)
    """When the store says it received the document."""
    store_sha256 = Varchar(length=64, default="")
    answer = Text(default="")
    """The acknowledgement as received (evidence)."""
    created_at = Timestamptz()
    delivered_at = Timestamptz(null=True, default=None)
