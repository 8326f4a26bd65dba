"""The clock at its edges, table-driven against real dates (R14–R19): exactly at the cut-off, exactly at
a session's end, back-to-back and zero-length sessions, suspensions out of order / nested / after the
due / open, custom agency sessions, naive datetimes, and every explanation line word for word.

Written from the surviving mutants of ``core/clock/deadlines.py`` (docs/testing.md): each test names
the rule it protects, so a refactor of the clock that changes behaviour fails here.

Wednesday 14/01/2026 and the week of Monday 02/03/2026 are ordinary working weeks (no holiday).
"""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

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
    working_minutes_between,
)
from core.contract.specs import L, StageSpec, StepSpec

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(years=range(2025, 2028))
S = WorkSessions()
CUT = time(15, 0)
# An agency with its own sessions, given as the JSON string stored on the agency row: 7 h 30 a day.
SES2 = '[["07:30", "11:30"], ["13:30", "17:00"]]'
# A morning-only desk: 4 h a day.
SES_AM = [["07:00", "11:00"]]


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


# -- the cut-off and the session ends: when the clock starts (R15) -------------------------------
START_TABLE = [
    # id, received, cut-off, expected start, reason in the first explanation line
    ("exactly at the 15:00 cut-off: not after it", vn(2026, 1, 14, 15), CUT, vn(2026, 1, 14, 15), None),
    ("one minute after the cut-off", vn(2026, 1, 14, 15, 1), CUT, vn(2026, 1, 15, 8), "sau 15:00"),
    (
        "exactly 12:00: the morning session is over",
        vn(2026, 1, 14, 12),
        CUT,
        vn(2026, 1, 14, 13),
        "trong giờ nghỉ giữa hai buổi làm việc",
    ),
    (
        "exactly 17:00 with the online 17:00 cut-off",
        vn(2026, 1, 14, 17),
        time(17),
        vn(2026, 1, 15, 8),
        "sau giờ làm việc",
    ),
    ("exactly 17:00 without a cut-off", vn(2026, 1, 14, 17), None, vn(2026, 1, 15, 8), "sau giờ làm việc"),
    ("16:59 with the 17:00 cut-off", vn(2026, 1, 14, 16, 59), time(17), vn(2026, 1, 14, 16, 59), None),
    ("exactly at opening", vn(2026, 1, 14, 8), CUT, vn(2026, 1, 14, 8), None),
    ("exactly at the afternoon start", vn(2026, 1, 14, 13), CUT, vn(2026, 1, 14, 13), None),
    ("before opening", vn(2026, 1, 14, 7, 15), CUT, vn(2026, 1, 14, 8), "trước giờ làm việc"),
    (
        "Friday after closing, no cut-off: Monday",
        vn(2026, 1, 16, 17, 30),
        None,
        vn(2026, 1, 19, 8),
        "sau giờ làm việc",
    ),
    (
        "Saturday: Monday",
        vn(2026, 1, 10, 10),
        CUT,
        vn(2026, 1, 12, 8),
        "ngày không làm việc (ngày nghỉ cuối tuần)",
    ),
    (
        "Sunday: Monday",
        vn(2026, 1, 11, 10),
        CUT,
        vn(2026, 1, 12, 8),
        "ngày không làm việc (ngày nghỉ cuối tuần)",
    ),
    (
        "in Tet: the first day after it",
        vn(2026, 2, 17, 9),
        CUT,
        vn(2026, 2, 23, 8),
        "ngày không làm việc (Tết Nguyên Đán)",
    ),
]


@pytest.mark.parametrize(
    ("label", "received", "cutoff", "start", "why"), START_TABLE, ids=[r[0] for r in START_TABLE]
)
def test_clock_start_boundaries(label, received, cutoff, start, why):
    """R15: after the cut-off (strictly) → next working day's opening; a session's end moves on."""
    assert clock_start(CAL, S, received, cutoff) == utc(start)
    line = due_for(CAL, S, received, 1, cutoff).explanation[0]
    got = received.astimezone(VN)
    head = f"Tiếp nhận {got:%H:%M} "
    assert line.startswith(head)
    if why is None:
        assert line.endswith("→ bắt đầu tính ngay")
    else:
        assert f", {why} → bắt đầu tính từ {start:%H:%M} " in line


def test_a_day_off_the_calendar_cannot_name_is_called_a_day_off():
    class Unnamed(WorkCalendar):
        def holiday_name(self, d):
            return None

    cal = Unnamed(years=[2026], overrides=[Override(date(2026, 1, 14), "off")])
    line = due_for(cal, S, vn(2026, 1, 14, 10), 1, CUT).explanation[0]
    assert line == (
        "Tiếp nhận 10:00 thứ Tư 14/01/2026, ngày không làm việc (ngày nghỉ) "
        "→ bắt đầu tính từ 08:00 thứ Năm 15/01/2026"
    )


