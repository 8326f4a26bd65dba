"""The audit log: append-only, hash-chained, one chain per agency (or ``global``)."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("AuditEntry", "AuditHead")


class AuditEntry(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    chain = Varchar(length=64, index=True)
    seq = Integer()
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    action = Varchar(length=64)
    object_type = Varchar(length=32, default="")
    object_id = Varchar(length=64, default="")
    data = JSON(default={})
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    seal = Varchar(length=16, default="hmac-sha256")
    """How ``hash`` was made: ``hmac-sha256`` (keyed, every row since 2026-12-03) or ``sha256`` (rows
    written before, unkeyed; see ``core.audit.chain``)."""


class AuditHead(Table):
    """Latest (seq, hash) of each chain; the row a writer locks, so chains never serialise each other."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    chain = Varchar(length=64, unique=True)
    seq = Integer(default=0)
    hash = Varchar(length=64, default="")
