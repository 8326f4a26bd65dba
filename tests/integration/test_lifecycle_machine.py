"""Issue 12, a hypothesis state machine over the dossier lifecycle (both engines), beyond the
sequence property of ``test_engine_properties.py`` (whose actors, parameters, snapshot and chain
check it reuses):

* several dossiers at once (online and at the counter, three procedures) acted on by random people,
  the right ones and the wrong ones (other roles, other agencies, the citizen), with every action of
  the table including refused ones, supplements, suspensions, stops and stop requests (withdrawals),
  send-backs, result hand-overs and apologies;
* time passes between actions (minutes to days, over nights, weekends and holidays), and the clock
  scan runs as the system actor (late flags, dossiers closed for an unanswered supplement);
* after every step: an accepted action added exactly one event to its dossier, in order, chained from
  the previous state, and touched no other dossier; a refused one changed nothing at all;
* due dates: the model recomputes every dossier's due from ``core.clock.deadlines`` (the due at
  receipt, restarted or shifted by the working time of each pause, never shifted when already behind
  the pause, the apology's new date) and compares it with the stored one; every due and every active
  step's due lies inside a working session of a working day of the calendar;
* the audit chain verifies at the end of every run.

Budget: the suite runs ``MOTCUA_FUZZ_EXAMPLES`` (default 6, so that both engines stay within the
suite's time budget) runs of at most ``MOTCUA_FUZZ_STEPS``
(default 20) steps. By hand, for a deeper search::

    MOTCUA_FUZZ_EXAMPLES=500 MOTCUA_FUZZ_STEPS=60 .venv/bin/python -m pytest -q -p no:cacheprovider \\
        tests/integration/test_lifecycle_machine.py
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from core.audit import chain
from core.clock import deadlines
from core.contract.errors import MotcuaError
from core.dossiers import clockscan, engine, service, timing
from core.dossiers.states import State, actions_from
from core.dossiers.tables import DossierEvent
from tests.fixtures.engine_route import PROC, PROC_PAUSE, PROC_SUSPEND, actor, setup_route
from tests.integration.test_engine_properties import FORWARD, PEOPLE, _check_chain, _params, _snapshot, _who

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "6"))
STEPS = int(os.environ.get("MOTCUA_FUZZ_STEPS", "20"))
PHASES = [p for p in Phase if p != Phase.shrink or os.environ.get("MOTCUA_FUZZ_SHRINK", "1") != "0"]
"""``MOTCUA_FUZZ_SHRINK=0``: report the first failing run as found (shrinking a database-backed run
takes minutes)."""

ACTIONS = (
    ("submit",) * 2
    + ("receive",) * 3
    + ("complete_step",) * 6
    + ("approve",) * 3
    + ("mark_result_ready",) * 2
    + ("return_result",) * 2
    + ("request_supplement",) * 3
    + ("resubmit",) * 3
    + ("suspend",) * 3
    + ("resume",) * 3
    + ("return_step",) * 2
    + ("apologise",) * 2
    + ("request_stop", "refuse_stop", "refuse_intake", "stop", "reject", "edit_draft")
    + ("scan",) * 2
)
"""Weighted like ``test_engine_properties.ACTIONS``, with more pauses and apologies; ``scan``: the clock
scan runs as the system actor instead."""
CUTOFF = time(15, 0)
"""The test procedures' cut-off (``tests/fixtures/engine_route.py``)."""
MODELLED = (PROC, PROC_PAUSE)
"""Procedures whose due the model recomputes (``PROC_SUSPEND``'s tax step pauses the clock on its own:
its dues are checked against the calendar only)."""
WORK = {State.RECEIVED.value, State.IN_PROCESSING.value}
START = datetime(2026, 12, 28, 1, 30, tzinfo=UTC)
"""Monday 08:30 in Vietnam, days before the new year's holiday and weekends: the clock's corners."""
TIME_STEPS = st.sampled_from((0, 7, 95, 240, 480, 960, 1440, 2 * 1440, 3 * 1440, 6 * 1440)) | st.integers(
    0, 9 * 1440
)


@dataclass
class Model:
    """What the test expects of one dossier's clock, from the actions it saw accepted."""

    id: int
    proc: str
    due: datetime | None = None
    extended: datetime | None = None
    pauses: list[datetime] = field(default_factory=list)
    """Starts of the open pauses not tied to a step (suspensions, supplements under ``pause``)."""


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else timing.as_utc(value)


