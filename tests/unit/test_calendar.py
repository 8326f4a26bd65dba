"""The working-day calendar (``core.clock.calendar.WorkCalendar``, R13) against real Vietnamese dates:
weekends, the library's public holidays and make-up Saturdays, the administrator's overrides winning
over both, the day walks and the runs of days off that the due-date explainer prints.

2026 in the library: Tết 16–20/02 (Mon–Fri, so 14–22/02 is one run off), Giỗ Tổ 26/04 (a Sunday)
with 27/04 off in lieu, 30/04–01/05, Saturday 22/08 worked to take Monday 31/08 off before 01–02/09.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.clock.calendar import Override, WorkCalendar

D = date

OVERRIDES = (
    Override(D(2026, 3, 4), "off", "Bầu cử", "NQ 1/2026"),  # a Wednesday given off
    Override(D(2026, 3, 8), "workday", "Làm bù", "QĐ 2/2026"),  # a Sunday worked
    Override(D(2026, 8, 22), "off"),  # the library's make-up Saturday cancelled, no name given
    Override(D(2026, 8, 23), "workday"),  # a Sunday worked, no name given
    Override(D(2027, 1, 4), "off", "Nghỉ đầu năm"),
)


def _ascii(label: str) -> str:
    """A test id in ASCII (mutmut passes ids back to pytest, which cannot match escaped non-ASCII ones)."""
    import unicodedata

    label = label.replace("đ", "d").replace("Đ", "D").replace("–", "-")
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar(years=[2026], overrides=reversed(OVERRIDES))


WORKING = [
    ("an ordinary Wednesday", D(2026, 3, 11), True),
    ("a Friday", D(2026, 3, 13), True),
    ("a Saturday", D(2026, 3, 14), False),
    ("a Sunday", D(2026, 3, 15), False),
    ("a library holiday on a weekday (Tết)", D(2026, 2, 17), False),
    ("the day off in lieu of a Sunday holiday", D(2026, 4, 27), False),
    ("the library's make-up Saturday is worked", D(2025, 4, 26), True),
    ("an override 'off' on a weekday", D(2026, 3, 4), False),
    ("an override 'workday' on a Sunday", D(2026, 3, 8), True),
    ("an override 'off' wins over the library's make-up Saturday", D(2026, 8, 22), False),
    ("the day the make-up Saturday paid for stays off", D(2026, 8, 31), False),
    ("a year not preloaded: loaded on first use (Tết 2027)", D(2027, 2, 8), False),
]


@pytest.mark.parametrize(("label", "day", "working"), WORKING, ids=[_ascii(w[0]) for w in WORKING])
def test_working_days(cal, label, day, working):
    assert cal.is_working_day(day) is working


NAMES = [
    ("override with its own name", D(2026, 3, 4), "Bầu cử", "override"),
    ("override 'workday' with its own name", D(2026, 3, 8), "Làm bù", "override"),
    ("override 'off' without a name", D(2026, 8, 22), "Ngày nghỉ", "override"),
    ("override 'workday' without a name", D(2026, 8, 23), "Ngày làm việc bù", "override"),
    ("library holiday", D(2026, 2, 17), "Tết Nguyên Đán", "library"),
    ("library make-up Saturday", D(2025, 4, 26), "Ngày làm việc bù", "library"),
    ("an ordinary weekday has no name", D(2026, 3, 11), None, None),
    ("a weekend has no name", D(2026, 3, 14), None, None),
    ("a year not preloaded: its holiday named on first use", D(2028, 9, 2), "Quốc khánh", "library"),
]


@pytest.mark.parametrize(("label", "day", "name", "source"), NAMES, ids=[_ascii(n[0]) for n in NAMES])
def test_holiday_names_and_their_source(label, day, name, source):
    # a fresh calendar each time: naming a day must load its year by itself
    fresh = WorkCalendar(years=[2026], overrides=OVERRIDES)
    assert fresh.holiday_name(day) == name
    fresh = WorkCalendar(years=[2026], overrides=OVERRIDES)
    assert fresh.source(day) == source


def test_overrides_are_listed_by_date(cal):
    assert cal.overrides == OVERRIDES


def test_special_days_of_a_year(cal):
    """Every named day of the year, sorted, with whether it is worked: library and overrides, no other year."""
    got = cal.special_days(2026)
    assert [d for d, *_ in got] == sorted(d for d, *_ in got)
    assert {d.year for d, *_ in got} == {2026}
    by_day = {d: rest for d, *rest in got}
    assert by_day[D(2026, 2, 17)] == [False, "Tết Nguyên Đán", "library"]
    assert by_day[D(2026, 3, 4)] == [False, "Bầu cử", "override"]
    assert by_day[D(2026, 3, 8)] == [True, "Làm bù", "override"]
    assert by_day[D(2026, 8, 22)] == [False, "Ngày nghỉ", "override"]
    assert by_day[D(2026, 8, 23)] == [True, "Ngày làm việc bù", "override"]
    assert len(got) == 14 + 1 + 3  # the library's 14 days off and make-up Sat 22/08, and 4/3, 8/3, 23/8
    # a year never asked about before is loaded for the listing
    fresh = WorkCalendar()
    assert [(d, w, n, s) for d, w, n, s in fresh.special_days(2025) if d.month == 4] == [
        (D(2025, 4, 7), False, "Ngày Giỗ Tổ Hùng Vương", "library"),
        (D(2025, 4, 26), True, "Ngày làm việc bù", "library"),
        (D(2025, 4, 30), False, "Ngày Chiến thắng", "library"),
    ]


WALKS = [
    # (label, from, next working day strictly after, previous strictly before)
    ("a Tuesday", D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 9)),
    ("a Friday: next is Monday", D(2026, 3, 13), D(2026, 3, 16), D(2026, 3, 12)),
    ("a Monday: previous is Friday", D(2026, 3, 16), D(2026, 3, 17), D(2026, 3, 13)),
    ("before Tết: over 14–22/02", D(2026, 2, 13), D(2026, 2, 23), D(2026, 2, 12)),
    ("after Tết: back over it", D(2026, 2, 23), D(2026, 2, 24), D(2026, 2, 13)),
    ("over an override day off (4/3)", D(2026, 3, 3), D(2026, 3, 5), D(2026, 3, 2)),
    ("onto an override workday (Sunday 8/3)", D(2026, 3, 6), D(2026, 3, 8), D(2026, 3, 5)),
]


@pytest.mark.parametrize(("label", "day", "after", "before"), WALKS, ids=[_ascii(w[0]) for w in WALKS])
def test_next_and_previous_working_day(cal, label, day, after, before):
    assert cal.next_working_day(day) == after
    assert cal.previous_working_day(day) == before


def test_on_or_after_keeps_a_working_day_and_moves_a_day_off(cal):
    assert cal.working_day_on_or_after(D(2026, 3, 11)) == D(2026, 3, 11)
    assert cal.working_day_on_or_after(D(2026, 3, 14)) == D(2026, 3, 16)
    assert cal.working_day_on_or_after(D(2026, 2, 16)) == D(2026, 2, 23)


ADDS = [
    ("0 days on a working day: the day itself", D(2026, 3, 11), 0, D(2026, 3, 11)),
    ("0 days on a Saturday: the Monday after", D(2026, 3, 14), 0, D(2026, 3, 16)),
    ("1 day", D(2026, 3, 11), 1, D(2026, 3, 12)),
    ("2 days from Thursday: Monday", D(2026, 3, 12), 2, D(2026, 3, 16)),
    ("5 days across Tết", D(2026, 2, 11), 5, D(2026, 2, 25)),
    ("-1 day from Monday: Friday", D(2026, 3, 16), -1, D(2026, 3, 13)),
    ("-3 days back over Tết", D(2026, 2, 24), -3, D(2026, 2, 12)),
    ("10 days over the override day off and the override Sunday", D(2026, 3, 2), 10, D(2026, 3, 16)),
]


@pytest.mark.parametrize(("label", "day", "n", "expected"), ADDS, ids=[_ascii(a[0]) for a in ADDS])
def test_add_working_days(cal, label, day, n, expected):
    assert cal.add_working_days(day, n) == expected


BETWEEN = [
    ("the same day: none", D(2026, 3, 11), D(2026, 3, 11), 0),
    ("(Tue, Wed]: one", D(2026, 3, 10), D(2026, 3, 11), 1),
    ("(Fri, Mon]: one, the weekend not counted", D(2026, 3, 13), D(2026, 3, 16), 1),
    ("(Sat, Sun]: none", D(2026, 3, 14), D(2026, 3, 15), 0),
    ("a whole Tết week: none", D(2026, 2, 15), D(2026, 2, 22), 0),
    ("(13/02, 24/02]: two", D(2026, 2, 13), D(2026, 2, 24), 2),
    ("backwards: negative", D(2026, 3, 16), D(2026, 3, 13), -1),
    ("the first of March: override off and override Sunday", D(2026, 3, 1), D(2026, 3, 8), 5),
]


@pytest.mark.parametrize(("label", "a", "b", "n"), BETWEEN, ids=[_ascii(b[0]) for b in BETWEEN])
def test_working_days_between_is_half_open(cal, label, a, b, n):
    assert cal.working_days_between(a, b) == n


TET = [
    "Giao thừa Tết Nguyên Đán",
    "Tết Nguyên Đán",
    "Mùng hai Tết Nguyên Đán",
    "Mùng ba Tết Nguyên Đán",
    "Mùng bốn Tết Nguyên Đán",
]
RUNS = [
    (
        "Tết with its weekends, as one run",
        D(2026, 2, 9),
        D(2026, 2, 27),
        [(D(2026, 2, 14), D(2026, 2, 22), TET)],
    ),
    ("a plain weekend has no names", D(2026, 3, 9), D(2026, 3, 16), [(D(2026, 3, 14), D(2026, 3, 15), [])]),
    ("no day off inside", D(2026, 3, 9), D(2026, 3, 13), []),
    (
        "a run cut by the end of the range",
        D(2026, 2, 12),
        D(2026, 2, 17),
        [(D(2026, 2, 14), D(2026, 2, 17), TET[:2])],
    ),
    (
        "a run started before the range",
        D(2026, 2, 19),
        D(2026, 2, 24),
        [(D(2026, 2, 19), D(2026, 2, 22), TET[3:])],
    ),
    ("a single day", D(2026, 3, 4), D(2026, 3, 4), [(D(2026, 3, 4), D(2026, 3, 4), ["Bầu cử"])]),
    (
        "two runs apart, the override Sunday splitting a weekend",
        D(2026, 3, 4),
        D(2026, 3, 10),
        [(D(2026, 3, 4), D(2026, 3, 4), ["Bầu cử"]), (D(2026, 3, 7), D(2026, 3, 7), [])],
    ),
    (
        "a repeated name is given once",
        D(2026, 8, 29),
        D(2026, 9, 3),
        [(D(2026, 8, 29), D(2026, 9, 2), ["Ngày nghỉ (thay cho ngày 22/08/2026)", "Quốc khánh"])],
    ),
    ("an empty range", D(2026, 3, 15), D(2026, 3, 14), []),
]


@pytest.mark.parametrize(("label", "a", "b", "runs"), RUNS, ids=[_ascii(r[0]) for r in RUNS])
def test_non_working_runs(cal, label, a, b, runs):
    assert cal.non_working_runs(a, b) == runs


def test_ten_years_without_a_working_day_is_an_error_not_a_hang():
    start = D(2026, 1, 1)
    off = [Override(start + timedelta(days=i), "off") for i in range(-3700, 3700)]
    broken = WorkCalendar(overrides=off)
    with pytest.raises(RuntimeError, match="^no working day within ten years$"):
        broken.next_working_day(start)
    with pytest.raises(RuntimeError, match="^no working day within ten years$"):
        broken.previous_working_day(start)
    # a walk of just under ten years still ends
    for days in (3660, -3660):
        last = start + timedelta(days=days)
        ok = WorkCalendar(overrides=[*off, Override(last, "workday")])
        walk = ok.next_working_day if days > 0 else ok.previous_working_day
        assert walk(start) == last