# -- adding working time at the session ends (R14) ------------------------------------------------
ADD_TABLE = [
    # id, sessions, start, minutes, expected
    ("a morning ends exactly at 12:00 and stays there", S, vn(2026, 1, 14, 8), 240, vn(2026, 1, 14, 12)),
    ("adding nothing at a session's end stays at the end", S, vn(2026, 1, 14, 12), 0, vn(2026, 1, 14, 12)),
    ("one minute past the morning: the afternoon", S, vn(2026, 1, 14, 11), 61, vn(2026, 1, 14, 13, 1)),
    ("adding nothing at closing stays at closing", S, vn(2026, 1, 14, 17), 0, vn(2026, 1, 14, 17)),
    ("one minute past closing: next morning", S, vn(2026, 1, 14, 17), 1, vn(2026, 1, 15, 8, 1)),
    ("a whole day from opening ends at closing", S, vn(2026, 1, 14, 8), 480, vn(2026, 1, 14, 17)),
    ("a day and a minute", S, vn(2026, 1, 14, 8), 481, vn(2026, 1, 15, 8, 1)),
    ("Friday over the weekend", S, vn(2026, 1, 16, 16), 120, vn(2026, 1, 19, 9)),
    (
        "back-to-back sessions run on without a break",
        WorkSessions.from_json([["08:00", "12:00"], ["12:00", "17:00"]]),
        vn(2026, 1, 14, 11),
        120,
        vn(2026, 1, 14, 13),
    ),
    ("a desk open from midnight", [["00:00", "04:00"]], vn(2026, 1, 14, 3), 120, vn(2026, 1, 15, 1)),
    ("custom sessions: 7:30 opening", SES2, vn(2026, 1, 14, 7, 30), 60, vn(2026, 1, 14, 8, 30)),
    ("custom sessions: a whole 7 h 30 day", SES2, vn(2026, 1, 14, 7, 30), 450, vn(2026, 1, 14, 17)),
]


@pytest.mark.parametrize(
    ("label", "sessions", "start", "minutes", "expected"), ADD_TABLE, ids=[r[0] for r in ADD_TABLE]
)
def test_adding_working_time_at_session_ends(label, sessions, start, minutes, expected):
    assert add_working_minutes(CAL, sessions, start, minutes) == utc(expected)


def test_back_to_back_sessions_are_one_nine_hour_day_and_empty_ones_are_refused():
    assert WorkSessions.from_json([["08:00", "12:00"], ["12:00", "17:00"]]).minutes_per_day == 540
    with pytest.raises(
        ValueError, match=re.escape("Buổi làm việc 08:00–08:00: giờ kết thúc phải sau giờ bắt đầu")
    ):
        WorkSessions.from_json([["08:00", "08:00"]])
    with pytest.raises(ValueError, match="^Các buổi làm việc phải theo thứ tự và không chồng lên nhau$"):
        WorkSessions.from_json([["08:00", "12:00"], ["11:00", "17:00"]])
    with pytest.raises(ValueError, match="^Cần ít nhất một buổi làm việc$"):
        WorkSessions(())
    with pytest.raises(ValueError, match="^Giờ làm việc không hợp lệ: "):
        WorkSessions.from_json([["8 giờ", "12:00"]])
    # a stored value that is not JSON at all is refused the same way, not with the parser's error
    with pytest.raises(ValueError, match=re.escape("Giờ làm việc không hợp lệ: '[[\"08:00\", '")):
        WorkSessions.from_json('[["08:00", ')


def test_sessions_json_string_round_trips_and_blank_means_default():
    ses = WorkSessions.from_json(SES2)
    assert ses.minutes_per_day == 450
    assert ses.to_json() == [["07:30", "11:30"], ["13:30", "17:00"]]
    assert WorkSessions.from_json("   ") == WorkSessions()
    assert WorkSessions().to_json() == [["08:00", "12:00"], ["13:00", "17:00"]]


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="^minutes must be ≥ 0$"):
        add_working_minutes(CAL, S, vn(2026, 1, 14, 8), -1)


def test_a_calendar_without_working_days_fails_instead_of_looping():
    class Never(WorkCalendar):
        def is_working_day(self, d):
            return False

    cal = Never(years=[2026])
    with pytest.raises(RuntimeError, match="^no working session within ten years$"):
        clock_start(cal, S, vn(2026, 1, 14, 10), None)
    with pytest.raises(RuntimeError, match="^deadline beyond ten years$"):
        add_working_minutes(cal, S, vn(2026, 1, 14, 10), 1)


