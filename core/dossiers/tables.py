"""Dossier tables: the dossier (a projection with a version), its append-only events, its route
steps, clock suspensions, attachments, and the daily code counters."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.catalogue.tables import ProcedureVersion
from core.identity.tables import Agency, User

__all__ = ("Dossier", "DossierEvent", "DossierStep", "Suspension", "Attachment", "CodeCounter")


class Dossier(Table):
    """Current state of a dossier. Every change to it is made by ``core.dossiers.service`` together
    with a ``DossierEvent`` row in the same transaction; ``version`` guards concurrent edits."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code = Varchar(length=64, unique=True, null=True, default=None)
    """National dossier code ``{agency}-{YYMMDD}-{seq}``; set when the dossier first enters the
    system (online submission or counter receipt), never changed."""
    procedure_code = Varchar(length=64, index=True)
    domain = Varchar(length=32, index=True)
    procedure_version = ForeignKey(references=ProcedureVersion, null=True)
    receiving_agency = ForeignKey(references=Agency, index=True)
    applicant = ForeignKey(references=User, null=True, index=True)
    applicant_name = Varchar(length=255, default="")
    applicant_id_number = Varchar(length=32, default="")
    applicant_phone = Varchar(length=32, default="")
    applicant_email = Varchar(length=255, default="")
    applicant_address = Varchar(length=500, default="")
    lookup_key = Varchar(length=16, default="")
    """Secret printed on the receipt (R36): with the code it opens the public status page."""
    data = JSON(default={})
    """The application's answers."""
    channel = Varchar(length=16, default="online")
    """``truc_tiep`` (counter), ``buu_chinh`` (post), ``truc_tuyen`` (online)."""
    result_channel = Varchar(length=16, default="counter")
    state = Varchar(length=32, index=True)
    version = Integer(default=1)
    submitted_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    clock_start_at = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None, index=True)
    appointment1_at = Timestamptz(null=True, default=None)
    extended_due_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    returned_at = Timestamptz(null=True, default=None)
    stop_requested_at = Timestamptz(null=True, default=None, index=True)
    """When the pending stop request was recorded (``request_stop``); None once decided."""
    late = Boolean(default=False, index=True)
    late_agency = ForeignKey(references=Agency, null=True)
    late_step = Varchar(length=64, null=True, default=None)
    parent_dossier: ForeignKey[Dossier] = ForeignKey(references="self", null=True)
    """For linked procedures (one application fanned out to several agencies): the dossier that spawned this one."""
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DossierEvent(Table):
    """One transition of one dossier: who, where, when, from, to, which step, why. Never updated."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    dossier = ForeignKey(references=Dossier, index=True)
    seq = Integer()
    """1, 2, 3… per dossier (unique with ``dossier``)."""
    action = Varchar(length=32)
    from_state = Varchar(length=32, default="")
    to_state = Varchar(length=32, default="")
    actor = ForeignKey(references=User, null=True)
    agency = ForeignKey(references=Agency, null=True)
    step_id = Varchar(length=64, null=True, default=None)
    note = Text(default="")
    data = JSON(default={})
    at = Timestamptz()


class DossierStep(Table):
    """A route step instantiated for a dossier, at a concrete agency, with its own budget and due."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    dossier = ForeignKey(references=Dossier, index=True)
    stage = Integer()
    step_id = Varchar(length=64)
    agency = ForeignKey(references=Agency, index=True)
    role = Varchar(length=32)
    status = Varchar(length=16, default="waiting", index=True)
    """``waiting`` (stage not reached), ``active``, ``done``, ``returned``, ``cancelled``."""
    budget_minutes = Integer(default=0)
    started_at = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=16, null=True, default=None)
    """``early`` / ``on_time`` / ``late`` (trước hạn / đúng hạn / quá hạn), set on completion."""
    assignee = ForeignKey(references=User, null=True)
    handed_by = ForeignKey(references=User, null=True)
    finished_by = ForeignKey(references=User, null=True)


class Suspension(Table):
    """An interval during which the dossier's clock stands still, with its legal reason."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    dossier = ForeignKey(references=Dossier, index=True)
    reason = Varchar(length=32)
    """``supplement``, ``tax_payment``, ``public_posting``, ``appraisal``, ``violation``."""
    note = Text(default="")
    step_id = Varchar(length=64, null=True, default=None)
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class Attachment(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    dossier = ForeignKey(references=Dossier, index=True)
    document_code = Varchar(length=64)
    filename = Varchar(length=255)
    content_type = Varchar(length=100, default="application/octet-stream")
    path = Varchar(length=500)
    size = BigInt(default=0)
    sha256 = Varchar(length=64)
    uploaded_by = ForeignKey(references=User, null=True)
    at = Timestamptz()
    pages = Integer(null=True, default=None)
    """Page count of a PDF (read by a PDF parser at upload); NULL for an image."""


class CodeCounter(Table):
    """Last sequence number issued by one agency on one day: one row per (agency, day), so
    agencies never wait on each other."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    agency_code = Varchar(length=32)
    day = Date(default=None)
    last = Integer(default=0)