def _natural(d, step, action: str) -> str:
    """The move forward that fits the dossier as it is (a draft is submitted by its citizen and
    received by the desk; a decision step is approved, another completed)."""
    if d.state == "draft":
        return "submit" if d.applicant_id is not None else "receive"
    if action in ("complete_step", "approve") and step is not None:
        return "approve" if step.step_id in ("decide", "sign") else "complete_step"
    return action


def _own(snapshot: tuple) -> tuple:
    """A dossier's part of ``_snapshot`` (without the whole audit log's and outbox's counts)."""
    return snapshot[:7] + snapshot[9:]


class LifecycleMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.now = START
        self._real_utcnow = engine.utcnow
        engine.utcnow = lambda: self.now  # the engine's only clock (clock scan and views read it too)
        self.dossiers: list[Model] = []
        self.cal = self.run(timing.calendar())
        self.ses = deadlines.WorkSessions.from_json(None)

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def teardown(self):
        try:
            for m in self.dossiers:
                self.run(_check_chain(self.run(service.get(m.id))))
            assert self.run(chain.verify_all()) == [], "the audit chain verifies"
        finally:
            engine.utcnow = self._real_utcnow
            self.loop.close()

    # -- building -----------------------------------------------------------------------------

    def _create(self, proc: str, online: bool) -> None:
        w = self.world
        who = "citizen" if online else "receiver"
        d = self.run(
            service.create(
                proc,
                w["tree"]["ward"]["id"],
                actor=w["as"][who],
                applicant={"name": "Nguyễn Văn An" if online else "Phan Thị Bích"},
                data={"subject": "x"},
                channel="truc_tuyen" if online else "truc_tiep",
            )
        )
        self.dossiers.append(Model(d.id, proc))

    @initialize(
        dossiers=st.lists(
            st.tuples(st.sampled_from((PROC, PROC_PAUSE, PROC_SUSPEND)), st.booleans()),
            min_size=1,
            max_size=3,
        )
    )
    def open_dossiers(self, dossiers):
        for proc, online in dossiers:
            self._create(proc, online)

    # -- acting -------------------------------------------------------------------------------

    async def _all_snapshots(self) -> list[tuple]:
        return [await _snapshot(await service.get(m.id)) for m in self.dossiers]

    def _new_due(self, m: Model, pick: int) -> datetime:
        """An apology's new date: some working hours after the current due (within the cap mostly)."""
        current = m.extended or m.due or self.now
        base = max(current, self.now)
        return deadlines.add_working_minutes(self.cal, self.ses, base, 60 * (1 + pick))

    @rule(
        which=st.integers(0, 2),
        action=st.sampled_from(ACTIONS),
        person=st.sampled_from(PEOPLE),
        pick=st.integers(0, 7),
        with_reason=st.sampled_from((True, True, True, False)),
        guided=st.sampled_from((True, True, True, False)),
        minutes=TIME_STEPS,
    )
    def act(self, which, action, person, pick, with_reason, guided, minutes):
        """Time passes, then someone acts on one of the dossiers (or the clock scan runs)."""
        self.now += timedelta(minutes=minutes)
        if action == "scan":
            self.clock_scan()
            return
        w = self.world
        m = self.dossiers[which % len(self.dossiers)]
        d = self.run(service.get(m.id))
        if guided:  # mostly an action the table allows now (by anyone), so runs get deep into the route
            allowed = [a for a in actions_from(d.state) if a in ACTIONS]
            forward = [a for a in allowed if a in FORWARD]
            choice = forward if forward and pick < 4 else allowed
            action = choice[pick % len(choice)] if choice else action
        active = d.active_steps()
        step = active[pick % len(active)] if active else None
        if guided and pick < 4:
            action = _natural(d, step, action)
        who = _who(w, d, action, person, step)
        params = _params(action, d, pick)
        if action == "apologise":
            params = {"new_due": self._new_due(m, pick)}
        before = self.run(self._all_snapshots())
        try:
            after = self.run(
                service.act(
                    d.id,
                    action,
                    actor=w["as"][who],
                    version=d.version,
                    step_id=step.id if step else None,
                    note="Lý do ghi trên phiếu" if with_reason else "",
                    **params,
                )
            )
        except MotcuaError:
            assert self.run(self._all_snapshots()) == before, f"refused {action} by {who} changed something"
            return
        now = self.run(self._all_snapshots())
        others = [_own(s) for o, s in zip(self.dossiers, before, strict=True) if o is not m]
        now_others = [_own(s) for o, s in zip(self.dossiers, now, strict=True) if o is not m]
        assert now_others == others, f"{action} on dossier {m.id} changed another dossier"
        assert after.version == d.version + 1
        ev = self.run(service.events(d.id, since_version=d.version))
        assert len(ev) == 1 and ev[0].action == action and ev[0].from_state == d.state
        assert ev[0].to_state == after.state and ev[0].actor_id == w["as"][who].id
        assert timing.as_utc(ev[0].at) == self.now, "the event is stamped with the engine's clock"
        self.run(_check_chain(after))
        self._expect(m, d, after, action, params)
        self._dues_agree_with_the_clock(m)

    def clock_scan(self):
        before = {m.id: self.run(service.get(m.id)) for m in self.dossiers}
        summary = self.run(clockscan.scan(self.now))
        assert not summary.errors, summary.errors
        for m in self.dossiers:
            d, after = before[m.id], self.run(service.get(m.id))
            touched = (m.id in summary.flagged_late) + (m.id in summary.closed)
            assert after.version == d.version + touched, "one event per system action, none for the others"
            if m.id in summary.flagged_late:
                assert d.state in WORK and not d.late and after.late
                assert (after.extended_due_at or after.due_at) < self.now, "late only once the due passed"
            if m.id in summary.closed:
                assert d.state == "supplement_requested" and after.state == "closed"
                m.pauses.clear()
            self.run(_check_chain(after))
            self._dues_agree_with_the_clock(m)

    # -- the model of the clock ---------------------------------------------------------------

    def _shift(self, m: Model, closed: list[datetime]) -> None:
        """Pauses that started at ``closed`` end now: the dues move by the longest one's working time,
        unless already behind the clock when it stopped."""
        if not closed:
            return
        minutes = max(int(deadlines.working_minutes_between(self.cal, self.ses, s, self.now)) for s in closed)
        since = min(closed)
        if minutes <= 0:
            return
        for name in ("due", "extended"):
            value = getattr(m, name)
            if value is not None and value > since:
                setattr(m, name, deadlines.add_working_minutes(self.cal, self.ses, value, minutes))

    def _restart(self, m: Model) -> None:
        m.due = deadlines.due_for(self.cal, self.ses, self.now, 5, CUTOFF).due
        m.extended = None

    def _expect(self, m: Model, d, after, action: str, params: dict) -> None:
        policy = "pause" if m.proc == PROC_PAUSE else "restart"
        if action == "receive":
            days = 3 if m.proc == PROC_SUSPEND else 5
            m.due = deadlines.due_for(self.cal, self.ses, self.now, days, CUTOFF).due
        elif action == "request_supplement" and d.state in WORK and policy == "pause" or action == "suspend":
            m.pauses.append(self.now)
        elif action in ("resume",) or (action == "resubmit" and after.state in WORK and policy == "pause"):
            closed, m.pauses = m.pauses, []
            self._shift(m, closed)
        elif action == "resubmit" and after.state in WORK:
            self._restart(m)
        elif action == "apologise":
            m.extended = timing.as_utc(params["new_due"])
        elif action in ("stop", "refuse_intake", "reject", "return_result"):
            m.pauses.clear()

    def _dues_agree_with_the_clock(self, m: Model) -> None:
        """After every change of ``m``'s dossier (nothing else moves its dues: time alone does not)."""
        d = self.run(service.get(m.id))
        for due in (d.due_at, *(s.due_at for s in d.active_steps())):
            if due is not None:
                self._inside_a_session(due, d)
        if d.state in {State.RECEIVED, State.IN_PROCESSING, State.SUSPENDED}:
            assert d.due_at is not None, "a received dossier has a due"
        if m.proc not in MODELLED or m.due is None:
            return
        assert _aware(d.due_at) == m.due, f"due of {d.code} ({d.state}): {d.due_at} != {m.due}"
        assert _aware(d.extended_due_at) == m.extended, f"extended due of {d.code}"

    def _inside_a_session(self, due: datetime, d) -> None:
        local = timing.as_utc(due).astimezone(timing.VN_TZ)
        sessions = self.ses.on(self.cal, local.date())
        assert any(a <= local <= b for a, b in sessions), (
            f"due {local:%a %d/%m/%Y %H:%M} of {d.code} ({d.state}) is outside the working sessions"
        )


async def test_lifecycle_state_machine(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    w["key_of"] = {w["tree"][k]["id"]: k for k in ("ward", "tax", "police", "commune")}
    LifecycleMachine.world = w
    await asyncio.to_thread(
        run_state_machine_as_test,
        LifecycleMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=PHASES,
        ),
    )
    assert await DossierEvent.count() >= EXAMPLES, "every run created its dossiers"
