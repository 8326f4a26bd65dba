"""Vietnam's time zone and the date there: the wall clock of every deadline, receipt and register,
used by every layer of core and by plugins (through ``core.api``). Imports nothing of motcua."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ("VN_TZ", "vn_now", "vn_today")

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's time zone (UTC+7 all year): the wall clock of every deadline, receipt and register."""


def vn_now() -> datetime:
    """Now, as an aware datetime on Vietnam's wall clock."""
    return datetime.now(VN_TZ)


def vn_today() -> date:
    """Today's date in Vietnam (not the server's: a server on UTC is a day behind before 07:00)."""
    return datetime.now(VN_TZ).date()
