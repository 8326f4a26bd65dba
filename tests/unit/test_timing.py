"""The lifecycle's adapter over the clock (``core.dossiers.timing``): its pure parts at their edges —
UTC in and out, a step's outcome by the Vietnam-time day, the bound version's rules, budgets, colours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.clock.calendar import WorkCalendar
from core.clock.deadlines import WorkSessions
from core.contract.specs import L, ProcedureSpec, StageSpec, StepSpec, WorkflowSpec
from core.dossiers import timing

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar(years=[2026])


def _ascii(label: str) -> str:
    """A test id in ASCII (mutmut passes ids back to pytest, which cannot match escaped non-ASCII ones)."""
    import unicodedata

    label = label.replace("đ", "d").replace("Đ", "D").replace("–", "-")
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def test_as_utc_reads_naive_values_and_strings_as_utc():
    assert timing.as_utc("2026-01-14T03:00:00") == datetime(2026, 1, 14, 3, tzinfo=UTC)
    assert timing.as_utc("2026-01-14T10:00:00+07:00") == datetime(2026, 1, 14, 3, tzinfo=UTC)
    assert timing.as_utc(datetime(2026, 1, 14, 3)).utcoffset() == timedelta(0)
    got = timing.as_utc(vn(2026, 1, 14, 10))
    assert got == datetime(2026, 1, 14, 3, tzinfo=UTC) and got.tzinfo is UTC


@pytest.mark.parametrize(("days", "minutes"), [(0, 0), (0.5, 240), (1, 480), (1.25, 600), (20, 9600)])
def test_days_to_minutes(days, minutes):
    assert timing.days_to_minutes(days) == minutes


OUTCOMES = [
    ("exactly at the due: on time", vn(2026, 1, 15, 10), vn(2026, 1, 15, 10), "on_time"),
    ("one minute after the due: late", vn(2026, 1, 15, 10, 1), vn(2026, 1, 15, 10), "late"),
    ("earlier the same day: on time", vn(2026, 1, 15, 8), vn(2026, 1, 15, 17), "on_time"),
    ("the day before: early", vn(2026, 1, 14, 16), vn(2026, 1, 15, 8), "early"),
    # 00:30 on 15/01 in Vietnam is still 14/01 in UTC: the day is Vietnam's
    (
        "just after midnight in Vietnam, same day as the due",
        vn(2026, 1, 15, 0, 30),
        vn(2026, 1, 15, 10),
        "on_time",
    ),
    (
        "late evening the day before, already the due's day in UTC",
        vn(2026, 1, 14, 23, 30),
        vn(2026, 1, 15, 10),
        "early",
    ),
    ("no due: on time", vn(2026, 1, 15, 10), None, "on_time"),
]


@pytest.mark.parametrize(
    ("label", "finished", "due", "expected"), OUTCOMES, ids=[_ascii(o[0]) for o in OUTCOMES]
)
def test_step_outcome_by_the_vietnam_day(label, finished, due, expected):
    """R22: late after the due; on time the due's own day (Vietnam time); early before that day."""
    assert timing.outcome(finished.astimezone(UTC), due) == expected


def _proc(**kw) -> ProcedureSpec:
    base = dict(
        code="9.999999",
        domain="test",
        name=L("x"),
        agency_level="commune",
        processing_days=3,
        legal_basis=(),
        documents=(),
        form="f",
        workflow="w",
    )
    return ProcedureSpec(**(base | kw))


def test_rules_come_from_the_bound_version_and_fall_back_to_the_declaration():
    proc = _proc(
        cutoff=time(15),
        supplement_policy="pause",
        supplement_limit_days=15,
        financial_obligation=False,
        remote_area_extra_days=0,
    )
    r = timing.Rules.from_snapshot(None, proc)
    assert r == timing.Rules(3.0, time(15), "pause", 15, False, 0)
    snap = {
        "processing_days": "5",
        "cutoff": "17:00",
        "supplement_policy": "restart",
        "supplement_limit_days": "10",
        "financial_obligation": 1,
        "remote_area_extra_days": "10",
    }
    assert timing.Rules.from_snapshot(snap, proc) == timing.Rules(5.0, time(17), "restart", 10, True, 10)
    assert timing.Rules.from_snapshot({"cutoff": None}, proc).cutoff == time(15)


def test_work_sessions_from_the_agency_row():
    custom = timing.work_sessions('[["07:30", "11:30"], ["13:30", "17:00"]]')
    assert custom.minutes_per_day == 450
    assert timing.work_sessions(None) == WorkSessions()
    assert timing.work_sessions([["07:00", "11:00"]]).minutes_per_day == 240
    assert timing.work_sessions(custom) is custom


@pytest.mark.parametrize("empty", [None, "", "   ", "null", "[]", []])
def test_an_agency_without_sessions_works_the_default_day(empty):
    """An empty ``work_sessions`` column (never set, blanked, JSON null or an empty list): 08–12, 13–17."""
    assert timing.work_sessions(empty) == WorkSessions()
    assert timing.work_sessions(empty).minutes_per_day == 480


@pytest.mark.parametrize(
    "bad",
    ['[["07:30", "11:30"]', "tám giờ", '[["17:00", "08:00"]]', "[1]"],
    ids=["unclosed-json", "words", "ends-before-it-starts", "not-pairs"],
)
def test_malformed_sessions_are_refused_in_vietnamese(bad):
    with pytest.raises(ValueError, match="^(Giờ làm việc không hợp lệ|Buổi làm việc 17:00–08:00)"):
        timing.work_sessions(bad)


def test_budgets_and_the_apology_cap():
    wf = WorkflowSpec(
        "w",
        L("w"),
        (
            StageSpec((StepSpec(id="a", name=L("a"), role="specialist", days=1),)),
            StageSpec(
                (StepSpec(id="p", name=L("p"), role="specialist", days=15, suspends_for="public_posting"),)
            ),
            StageSpec((StepSpec(id="b", name=L("b"), role="specialist", days=2),)),
        ),
    )
    assert timing.budgets(wf, 3) == {"a": 480, "p": 0, "b": 960}
    assert timing.budgets(wf, 1.5) == {"a": 240, "p": 0, "b": 480}
    assert timing.apology_cap_days(15) == 3.75
    assert timing.apology_cap_days(0) == 0.0


def test_colour_needs_a_due_and_a_calendar():
    due = vn(2026, 1, 16, 17)
    assert timing.colour(CAL, None, vn(2026, 1, 14, 17), due) == "green"
    assert timing.colour(CAL, None, vn(2026, 1, 15, 17), due) == "yellow"
    assert timing.colour(CAL, None, vn(2026, 1, 16, 17, 1), due) == "red"
    # the agency's own 4-hour day: one day left is yellow
    assert timing.colour(CAL, [["07:00", "11:00"]], vn(2026, 1, 15, 11), vn(2026, 1, 16, 11)) == "yellow"
    assert timing.colour(CAL, None, vn(2026, 1, 14, 17), None) is None
    assert timing.colour(None, None, vn(2026, 1, 14, 17), due) is None
