"""The working-time clock against a table of real dates (R13–R19): Tết, moved holidays, cut-off,
weekends, lunch break, same-day procedures, suspensions, overrides, colours, budgets."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.clock.calendar import Override, WorkCalendar
from core.clock.deadlines import (
    WorkSessions,
    add_working_minutes,
    apology_extension_cap,
    clock_start,
    colour,
    due_for,
    due_with_suspensions,
    elapsed_minutes,
    remaining_minutes,
    second_appointment,
    step_budgets,
    two_appointments,
)
from core.contract.specs import L, StageSpec, StepSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(years=range(2025, 2028))
S = WorkSessions()
CUT = time(15, 0)


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def _ids(table) -> list[str]:
    """Plain-ASCII test ids without '/', so a test can be selected by its node id (mutmut does)."""
    return [
        re.sub(
            r"[^A-Za-z0-9:+ -]+",
            "_",
            unicodedata.normalize("NFKD", row[0]).encode("ascii", "ignore").decode(),
        )
        for row in table
    ]


# -- the calendar: what holidays.Vietnam 0.109 gives, checked day by day ---------------------------
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Tết
        (date(2026, 2, 16), False),  # 29 Tết (Giao thừa)
        (date(2026, 2, 17), False),  # Mùng một
        (date(2026, 2, 20), False),  # Mùng bốn
        (date(2026, 2, 23), True),  # back to work
        (date(2026, 4, 27), False),  # Giỗ Tổ Hùng Vương 26/4 is a Sunday → observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2025, 9, 1), False),  # 2025: 1/9 and 2/9
        (date(2025, 9, 2), False),
        (date(2025, 5, 2), False),  # 2025 swap: Friday 2/5 off ...
        (date(2025, 4, 26), True),  # ... worked on Saturday 26/4
        (date(2026, 8, 31), False),  # 2026 swap: Monday 31/8 off ...
        (date(2026, 8, 22), True),  # ... worked on Saturday 22/8
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 11, 24), False),  # Ngày Văn hóa Việt Nam, from 2026
        (date(2025, 11, 24), True),  # not yet in 2025
        (date(2026, 1, 10), False),  # an ordinary Saturday
        (date(2026, 1, 11), False),  # an ordinary Sunday
        (date(2026, 1, 12), True),
    ],
)
def test_working_days_real_dates(day, working):
    assert CAL.is_working_day(day) is working


def test_holiday_names_are_vietnamese():
    assert "Tết Nguyên Đán" in CAL.holiday_name(date(2026, 2, 17))
    assert CAL.holiday_name(date(2026, 9, 2)) == "Quốc khánh"
    assert CAL.holiday_name(date(2026, 1, 13)) is None


def test_day_arithmetic_around_tet():
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 23)
    assert CAL.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert CAL.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert CAL.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1


def test_years_outside_the_preloaded_range_are_loaded_on_demand():
    cal = WorkCalendar(years=[2026])
    assert not cal.is_working_day(date(2030, 9, 2))


# -- overrides win ---------------------------------------------------------------------------------
def test_admin_overrides_win_over_the_library():
    cal = WorkCalendar(
        years=[2026],
        overrides=[
            Override(date(2026, 1, 10), "workday", "Làm bù cho ngày 02/01"),
            Override(date(2026, 1, 14), "off", "Nghỉ theo quyết định của UBND tỉnh"),
            Override(date(2026, 11, 24), "workday", "Đi làm"),
        ],
    )
    assert cal.is_working_day(date(2026, 1, 10))
    assert not cal.is_working_day(date(2026, 1, 14))
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.holiday_name(date(2026, 1, 14)) == "Nghỉ theo quyết định của UBND tỉnh"
    # Received Friday 09/01 at 16:00: the clock starts on the make-up Saturday.
    d = due_for(cal, S, vn(2026, 1, 9, 16), 2, CUT)
    assert d.start == vn(2026, 1, 10, 8).astimezone(UTC)
    # Sat 10 + Mon 12 = 2 days; Tue 13 would be the third day.
    assert d.due == vn(2026, 1, 12, 17).astimezone(UTC)
    d3 = due_for(cal, S, vn(2026, 1, 9, 16), 3, CUT)
    assert d3.due == vn(2026, 1, 13, 17).astimezone(UTC)
    d4 = due_for(cal, S, vn(2026, 1, 9, 16), 4, CUT)
    assert d4.due == vn(2026, 1, 15, 17).astimezone(UTC)  # Wednesday 14 is off


# -- due dates -------------------------------------------------------------------------------------
DUE_TABLE = [
    # received, days, cut-off, expected start, expected due
    ("after 15:00 over Tết", vn(2026, 1, 23, 16, 10), 20, CUT, vn(2026, 1, 26, 8), vn(2026, 2, 27, 17)),
    ("Hùng Kings observed + 30/4–1/5", vn(2026, 4, 24, 10), 3, CUT, vn(2026, 4, 24, 10), vn(2026, 5, 4, 10)),
    ("2/9 in 2025", vn(2025, 8, 29, 9), 1, CUT, vn(2025, 8, 29, 9), vn(2025, 9, 3, 9)),
    (
        "2026 swap: Saturday 22/8 worked",
        vn(2026, 8, 21, 14),
        1,
        CUT,
        vn(2026, 8, 21, 14),
        vn(2026, 8, 22, 14),
    ),
    ("2026 swap: 31/8–2/9 off", vn(2026, 8, 28, 9), 1, CUT, vn(2026, 8, 28, 9), vn(2026, 9, 3, 9)),
    ("24/11/2026", vn(2026, 11, 23, 9), 1, CUT, vn(2026, 11, 23, 9), vn(2026, 11, 25, 9)),
    ("received on Saturday", vn(2026, 1, 10, 10), 2, CUT, vn(2026, 1, 12, 8), vn(2026, 1, 13, 17)),
    (
        "received in the lunch break",
        vn(2026, 1, 14, 12, 20),
        0.5,
        CUT,
        vn(2026, 1, 14, 13),
        vn(2026, 1, 14, 17),
    ),
    ("received before opening", vn(2026, 1, 14, 7, 15), 0.5, CUT, vn(2026, 1, 14, 8), vn(2026, 1, 14, 12)),
    (
        "online cut-off 17:00",
        vn(2026, 1, 14, 16, 30),
        1,
        time(17),
        vn(2026, 1, 14, 16, 30),
        vn(2026, 1, 15, 16, 30),
    ),
    ("same day", vn(2026, 1, 14, 10), 0, CUT, vn(2026, 1, 14, 10), vn(2026, 1, 14, 17)),
    ("same day after cut-off", vn(2026, 1, 14, 15, 30), 0, CUT, vn(2026, 1, 15, 8), vn(2026, 1, 15, 17)),
    (
        "same day after cut-off before Tết",
        vn(2026, 2, 13, 16),
        0,
        CUT,
        vn(2026, 2, 23, 8),
        vn(2026, 2, 23, 17),
    ),
    # Tết Ất Tỵ 2025 (lunar): the Government's nine days, Sat 25/01 – Sun 02/02, 29 Tết (Mon 27/01) included
    ("Tết 2025", vn(2025, 1, 24, 10), 1, CUT, vn(2025, 1, 24, 10), vn(2025, 2, 3, 10)),
    # Tết Đinh Mùi 2027, two years ahead: seeded from the lunar calendar, not typed in
    ("Tết 2027 after cut-off", vn(2027, 2, 3, 16), 1, CUT, vn(2027, 2, 11, 8), vn(2027, 2, 11, 17)),
    # Giỗ Tổ Hùng Vương 10/3 lunar: Monday 07/04/2025
    ("Hùng Kings 2025", vn(2025, 4, 4, 9), 1, CUT, vn(2025, 4, 4, 9), vn(2025, 4, 8, 9)),
    # 2025 swap: Saturday 26/04 is a make-up working day, Friday 02/05 is off (30/4 – 4/5 in a row)
    ("2025 make-up Saturday", vn(2025, 4, 25, 10), 1, CUT, vn(2025, 4, 25, 10), vn(2025, 4, 26, 10)),
    ("2025 30/4 – 4/5", vn(2025, 4, 29, 10), 1, CUT, vn(2025, 4, 29, 10), vn(2025, 5, 5, 10)),
    # received at closing on Friday before the 2026 swap (Mon 31/08 off) and Quốc khánh: Thursday 03/09
    ("closing before 31/8–2/9/2026", vn(2026, 8, 28, 17), 1, CUT, vn(2026, 9, 3, 8), vn(2026, 9, 3, 17)),
]


@pytest.mark.parametrize(
    ("label", "received", "days", "cutoff", "start", "due"), DUE_TABLE, ids=_ids(DUE_TABLE)
)
def test_due_table(label, received, days, cutoff, start, due):
    d = due_for(CAL, S, received, days, cutoff)
    assert d.start == start.astimezone(UTC)
    assert d.due == due.astimezone(UTC)
    assert CAL.is_working_day(d.due.astimezone(VN).date())
    assert d.minutes == round(days * 480)


def test_explanation_lines():
    d = due_for(CAL, S, vn(2026, 1, 23, 16, 10), 20, CUT)
    assert (
        d.explanation[0]
        == "Tiếp nhận 16:10 thứ Sáu 23/01/2026, sau 15:00 → bắt đầu tính từ 08:00 thứ Hai 26/01/2026"
    )
    assert "Bỏ qua: 14/02–22/02/2026 (Tết Nguyên Đán)" in d.explanation
    assert d.explanation[-1] == "Hạn giải quyết: 17:00 thứ Sáu 27/02/2026"
    sat = due_for(CAL, S, vn(2026, 1, 10, 10), 2, CUT)
    assert "ngày không làm việc" in sat.explanation[0]


def test_remote_area_extra_days_are_an_explicit_adjustment():
    plain = due_for(CAL, S, vn(2026, 3, 2, 9), 10, CUT)
    remote = due_for(CAL, S, vn(2026, 3, 2, 9), 10, CUT, extra_days=10)
    assert remote.minutes == plain.minutes + 4800
    assert remote.due == add_working_minutes(CAL, S, plain.due, 4800)
    assert any(line.startswith("Điều chỉnh: +10 ngày làm việc") for line in remote.explanation)
    assert not any(line.startswith("Điều chỉnh") for line in plain.explanation)


def test_custom_sessions_define_the_working_day():
    ses = WorkSessions.from_json([["07:30", "11:30"], ["13:30", "17:00"]])
    assert ses.minutes_per_day == 450
    d = due_for(CAL, ses, vn(2026, 1, 14, 7, 30), 1, CUT)
    assert d.due == vn(2026, 1, 14, 17).astimezone(UTC)
    assert clock_start(CAL, ses, vn(2026, 1, 14, 12), CUT) == vn(2026, 1, 14, 13, 30).astimezone(UTC)
    with pytest.raises(ValueError):
        WorkSessions.from_json([["12:00", "08:00"]])
    assert WorkSessions.from_json(None) == WorkSessions.from_json('[["08:00", "12:00"], ["13:00", "17:00"]]')


# -- suspensions (R17) -----------------------------------------------------------------------------
def test_fifteen_days_of_public_posting_do_not_consume_the_twenty_day_land_clock():
    start = vn(2026, 1, 5, 8)
    plain = add_working_minutes(CAL, S, start, 20 * 480)
    assert plain == vn(2026, 1, 30, 17).astimezone(UTC)
    posting = [(vn(2026, 1, 12, 8), vn(2026, 2, 2, 8))]  # 15 working days of posting
    due = due_with_suspensions(CAL, S, start, 20 * 480, posting)
    # 5 days before the posting, 15 after it: 2–13/02, Tết skipped, 23–27/02.
    assert due == vn(2026, 2, 27, 17).astimezone(UTC)
    assert elapsed_minutes(CAL, S, start, vn(2026, 2, 2, 8), posting) == 5 * 480
    assert elapsed_minutes(CAL, S, start, due, posting) == 20 * 480
    assert elapsed_minutes(CAL, S, start, vn(2026, 2, 2, 8), []) == 20 * 480
    # while the posting lasts the due is unknown and the elapsed time does not move
    open_posting = [(vn(2026, 1, 12, 8), None)]
    assert due_with_suspensions(CAL, S, start, 20 * 480, open_posting) is None
    assert elapsed_minutes(CAL, S, start, vn(2026, 1, 28, 10), open_posting) == 5 * 480


def test_overlapping_suspensions_count_once():
    start = vn(2026, 3, 2, 8)
    a = (vn(2026, 3, 3, 8), vn(2026, 3, 5, 8))
    b = (vn(2026, 3, 4, 8), vn(2026, 3, 6, 8))
    assert elapsed_minutes(CAL, S, start, vn(2026, 3, 9, 8), [a, b]) == 2 * 480
    assert due_with_suspensions(CAL, S, start, 480, [a, b]) == vn(2026, 3, 2, 17).astimezone(UTC)
    assert due_with_suspensions(CAL, S, start, 960, [a, b]) == vn(2026, 3, 6, 17).astimezone(UTC)


# -- colours ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (vn(2026, 2, 25, 17), "green"),  # two working days left
        (vn(2026, 2, 26, 16, 59), "green"),  # 481 minutes left
        (vn(2026, 2, 26, 17), "yellow"),  # exactly one working day left
        (vn(2026, 2, 27, 16), "yellow"),
        (vn(2026, 2, 27, 17), "yellow"),  # at the due itself: not late yet
        (vn(2026, 2, 27, 17, 1), "red"),
        (vn(2026, 3, 2, 9), "red"),
    ],
)
def test_colour_boundaries(now, expected):
    assert colour(CAL, S, now, vn(2026, 2, 27, 17)) == expected


def test_colour_counts_working_time_not_calendar_time():
    # Ten calendar days before the due, but Tết leaves only two working hours.
    assert colour(CAL, S, vn(2026, 2, 13, 16), vn(2026, 2, 23, 9)) == "yellow"
    assert remaining_minutes(CAL, S, vn(2026, 2, 13, 16), vn(2026, 2, 23, 9)) == 120
    assert remaining_minutes(CAL, S, vn(2026, 2, 23, 10), vn(2026, 2, 23, 9)) == -60


# -- budgets, extension cap, two appointments ------------------------------------------------------
def _step(i, days, suspends=None):
    return StepSpec(id=i, name=L(i), role="specialist", days=days, suspends_for=suspends)


def test_step_budgets():
    stages = (
        StageSpec((_step("receive", 0.5),)),
        StageSpec((_step("tax", 3), _step("survey", 5))),  # parallel: each its own budget
        StageSpec((_step("posting", 15, "public_posting"),)),
        StageSpec((_step("approve", 2),)),
    )
    assert step_budgets(stages, 20) == {
        "receive": 240,
        "tax": 1440,
        "survey": 2400,
        "posting": 0,
        "approve": 960,
    }
    # declared 7.5 days over a 5-day limit: scaled down to fit
    scaled = step_budgets(stages, 5)
    assert scaled["posting"] == 0
    assert scaled["receive"] + scaled["survey"] + scaled["approve"] <= 5 * 480


def test_apology_extension_cap_is_a_quarter():
    assert apology_extension_cap(20) == 5
    assert apology_extension_cap(15) == 3.75
    assert apology_extension_cap(1) == 0.25
    assert apology_extension_cap(0) == 0
    assert apology_extension_cap(20, fraction=0.5) == 10


def test_two_appointments_land_transfer_five_plus_three():
    both = two_appointments(CAL, S, vn(2026, 1, 5, 9), 5, 3, CUT)
    assert both.first.due == vn(2026, 1, 12, 9).astimezone(UTC)
    assert both.second.due == vn(2026, 1, 15, 9).astimezone(UTC)
    # Payment confirmed late on Tuesday 20/01: appointment 2 counts from Wednesday's opening.
    later = second_appointment(CAL, S, vn(2026, 1, 20, 16), 3, CUT)
    assert later.start == vn(2026, 1, 21, 8).astimezone(UTC)
    assert later.due == vn(2026, 1, 23, 17).astimezone(UTC)
    assert "nghĩa vụ tài chính" in later.explanation[0]


# -- properties ------------------------------------------------------------------------------------
_starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30)).map(
    lambda d: d.replace(tzinfo=VN)
)


def _inside_session(t: datetime) -> bool:
    local = t.astimezone(VN)
    if not CAL.is_working_day(local.date()):
        return False
    return any(a <= local.time() <= b for a, b in S.sessions)


@settings(max_examples=200, deadline=None)
@given(start=_starts, a=st.integers(0, 30 * 480), b=st.integers(0, 30 * 480))
def test_adding_working_minutes_is_associative_and_lands_in_a_session(start, a, b):
    one = add_working_minutes(CAL, S, start, a + b)
    two = add_working_minutes(CAL, S, add_working_minutes(CAL, S, start, a), b)
    assert one == two
    assert _inside_session(one)


@settings(max_examples=100, deadline=None)
@given(start=_starts, m=st.integers(1, 20 * 480))
def test_elapsed_time_inverts_adding(start, m):
    begin = clock_start(CAL, S, start, None)
    end = add_working_minutes(CAL, S, begin, m)
    assert elapsed_minutes(CAL, S, begin, end) == m
    assert end - begin >= timedelta(minutes=m)


@settings(max_examples=200, deadline=None)
@given(
    received=_starts,
    days=st.sampled_from([0, 0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30]),
    cutoff=st.sampled_from([None, time(15), time(17)]),
    extra=st.sampled_from([0, 10]),
)
def test_a_due_never_falls_on_a_non_working_day(received, days, cutoff, extra):
    """R15/R16 as a property: the clock starts and ends inside a working session of a working day,
    never before the receipt, and counts exactly the statutory (plus remote-area) working time."""
    d = due_for(CAL, S, received, days, cutoff, extra_days=extra)
    assert _inside_session(d.start) and _inside_session(d.due)
    assert d.start >= received.astimezone(UTC) and d.due >= d.start
    if days + extra > 0:
        assert elapsed_minutes(CAL, S, d.start, d.due) == round((days + extra) * 480)
    local = received.astimezone(VN)
    if CAL.is_working_day(local.date()) and cutoff is not None and local.time() > cutoff:
        assert d.start.astimezone(VN).date() == CAL.next_working_day(local.date()), (
            "after the cut-off: next day"
        )