# -- working time between two moments ---------------------------------------------------------------
def test_no_working_time_between_a_moment_and_an_earlier_one():
    assert working_minutes_between(CAL, S, vn(2026, 1, 14, 10), vn(2026, 1, 14, 9)) == 0
    assert working_minutes_between(CAL, S, vn(2026, 1, 14, 10), vn(2026, 1, 14, 10)) == 0
    assert elapsed_minutes(CAL, S, vn(2026, 1, 14, 10), vn(2026, 1, 14, 10)) == 0
    assert elapsed_minutes(CAL, S, vn(2026, 1, 14, 10), vn(2026, 1, 14, 9)) == 0
    assert elapsed_minutes(CAL, S, vn(2026, 1, 14, 10), vn(2026, 1, 14, 10, 1)) == 1
    # time passes but no working time: a weekend, the lunch break, a suspension covering it all
    assert elapsed_minutes(CAL, S, vn(2026, 1, 10, 9), vn(2026, 1, 11, 18)) == 0
    assert elapsed_minutes(CAL, S, vn(2026, 1, 14, 12), vn(2026, 1, 14, 13)) == 0
    assert elapsed_minutes(CAL, S, vn(2026, 1, 14, 9), vn(2026, 1, 14, 10), [(vn(2026, 1, 14, 8), None)]) == 0


def test_custom_sessions_are_used_by_every_measure():
    """An agency's own sessions (7:30–11:30, 13:30–17:00) decide every count, not the default ones."""
    wed, thu = vn(2026, 1, 14, 7, 30), vn(2026, 1, 15, 7, 30)
    assert working_minutes_between(CAL, SES2, wed, vn(2026, 1, 14, 17)) == 450
    assert elapsed_minutes(CAL, SES2, wed, thu) == 450
    lunch = [(vn(2026, 1, 14, 11, 30), vn(2026, 1, 14, 13, 30))]  # the agency's own lunch break
    assert elapsed_minutes(CAL, SES2, wed, thu, lunch) == 450
    assert due_with_suspensions(CAL, SES2, wed, 450, lunch) == utc(vn(2026, 1, 14, 17))
    assert due_with_suspensions(CAL, SES2, wed, 60, []) == utc(vn(2026, 1, 14, 8, 30))
    assert remaining_minutes(CAL, SES2, wed, vn(2026, 1, 14, 17)) == 450
    assert remaining_minutes(CAL, SES2, vn(2026, 1, 15, 7, 45), vn(2026, 1, 14, 17)) == -15


@pytest.mark.parametrize(
    ("now", "due", "expected"),
    [
        (vn(2026, 1, 14, 7), vn(2026, 1, 15, 7), "yellow"),  # one 4-hour day left
        (vn(2026, 1, 14, 7), vn(2026, 1, 15, 9), "green"),  # 6 hours: more than the desk's day
        (vn(2026, 1, 15, 9), vn(2026, 1, 15, 9), "yellow"),
        (vn(2026, 1, 15, 9, 1), vn(2026, 1, 15, 9), "red"),
    ],
)
def test_colour_counts_a_day_in_the_agencys_own_sessions(now, due, expected):
    """R16: ≤ 1 working day left is yellow, where the day is the agency's (a 4-hour morning desk)."""
    assert colour(CAL, SES_AM, now, due) == expected


