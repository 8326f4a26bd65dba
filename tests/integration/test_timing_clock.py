"""The lifecycle's clock questions (``core.dossiers.timing``) with the province's calendar from the
database, against real dates: a dossier's deadline (cut-off, remote-area days, the agency's own
sessions), working time added and counted, appointment 1, the bound version's rules, the agency
sessions loader. Runs on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.catalogue.tables import ProcedureVersion
from core.clock import calendar as clock_calendar
from core.contract.specs import L, ProcedureSpec, StageSpec, StepSpec, WorkflowSpec
from core.dossiers import timing
from core.identity.tables import Agency
from tests.fixtures.builders import standard_tree

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HALF_DAY = [["07:00", "11:00"]]  # a desk open four hours a day


def _ascii(label: str) -> str:
    """A test id in ASCII (mutmut passes ids back to pytest, which cannot match escaped non-ASCII ones)."""
    import unicodedata

    label = label.replace("đ", "d").replace("Đ", "D").replace("–", "-")
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(autouse=True)
def fresh_calendar():
    clock_calendar.invalidate()
    yield
    clock_calendar.invalidate()


def _rules(days=3.0, cutoff=time(15), remote=0) -> timing.Rules:
    return timing.Rules(float(days), cutoff, "pause", 15, False, remote)


DEADLINES = [
    # (label, received (VN), rules, agency, start (VN), due (VN), minutes)
    (
        "before the cut-off: the clock starts at once",
        vn(2026, 3, 10, 9, 30),
        _rules(),
        {},
        vn(2026, 3, 10, 9, 30),
        vn(2026, 3, 13, 9, 30),
        1440,
    ),
    (
        "after the 15:00 cut-off: next working morning",
        vn(2026, 3, 13, 15, 1),
        _rules(),
        {},
        vn(2026, 3, 16, 8),
        vn(2026, 3, 18, 17),
        1440,
    ),
    (
        "a remote-area agency adds its extra days",
        vn(2026, 3, 10, 9, 30),
        _rules(remote=2),
        {"remote_area": True},
        vn(2026, 3, 10, 9, 30),
        vn(2026, 3, 17, 9, 30),
        2400,
    ),
    (
        "the extra days only for a remote-area agency",
        vn(2026, 3, 10, 9, 30),
        _rules(remote=2),
        {"remote_area": False},
        vn(2026, 3, 10, 9, 30),
        vn(2026, 3, 13, 9, 30),
        1440,
    ),
    (
        "the agency's four-hour day: a working day is its four hours",
        vn(2026, 3, 10, 8),
        _rules(days=1),
        {"work_sessions": HALF_DAY},
        vn(2026, 3, 10, 8),
        vn(2026, 3, 11, 8),
        240,
    ),
    (
        "sessions stored as a JSON string",
        vn(2026, 3, 10, 8),
        _rules(days=1),
        {"work_sessions": '[["07:00", "11:00"]]'},
        vn(2026, 3, 10, 8),
        vn(2026, 3, 11, 8),
        240,
    ),
    ("over Tết 2026", vn(2026, 2, 13, 10), _rules(days=1), {}, vn(2026, 2, 13, 10), vn(2026, 2, 23, 10), 480),
]


@pytest.mark.parametrize(
    ("label", "received", "rules", "agency", "start", "due", "minutes"),
    DEADLINES,
    ids=[_ascii(d[0]) for d in DEADLINES],
)
async def test_a_dossiers_deadline(db, label, received, rules, agency, start, due, minutes):
    d = await timing.deadline(received.astimezone(UTC), rules, agency)
    assert (d.start, d.due, d.minutes) == (start, due, minutes)
    assert d.start.tzinfo is UTC and d.due.tzinfo is UTC
    assert isinstance(d.explanation, tuple) and d.explanation


async def test_the_deadline_follows_an_administrators_day_off(db):
    from core.clock import service

    await service.add_override(vn(2026, 3, 12).date(), "off", "Nghỉ", "QĐ 1", actor_id=None)
    clock_calendar.invalidate()
    d = await timing.deadline(vn(2026, 3, 10, 9, 30), _rules(), {})
    assert d.due == vn(2026, 3, 16, 9, 30)
    assert any("12/03/2026" in line for line in d.explanation)


ADDS = [
    ("nothing added", vn(2026, 3, 10, 9), 0, None, vn(2026, 3, 10, 9)),
    ("an hour", vn(2026, 3, 10, 9), 60, None, vn(2026, 3, 10, 10)),
    ("over the lunch break", vn(2026, 3, 10, 11, 30), 60, None, vn(2026, 3, 10, 13, 30)),
    ("over the weekend", vn(2026, 3, 13, 16), 120, None, vn(2026, 3, 16, 9)),
    ("in the agency's own sessions", vn(2026, 3, 10, 10), 120, HALF_DAY, vn(2026, 3, 11, 8)),
    ("a naive start is UTC", datetime(2026, 3, 10, 2), 60, None, vn(2026, 3, 10, 10)),
]


@pytest.mark.parametrize(
    ("label", "start", "minutes", "sessions", "expected"), ADDS, ids=[_ascii(a[0]) for a in ADDS]
)
async def test_working_time_added(db, label, start, minutes, sessions, expected):
    got = await timing.add(start, minutes, sessions)
    assert got == expected and got.tzinfo is UTC


COUNTS = [
    ("the same moment", vn(2026, 3, 10, 9), vn(2026, 3, 10, 9), None, 0),
    ("backwards", vn(2026, 3, 10, 10), vn(2026, 3, 10, 9), None, 0),
    ("one minute", vn(2026, 3, 10, 9), vn(2026, 3, 10, 9, 1), None, 1),
    ("a lunch break does not count", vn(2026, 3, 10, 11), vn(2026, 3, 10, 14), None, 120),
    ("a weekend does not count", vn(2026, 3, 13, 16), vn(2026, 3, 16, 9), None, 120),
    ("only the agency's sessions count", vn(2026, 3, 10, 10), vn(2026, 3, 11, 9), HALF_DAY, 180),
]


@pytest.mark.parametrize(
    ("label", "start", "end", "sessions", "minutes"), COUNTS, ids=[_ascii(c[0]) for c in COUNTS]
)
async def test_working_minutes_between(db, label, start, end, sessions, minutes):
    assert await timing.working_minutes(start, end, sessions) == minutes


def _wf(*stages) -> WorkflowSpec:
    return WorkflowSpec("w", L("w"), tuple(StageSpec(tuple(s)) for s in stages))


def _step(sid, days=1, **kw) -> StepSpec:
    return StepSpec(id=sid, name=L(sid), role="specialist", days=days, **kw)


async def test_appointment_one_is_the_end_of_its_stage(db):
    """Stages before it run one after the other; parallel steps count by the longest; a step that
    stops the clock counts nothing, whatever its budget says; appointment 2 is not appointment 1."""
    wf = _wf(
        [_step("a")],
        [_step("b", 2), _step("c", 3)],
        [_step("p", 15, suspends_for="public_posting")],
        [_step("d", appointment=1), _step("q", suspends_for="tax_notice")],
        [_step("e", appointment=2)],
    )
    minutes = {"a": 480, "b": 960, "c": 1440, "p": 7200, "d": 480, "q": 9999, "e": 480}
    start = vn(2026, 3, 9, 8)
    assert await timing.appointment1(start, wf, minutes, None) == vn(2026, 3, 13, 17)  # 5 working days
    # the agency's own four-hour day (07–11): 180 minutes on the first day, nine days, one more hour
    assert await timing.appointment1(start, wf, minutes, HALF_DAY) == vn(2026, 3, 23, 8)
    # R18: the intake budget is what the processing days leave beyond the route's declared steps
    # (here 2880 minutes: a, c, d, e): seven days leave one day before the route starts
    assert await timing.appointment1(start, wf, minutes, None, processing_days=7) == vn(2026, 3, 16, 17)
    assert await timing.appointment1(start, wf, minutes, None, processing_days=6.5) == vn(2026, 3, 16, 12)
    # steps that take all of it (or more, scaled down) leave no intake budget
    assert await timing.appointment1(start, wf, minutes, None, processing_days=6) == vn(2026, 3, 13, 17)
    assert await timing.appointment1(start, wf, minutes, None, processing_days=2) == vn(2026, 3, 13, 17)
    # a step without a budget counts nothing
    assert await timing.appointment1(start, wf, {"d": 60}, None) == vn(2026, 3, 9, 9)


async def test_no_appointment_one_without_its_step(db):
    wf = _wf([_step("a")], [_step("e", appointment=2)])
    assert await timing.appointment1(vn(2026, 3, 9, 8), wf, {"a": 480, "e": 480}, None) is None


def _proc() -> ProcedureSpec:
    return ProcedureSpec(
        code="9.999999",
        domain="test",
        name=L("x"),
        agency_level="commune",
        processing_days=3,
        legal_basis=(),
        documents=(),
        form="f",
        workflow="w",
        cutoff=time(15),
    )


async def test_rules_of_the_bound_version(db):
    pv = ProcedureVersion(
        procedure_code="9.999999",
        version=2,
        effective_from=None,
        data={"processing_days": 7, "cutoff": "16:30", "remote_area_extra_days": 5},
        created_at=datetime.now(UTC),
    )
    await pv.save()
    bound = await timing.rules_for({"procedure_version": pv.id}, _proc())
    assert (bound.processing_days, bound.cutoff, bound.remote_area_extra_days) == (7.0, time(16, 30), 5)
    unbound = await timing.rules_for({"procedure_version": None}, _proc())
    assert (unbound.processing_days, unbound.cutoff) == (3.0, time(15))
    assert await timing.rules_for({}, _proc()) == unbound


async def test_agency_sessions_are_loaded_once_per_call_site(db):
    tree = await standard_tree()
    ward = tree["ward"]["id"]
    await Agency.update({Agency.work_sessions: HALF_DAY}).where(Agency.id == ward)
    cache: dict = {}
    load = timing.sessions_loader(cache)
    assert timing.work_sessions(await load(ward)).minutes_per_day == 240
    assert timing.work_sessions(await load(tree["centre"]["id"])).minutes_per_day == 480
    await Agency.update({Agency.work_sessions: [["07:00", "09:00"]]}).where(Agency.id == ward)
    assert timing.work_sessions(await load(ward)).minutes_per_day == 240  # cached for this call site
    assert (
        timing.work_sessions(await timing.sessions_loader({})(ward)).minutes_per_day == 120
    )  # a new one reads
    assert await load(999999) is None  # an unknown agency: the default sessions
    assert 999999 in cache
