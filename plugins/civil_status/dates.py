"""Date helpers shared by validation, fees and results (answers may arrive as ``date`` or text);
``vn_today`` is core's (``core.api``), re-exported for the plugin's modules."""

from __future__ import annotations

import re
from datetime import date, datetime

from core.api import vn_today

__all__ = ("as_date", "age_on", "vn_today", "fmt")

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def as_date(value) -> date | None:
    """``date`` from a ``date``, ``datetime``, ISO ``YYYY-MM-DD`` or ``dd/mm/yyyy``; None when unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    m = _DMY.match(text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def fmt(value) -> str:
    """``dd/mm/yyyy`` as printed on civil-status documents."""
    d = as_date(value)
    return d.strftime("%d/%m/%Y") if d else ""