# -- naive datetimes, UTC out -----------------------------------------------------------------------
@pytest.fixture
def server_in_vietnam(monkeypatch):
    """The server's local time zone is Vietnam time: naive datetimes must still be read as UTC."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


def test_naive_datetimes_are_utc_and_results_are_utc(server_in_vietnam):
    start = clock_start(CAL, S, datetime(2026, 1, 14, 3, 0), CUT)  # 03:00 UTC = 10:00 in Vietnam
    assert start == utc(vn(2026, 1, 14, 10))
    assert start.utcoffset() == timedelta(0)
    d = due_for(CAL, S, datetime(2026, 1, 14, 3, 0), 1, CUT)
    assert d.due == utc(vn(2026, 1, 15, 10)) and d.due.utcoffset() == timedelta(0)
    assert add_working_minutes(CAL, S, datetime(2026, 1, 14, 3), 60).utcoffset() == timedelta(0)


# -- suspensions (R17) ------------------------------------------------------------------------------
MON = vn(2026, 3, 2, 8)  # clock start: Monday 02/03/2026 08:00; the week 02–06/03 has no holiday


def _d(day, hh=8, mm=0):
    return vn(2026, 3, day, hh, mm) if day > 0 else vn(2026, 2, 28 + day, hh, mm)


SUSPENSION_TABLE = [
    # id, suspensions, elapsed at Monday 09/03 08:00, budget (minutes), expected due (None: unknown)
    (
        "two separate suspensions are excluded separately",
        [(_d(3), _d(4)), (_d(5), _d(6))],
        1440,
        1440,
        _d(6, 17),
    ),
    ("suspensions given out of order", [(_d(5), _d(6)), (_d(3), _d(4))], 1440, 1440, _d(6, 17)),
    ("a suspension nested in another counts once", [(_d(3), _d(6)), (_d(4), _d(5))], 960, 960, _d(6, 17)),
    (
        "two overlapping then a separate one",
        [(_d(3), _d(4)), (_d(3, 12), _d(4, 12)), (_d(5), _d(6))],
        1200,
        960,
        _d(6, 12),
    ),
    ("back-to-back suspensions", [(_d(3), _d(4)), (_d(4), _d(5))], 1440, 960, _d(5, 17)),
    ("a zero-length suspension excludes nothing", [(_d(3), _d(3))], 2400, 480, _d(2, 17)),
    (
        "a suspension before the clock start is ignored, a later one still counts",
        [(_d(-1), _d(2)), (_d(3), _d(4))],
        1920,
        960,
        _d(4, 17),
    ),
    ("an open suspension: the due is unknown", [(_d(3), None)], 480, 960, None),
    (
        "same start, one closed and one open: the open one wins",
        [(_d(3), _d(4)), (_d(3), None)],
        480,
        960,
        None,
    ),
    (
        "a closed one then an overlapping open one: still stopped",
        [(_d(3), _d(5)), (_d(4), None)],
        480,
        960,
        None,
    ),
    ("a suspension after the due does not move it", [(_d(3), _d(4))], 1920, 480, _d(2, 17)),
    ("a suspension starting exactly at the due does not move it", [(_d(2, 17), _d(4))], 1920, 480, _d(2, 17)),
    ("an open suspension after the due leaves it known", [(_d(3), None)], 480, 480, _d(2, 17)),
    ("a suspension from the clock start pushes even an empty budget", [(_d(2), _d(3))], 1920, 0, _d(3)),
]


@pytest.mark.parametrize(
    ("label", "suspensions", "elapsed", "minutes", "due"),
    SUSPENSION_TABLE,
    ids=[r[0] for r in SUSPENSION_TABLE],
)
def test_suspension_table(label, suspensions, elapsed, minutes, due):
    assert elapsed_minutes(CAL, S, MON, _d(9), suspensions) == elapsed
    assert due_with_suspensions(CAL, S, MON, minutes, suspensions) == (None if due is None else utc(due))


def test_a_suspension_lasting_past_now_counts_only_up_to_now():
    assert elapsed_minutes(CAL, S, MON, _d(4), [(_d(3), _d(6))]) == 480


# -- explanation lines, word for word ---------------------------------------------------------------
def test_explanation_of_a_half_day_and_of_a_custom_day():
    d = due_for(CAL, S, vn(2026, 1, 14, 7, 15), 0.5, CUT)
    assert d.explanation == (
        "Tiếp nhận 07:15 thứ Tư 14/01/2026, trước giờ làm việc → bắt đầu tính từ 08:00 thứ Tư 14/01/2026",
        "Thời hạn theo quy định: 0,5 ngày làm việc (1 ngày = 8 giờ làm việc)",
        "Hạn giải quyết: 12:00 thứ Tư 14/01/2026",
    )
    c = due_for(CAL, SES2, vn(2026, 1, 14, 7, 30), 1, CUT)
    assert c.explanation[1] == "Thời hạn theo quy định: 1 ngày làm việc (1 ngày = 7 giờ 30 phút làm việc)"
    # a due exactly at a session's end stays there: the agency's day ends at 17:00, not next morning
    assert (c.start, c.due, c.minutes) == (utc(vn(2026, 1, 14, 7, 30)), utc(vn(2026, 1, 14, 17)), 450)


def test_same_day_explanation_and_a_single_session_desk():
    d = due_for(CAL, S, vn(2026, 1, 14, 10), 0, CUT)
    assert d.explanation == (
        "Tiếp nhận 10:00 thứ Tư 14/01/2026 → bắt đầu tính ngay",
        "Giải quyết trong ngày → hạn là cuối ngày làm việc 17:00 thứ Tư 14/01/2026",
        "Hạn giải quyết: 17:00 thứ Tư 14/01/2026",
    )
    am = due_for(CAL, SES_AM, vn(2026, 1, 14, 9), 0, None)
    assert am.due == utc(vn(2026, 1, 14, 11))


def test_skipped_days_one_day_and_a_run_with_two_names():
    cal = WorkCalendar(
        years=[2026],
        overrides=[
            Override(date(2026, 1, 14), "off", "Nghỉ A"),
            Override(date(2026, 1, 15), "off", "Nghỉ B"),
            Override(date(2026, 1, 21), "off", "Nghỉ C"),
        ],
    )
    d = due_for(cal, S, vn(2026, 1, 13, 9), 4, CUT)
    assert d.explanation[2:] == (
        "Bỏ qua: 14/01–15/01/2026 (Nghỉ A; Nghỉ B)",
        "Bỏ qua: 21/01/2026 (Nghỉ C)",
        "Hạn giải quyết: 09:00 thứ Năm 22/01/2026",
    )


# -- budgets, apology cap, two appointments -----------------------------------------------------------
def _step(i, days, suspends=None):
    return StepSpec(id=i, name=L(i), role="specialist", days=days, suspends_for=suspends)


LAND = (
    StageSpec((_step("receive", 0.5),)),
    StageSpec((_step("tax", 3), _step("survey", 5))),
    StageSpec((_step("posting", 15, "public_posting"),)),
    StageSpec((_step("approve", 2),)),
)


@pytest.mark.parametrize(
    ("stages", "total", "expected"),
    [
        # declared 0.5 + 5 + 2 = 7.5 days (the posting suspends and counts nothing) over 5: × 2/3
        (LAND, 5, {"receive": 160, "tax": 960, "survey": 1600, "posting": 0, "approve": 640}),
        (LAND, 7.5, {"receive": 240, "tax": 1440, "survey": 2400, "posting": 0, "approve": 960}),
        # no statutory time (same day): the declared shares are kept, not scaled to nothing
        (LAND, 0, {"receive": 240, "tax": 1440, "survey": 2400, "posting": 0, "approve": 960}),
        # a half-day procedure whose one step declares a day: scaled to half a day
        ((StageSpec((_step("a", 1),)),), 0.5, {"a": 240}),
    ],
)
def test_step_budgets_are_scaled_exactly(stages, total, expected):
    assert step_budgets(stages, total) == expected


def test_apology_cap_is_never_negative():
    assert apology_extension_cap(-4) == 0
    assert apology_extension_cap(20, fraction=-0.25) == 0
    assert apology_extension_cap(20, fraction=0) == 0


def test_two_appointments_exactly():
    both = two_appointments(CAL, S, vn(2026, 1, 14, 16), 1, 1, CUT)  # after the cut-off: Thursday
    assert both.first.start == utc(vn(2026, 1, 15, 8)) and both.first.due == utc(vn(2026, 1, 15, 17))
    assert both.second.start == both.first.due
    assert both.second.due == utc(vn(2026, 1, 16, 17))
    assert both.second.minutes == 480
    assert both.second.explanation == (
        "Hẹn lần 2 (dự kiến, nếu nghĩa vụ tài chính hoàn thành ngay): 1 ngày làm việc sau hẹn lần 1 "
        "→ 17:00 thứ Sáu 16/01/2026",
    )
    custom = two_appointments(CAL, SES2, vn(2026, 1, 14, 7, 30), 0.5, 1, CUT)  # the agency's 3 h 45
    assert custom.first.due == utc(vn(2026, 1, 14, 11, 15))
    assert custom.second.due == utc(vn(2026, 1, 15, 11, 15)) and custom.second.minutes == 450


def test_second_appointment_exactly():
    later = second_appointment(CAL, S, vn(2026, 1, 20, 16), 3, CUT)
    assert later.minutes == 1440
    assert later.explanation == (
        "Hẹn lần 2 tính từ khi xác nhận hoàn thành nghĩa vụ tài chính (16:00 thứ Ba 20/01/2026)",
        "Thời hạn theo quy định: 3 ngày làm việc (1 ngày = 8 giờ làm việc)",
        "Hạn giải quyết: 17:00 thứ Sáu 23/01/2026",
    )
    custom = second_appointment(CAL, SES2, vn(2026, 1, 14, 7, 30), 1, CUT)
    assert (custom.start, custom.due, custom.minutes) == (
        utc(vn(2026, 1, 14, 7, 30)),
        utc(vn(2026, 1, 14, 17)),
        450,
    )
