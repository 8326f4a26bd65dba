"""Outbox: background work written in the same transaction as the change that caused it.

Also the bookkeeping that keeps tasks idempotent across runners and processes: which cron slots
already fired (``CronRun``) and which plugins already handled a dossier event (``EventDelivery``).
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("Outbox", "CronRun", "EventDelivery")


class Outbox(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    task = Varchar(length=100, index=True)
    payload = JSON(default={})
    status = Varchar(length=16, default="pending", index=True)
    """``pending``, ``queued`` (handed to arq), ``running``, ``done``, ``failed`` (visible in the
    admin page, re-sendable)."""
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz()
    run_after = Timestamptz(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    queued_at = Timestamptz(null=True, default=None)
    """When the row was last handed to arq or claimed by a runner (a stuck row is re-queued)."""
    resent_as = Integer(null=True, default=None)
    """For a failed row sent again: the id of the new row."""
    priority = Integer(default=0)
    """Higher runs first: 0 for work caused by a person now; ``BULK`` (-10) for work queued by a bulk
    load (``motcua demo``, imports), so a clerk's receipt never waits behind a thousand demo PDFs."""


class CronRun(Table):
    """One fired slot of a scheduled job; the unique key stops two processes firing it twice."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=160, unique=True)
    """``<job name>@<slot in Vietnam time, YYYY-MM-DDTHH:MM>``."""
    job = Varchar(length=100, index=True)
    fired_at = Timestamptz()
    outbox_id = Integer(null=True, default=None)


class EventDelivery(Table):
    """A plugin that has handled a dossier event (``on_dossier_event`` is delivered at least once,
    but a retry never re-runs a plugin that already succeeded)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=200, unique=True)
    """``<event id>:<plugin name>``."""
    event_id = Integer(index=True)
    plugin = Varchar(length=150)
    delivered_at = Timestamptz()
