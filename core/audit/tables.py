"""The audit log: append-only, hash-chained, one chain per agency (or ``global``)."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("AuditEntry", "AuditHead")


class AuditEntry(Table):
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


class AuditHead(Table):
    """Latest (seq, hash) of each chain; the row a writer locks, so chains never serialise each other."""

    chain = Varchar(length=64, unique=True)
    seq = Integer(default=0)
    hash = Varchar(length=64, default="")
