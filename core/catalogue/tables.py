"""Catalogue tables: activation of procedures per agency, province fee amounts, procedure versions."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.identity.tables import Agency, User

__all__ = ("ProcedureActivation", "FeeAmount", "ProcedureVersion")


class ProcedureActivation(Table):
    """Whether ``procedure_code`` is taken in at ``agency``; changed at run time, audited."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    agency = ForeignKey(references=Agency, index=True)
    procedure_code = Varchar(length=64, index=True)
    """A procedure code, or ``domain:<code>`` for the switch of a whole plugin (domain) at the agency."""
    domain = Varchar(length=64, default="")
    """Domain of the procedure (copied from the catalogue) so availability is one indexed query."""
    enabled = Boolean(default=True)
    changed_by = ForeignKey(references=User, null=True)
    changed_at = Timestamptz()


class FeeAmount(Table):
    """A fee amount set by the province (HĐND resolution), effective-dated."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    fee_code = Varchar(length=64, index=True)
    procedure_code = Varchar(length=64, default="", index=True)
    """Empty: applies to every procedure that uses ``fee_code``."""
    amount = Integer()
    """Integer VND."""
    legal_basis = Varchar(length=255, default="")
    effective_from = Date(default=None, null=True)
    effective_to = Date(null=True, default=None)
    set_by = ForeignKey(references=User, null=True)
    set_at = Timestamptz()


class ProcedureVersion(Table):
    """A snapshot of a procedure's documents, time limit, fees, route and clock policy in force from
    ``effective_from``. A dossier stores the version it was received under."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    procedure_code = Varchar(length=64, index=True)
    version = Integer()
    effective_from = Date(default=None, null=True)
    data = JSON()
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz()
