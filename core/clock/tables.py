"""Calendar tables: the administrator's overrides over the library's holidays."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

from core.identity.tables import User

__all__ = ("CalendarOverride",)


class CalendarOverride(Table):
    """``kind='off'``: a day off that the library does not know; ``kind='workday'``: a make-up working
    day (a Saturday worked in exchange for a bridge day)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    day = Date(unique=True, default=None)
    kind = Varchar(length=16)
    name = Varchar(length=255, default="")
    legal_basis = Varchar(length=255, default="")
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz()
