"""The working-day calendar (R13): weekends, Vietnamese public holidays and the administrator's overrides.

Public holidays (lunar ones included, observed days and the government's day swaps) come from
``holidays.Vietnam``; the ``CalendarOverride`` table wins over the library (``off``: an extra day off,
``workday``: a make-up working day). ``WorkCalendar`` is pure once built; ``get_calendar()`` builds it
from one query and caches it per process, re-checking the override table at most every 60 seconds so
that several processes see an administrator's change.
"""

from __future__ import annotations

import asyncio
import time as _time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays

from core.contract.vntime import vn_today

__all__ = (
    "Override",
    "WorkCalendar",
    "get_calendar",
    "invalidate",
    "CHECK_EVERY_SECONDS",
)

CHECK_EVERY_SECONDS = 60.0
"""How often (at most) the cached calendar compares itself with the override table."""

_MAX_SCAN = 3660
"""Safety bound (days) for the walks: ten years without a working day means a broken override table."""


@dataclass(frozen=True, slots=True)
class Override:
    """One administrator override: ``kind`` is ``off`` (day off) or ``workday`` (make-up working day)."""

    day: date
    kind: Literal["off", "workday"]
    name: str = ""
    legal_basis: str = ""


class WorkCalendar:
    """Working days of the province: Monday–Friday minus public holidays, plus make-up days.

    Args:
        years: years to load from the library up front (others are loaded on first use).
        overrides: the administrator's overrides; they win over the library.
    """

    def __init__(self, years: Iterable[int] = (), overrides: Iterable[Override] = ()) -> None:
        self._lib_years: set[int] = set()
        self._lib_off: dict[date, str] = {}
        self._lib_work: dict[date, str] = {}
        self._over: dict[date, Override] = {o.day: o for o in overrides}
        for y in years:
            self._load_year(y)

    # -- building -----------------------------------------------------------------------------
    def _load_year(self, year: int) -> None:
        if year in self._lib_years:
            return
        self._lib_years.add(year)
        lib = holidays.Vietnam(years=year, language="vi")
        for d, name in lib.items():
            self._lib_off[d] = name
        for d in getattr(lib, "weekend_workdays", ()) or ():
            if d.year == year:
                self._lib_work[d] = "Ngày làm việc bù"

    def _ensure(self, d: date) -> None:
        if d.year not in self._lib_years:
            self._load_year(d.year)

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The administrator's overrides, by date."""
        return tuple(sorted(self._over.values(), key=lambda o: o.day))

    # -- questions ----------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` (a wall-clock date in Vietnam) is a working day."""
        o = self._over.get(d)
        if o is not None:
            return o.kind == "workday"
        self._ensure(d)
        if d in self._lib_work:
            return True
        if d in self._lib_off:
            return False
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        """Vietnamese name of the day off or make-up day ``d`` (None for an ordinary day or weekend)."""
        o = self._over.get(d)
        if o is not None:
            return o.name or ("Ngày nghỉ" if o.kind == "off" else "Ngày làm việc bù")
        self._ensure(d)
        return self._lib_off.get(d) or self._lib_work.get(d)

    def source(self, d: date) -> str | None:
        """``override`` / ``library`` for a day the calendar names, None otherwise."""
        if d in self._over:
            return "override"
        self._ensure(d)
        return "library" if d in self._lib_off or d in self._lib_work else None

    def special_days(self, year: int) -> list[tuple[date, bool, str, str]]:
        """Every named day of ``year``: (date, is_working_day, name, source) sorted by date."""
        self._load_year(year)
        days = {d for d in (*self._lib_off, *self._lib_work, *self._over) if d.year == year}
        return [
            (d, self.is_working_day(d), self.holiday_name(d) or "", self.source(d) or "")
            for d in sorted(days)
        ]

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(_MAX_SCAN):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise RuntimeError("no working day within ten years")

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        for _ in range(_MAX_SCAN):
            d -= timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise RuntimeError("no working day within ten years")

    def working_day_on_or_after(self, d: date) -> date:
        """``d`` itself when it is a working day, else the next one (R16)."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The working day ``n`` working days after ``d`` (``n`` may be negative; 0 → ``d`` moved
        to a working day on or after it)."""
        if n == 0:
            return self.working_day_on_or_after(d)
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in the half-open interval ``(a, b]`` (negative when ``b < a``)."""
        if b < a:
            return -self.working_days_between(b, a)
        n, d = 0, a
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n += 1
        return n

    def non_working_runs(self, a: date, b: date) -> list[tuple[date, date, list[str]]]:
        """Consecutive non-working days within ``[a, b]``: (first, last, names of the holidays in the run)."""
        runs: list[tuple[date, date, list[str]]] = []
        d = a
        while d <= b:
            if not self.is_working_day(d):
                first = d
                names: list[str] = []
                while d <= b and not self.is_working_day(d):
                    name = self.holiday_name(d)
                    if name and name not in names:
                        names.append(name)
                    d += timedelta(days=1)
                runs.append((first, d - timedelta(days=1), names))
            else:
                d += timedelta(days=1)
        return runs


# -- the cached calendar of this process ----------------------------------------------------------
_cache: dict[str, object] = {"cal": None, "stamp": None, "checked": 0.0}
_lock: asyncio.Lock | None = None


async def _stamp() -> tuple:
    """A cheap fingerprint of the override table (count, last creation, last day)."""
    from core.clock.tables import CalendarOverride as CO
    from core.db.tx import raw

    table = CO._meta.tablename
    sql = f"SELECT COUNT(*) AS n, MAX(created_at) AS c, MAX(day) AS d, MIN(day) AS m FROM {table}"  # noqa: S608
    rows = await raw(sql)
    r = rows[0] if rows else {}
    return (r.get("n"), str(r.get("c")), str(r.get("d")), str(r.get("m")))


async def _load() -> WorkCalendar:
    from core.clock.tables import CalendarOverride as CO

    rows = await CO.select(CO.day, CO.kind, CO.name, CO.legal_basis)
    overrides = [
        Override(
            day=r["day"],
            kind="workday" if r["kind"] == "workday" else "off",
            name=r["name"] or "",
            legal_basis=r["legal_basis"] or "",
        )
        for r in rows
        if r["day"] is not None
    ]
    y = vn_today().year
    return WorkCalendar(years=range(y - 1, y + 3), overrides=overrides)


async def get_calendar() -> WorkCalendar:
    """The province's working calendar (cached; the override table is re-checked at most every 60 s)."""
    cal = _cache["cal"]
    now = _time.monotonic()
    if cal is not None and now - float(_cache["checked"]) < CHECK_EVERY_SECONDS:  # type: ignore[arg-type]
        return cal  # type: ignore[return-value]
    stamp = await _stamp()
    if cal is None or stamp != _cache["stamp"]:
        cal = await _load()
        _cache["cal"], _cache["stamp"] = cal, stamp
    _cache["checked"] = now
    return cal  # type: ignore[return-value]


def invalidate() -> None:
    """Forget the cached calendar (call after changing an override; other processes notice within 60 s)."""
    _cache["cal"], _cache["stamp"], _cache["checked"] = None, None, 0.0
