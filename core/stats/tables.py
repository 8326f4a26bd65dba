"""Statistics tables: one fact per counted event (what a number's drill-down lists) and the daily
counters the dashboard sums (never the dossiers themselves)."""

from __future__ import annotations

from piccolo.columns import BigInt, Date, Integer, Serial, Varchar
from piccolo.table import Table

__all__ = ("StatFact", "StatCounter")


class StatFact(Table):
    """One counted happening of one dossier: a receipt, a decision (early / on time / late), a hand-over,
    a payment. Unique on (``metric``, ``ref``), so counting twice is impossible; the drill-down of a
    number lists exactly the dossiers of its facts."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    metric = Varchar(length=32)
    """One of ``core.stats.counters.METRICS``."""
    ref = Varchar(length=40)  # type: ignore[assignment]  # the column's name; Table.ref (joins) is not used here
    """What was counted: ``e<event id>`` or ``p<payment id>``."""
    dossier = Integer()
    agency = Integer()
    """The dossier's receiving agency."""
    procedure_code = Varchar(length=64)
    domain = Varchar(length=32)
    channel = Varchar(length=16)
    day = Date(default=None)
    """The day it happened, in Vietnam."""


class StatCounter(Table):
    """How many facts of ``metric`` one agency counted for one procedure, channel and day (Vietnam);
    unique on (``agency``, ``procedure_code``, ``day``, ``channel``, ``metric``)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    agency = Integer()
    procedure_code = Varchar(length=64)
    domain = Varchar(length=32)
    day = Date(default=None)
    channel = Varchar(length=16)
    metric = Varchar(length=32)
    value = BigInt(default=0)
