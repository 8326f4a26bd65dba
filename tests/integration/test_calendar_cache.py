"""The process's cached calendar (``core.clock.calendar.get_calendar``): built from the override table,
kept for 60 seconds, then rebuilt only when the table's fingerprint (count, latest creation, first
and last day) changed — whichever part of it changed, as another process's edits would."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.clock import calendar as clock_calendar
from core.clock.calendar import Override
from core.clock.tables import CalendarOverride as CO
from core.contract.vntime import vn_today


def _at(hour: int) -> datetime:
    return datetime(2026, 11, 2, hour, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock the cache reads, moved by hand."""
    now = {"t": 1000.0}
    monkeypatch.setattr(clock_calendar._time, "monotonic", lambda: now["t"])
    clock_calendar.invalidate()
    yield now
    clock_calendar.invalidate()


async def _row(day: date, kind: str = "off", created: int = 8, name: str = "", basis: str = "") -> int:
    row = CO(day=day, kind=kind, name=name, legal_basis=basis, created_at=_at(created))
    await row.save()
    return row.id


async def test_the_calendar_is_built_from_the_override_table(db, clock):
    await _row(date(2027, 3, 3), "off", name="Nghỉ bầu cử", basis="NQ 1/2027")
    await _row(date(2027, 3, 6), "workday", basis="QĐ 2/2027")
    await _row(date(2027, 3, 10), "half-day")  # an unknown kind is a day off, never a working day
    cal = await clock_calendar.get_calendar()
    assert cal.overrides == (
        Override(date(2027, 3, 3), "off", "Nghỉ bầu cử", "NQ 1/2027"),
        Override(date(2027, 3, 6), "workday", "", "QĐ 2/2027"),
        Override(date(2027, 3, 10), "off", "", ""),
    )
    assert not cal.is_working_day(date(2027, 3, 3)) and cal.is_working_day(date(2027, 3, 6))
    # the library's years around today are there as well
    assert not cal.is_working_day(date(vn_today().year, 9, 2))


async def test_the_cache_is_kept_for_sixty_seconds_then_checked(db, clock):
    first = await clock_calendar.get_calendar()
    assert await clock_calendar.get_calendar() is first
    await _row(date(2027, 3, 3))  # another process adds a day off
    clock["t"] += 59.9
    assert (await clock_calendar.get_calendar()) is first  # not checked yet
    clock["t"] += 0.1  # exactly 60 s after the last check
    second = await clock_calendar.get_calendar()
    assert second is not first and not second.is_working_day(date(2027, 3, 3))
    clock["t"] += 60  # checked again, nothing changed: the same calendar, not rebuilt
    assert await clock_calendar.get_calendar() is second
    clock["t"] += 30  # the check above restarted the 60 s
    await _row(date(2027, 3, 4))
    assert await clock_calendar.get_calendar() is second
    clock["t"] += 30
    assert not (await clock_calendar.get_calendar()).is_working_day(date(2027, 3, 4))


async def test_invalidate_forgets_the_calendar_at_once(db, clock):
    first = await clock_calendar.get_calendar()
    await _row(date(2027, 3, 3))
    clock_calendar.invalidate()
    clock["t"] = 10.0  # even when the monotonic clock is not 60 s past zero
    again = await clock_calendar.get_calendar()
    assert again is not first and not again.is_working_day(date(2027, 3, 3))


# Each change below moves one part of the fingerprint only; each must be noticed on its own.
async def _only_the_count(ids):  # a day removed that is neither the first, the last nor the newest
    await CO.delete().where(CO.id == ids["middle"])
    return date(2027, 3, 5), True


async def _only_the_latest_creation(ids):  # the same middle day removed and set again, later
    await CO.delete().where(CO.id == ids["middle"])
    await _row(date(2027, 3, 5), "workday", created=12)
    return date(2027, 3, 5), True


async def _only_the_last_day(ids):  # the last day moved later, by a row with an old creation time
    await CO.delete().where(CO.id == ids["last"])
    await _row(date(2027, 3, 12), created=7)
    return date(2027, 3, 12), False


async def _only_the_first_day(ids):  # the first day moved earlier, same way
    await CO.delete().where(CO.id == ids["first"])
    await _row(date(2027, 3, 1), created=7)
    return date(2027, 3, 1), False


@pytest.mark.parametrize(
    "change", [_only_the_count, _only_the_latest_creation, _only_the_last_day, _only_the_first_day]
)
async def test_any_part_of_the_fingerprint_changing_rebuilds_the_calendar(db, clock, change):
    ids = {
        "first": await _row(date(2027, 3, 2), created=8),
        "middle": await _row(date(2027, 3, 5), created=8),
        "newest": await _row(date(2027, 3, 8), "workday", created=10),  # a Monday: worked anyway
        "last": await _row(date(2027, 3, 9), created=8),
    }
    old = await clock_calendar.get_calendar()
    day, working = await change(ids)
    clock["t"] += 60
    new = await clock_calendar.get_calendar()
    assert new is not old
    assert new.is_working_day(day) is working
