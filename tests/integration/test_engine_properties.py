"""Issue 3, property test of the state machine on a real database (both engines): random sequences of
actions by random (and by the right) people never reach a state the table does not allow, never lose
or invent an event, and a refused action changes nothing at all.

After every attempt: a success adds exactly one event (seq = new version) whose (from, action, to) is a
row of ``states.TRANSITIONS`` and one audit row; a refusal leaves the dossier, its steps, its events,
its audit rows and its outbox untouched. At the end: events == 1 + successes == version, the events
form an unbroken chain from ``draft`` to the current state, and the state agrees with the steps.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.audit import chain
from core.audit.tables import AuditEntry
from core.contract.errors import MotcuaError
from core.documents.tables import GeneratedDocument
from core.dossiers import service
from core.dossiers.states import FINAL_STATES, State, actions_from, transition
from core.dossiers.tables import DossierEvent, DossierStep, Suspension
from core.jobs.tables import Outbox
from tests.fixtures.engine_route import PROC, PROC_SUSPEND, actor, setup_route

ACTIONS = (
    ("submit",) * 2
    + ("receive",) * 3
    + ("complete_step",) * 6
    + ("approve",) * 3
    + ("mark_result_ready",) * 2
    + ("return_result",) * 2
    + ("request_supplement",) * 2
    + ("resubmit",) * 2
    + ("suspend",) * 2
    + ("resume",) * 2
    + ("return_step",) * 2
    + ("apologise", "refuse_intake", "stop", "reject")
)
"""Weighted towards the actions that move a dossier forward, so sequences reach the end of the route."""
FORWARD = (
    "submit",
    "receive",
    "resubmit",
    "resume",
    "complete_step",
    "approve",
    "mark_result_ready",
    "return_result",
)
PEOPLE = ("right",) * 24 + (
    "receiver",
    "ward_specialist",
    "ward_leader",
    "tax_specialist",
    "police_specialist",
    "tax_leader",
    "citizen",
    "commune_receiver",
)
"""``right``: whoever holds the role the action needs (so sequences get deep into the route)."""
ROLE_AT = {
    ("specialist", "ward"): "ward_specialist",
    ("approver", "ward"): "ward_leader",
    ("specialist", "tax"): "tax_specialist",
    ("approver", "tax"): "tax_leader",
    ("specialist", "police"): "police_specialist",
}


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    w["key_of"] = {w["tree"][k]["id"]: k for k in ("ward", "tax", "police", "commune")}
    return w


def _who(w, d, action: str, person: str, step) -> str:
    if person != "right":
        return person
    if (
        action in ("complete_step", "approve", "reject", "return_step", "suspend", "resume")
        and step is not None
    ):
        return ROLE_AT.get((step.role, w["key_of"][step.agency.id]), "receiver")
    if action == "request_supplement" and step is not None and d.state not in ("draft", "submitted"):
        return ROLE_AT.get((step.role, w["key_of"][step.agency.id]), "receiver")
    if action in ("submit", "resubmit", "stop") and d.applicant_id is not None:
        return "citizen"
    if action == "apologise":
        return "ward_leader"
    return "receiver"


def _params(action: str, d, flip: int) -> dict:
    if action == "return_result":
        return {"channel": "online", "receiver": {}}
    if action == "apologise":
        return {"new_due": (d.appointment_at or d.created_at) + timedelta(minutes=30 + flip)}
    if action == "suspend":
        return {"reason_code": ("appraisal", "public_posting", "tax_payment", "nonsense")[flip % 4]}
    if action == "request_supplement":
        return {"items": ["Bản sao giấy tờ"]}
    return {}


async def _snapshot(d) -> tuple:
    """Everything a refused action must leave untouched."""
    steps = (
        await DossierStep.select(DossierStep.id, DossierStep.status, DossierStep.due_at)
        .where(DossierStep.dossier == d.id)
        .order_by(DossierStep.id)
    )
    events = await DossierEvent.count().where(DossierEvent.dossier == d.id)
    audit = await AuditEntry.count()
    outbox = await Outbox.count()
    pauses = await Suspension.select(Suspension.id, Suspension.ended_at).where(Suspension.dossier == d.id)
    documents = await GeneratedDocument.count().where(GeneratedDocument.dossier == d.id)
    view = await service.get(d.id)
    return (
        view.state,
        view.version,
        view.due_at,
        view.extended_due_at,
        view.late,
        [tuple(s.values()) for s in steps],
        events,
        audit,
        outbox,
        [tuple(p.values()) for p in pauses],
        documents,
    )


async def _check_chain(d) -> None:
    events = await service.events(d.id)
    assert [e.seq for e in events] == list(range(1, d.version + 1)), "no event lost, none invented"
    assert events[0].action == "create" and events[0].to_state == "draft"
    for before, ev in itertools.pairwise(events):
        assert ev.from_state == before.to_state, f"event {ev.seq} does not follow from event {before.seq}"
        tr = transition(ev.from_state, ev.action)
        assert tr is not None and State(ev.to_state) in tr.to, (
            f"{ev.from_state} --{ev.action}--> {ev.to_state}"
        )
        assert State(before.to_state) not in FINAL_STATES, "nothing happens after a final state"
    assert events[-1].to_state == d.state
    # the state agrees with the route
    active = d.active_steps()
    if d.state in {s.value for s in FINAL_STATES} | {"result_approved", "result_refused", "result_ready"}:
        assert not active, f"{d.state} with active steps"
    if d.state == "in_processing":
        assert active, "in processing with no step holding the dossier"
    if d.state not in ("draft", "submitted", "supplement_requested", "refused", "stopped", "closed"):
        assert d.code and d.due_at and d.procedure_version_id


def _path(*steps):
    """An explicit script: (action, person, pick) with a reason, not guided."""
    return [(a, who, pick, True, False) for a, who, pick in steps]


HAPPY = _path(
    ("receive", "right", 0),
    ("complete_step", "right", 0),
    ("complete_step", "right", 0),
    ("complete_step", "right", 0),
    ("approve", "right", 0),
    ("mark_result_ready", "receiver", 0),
    ("return_result", "receiver", 0),
)
HAPPY_TAX = _path(
    ("receive", "right", 0),
    ("complete_step", "right", 0),
    ("complete_step", "right", 0),
    ("approve", "right", 0),
    ("mark_result_ready", "receiver", 0),
    ("return_result", "receiver", 0),
    ("stop", "citizen", 0),
)
WINDING = _path(
    ("submit", "right", 0),
    ("receive", "right", 0),
    ("complete_step", "right", 0),
    ("request_supplement", "right", 1),
    ("resubmit", "right", 0),
    ("suspend", "right", 0),
    ("complete_step", "tax_specialist", 0),
    ("resume", "right", 0),
    ("complete_step", "right", 0),
    ("complete_step", "right", 0),
    ("return_step", "right", 0),
    ("complete_step", "right", 0),
    ("complete_step", "right", 1),
    ("reject", "right", 0),
    ("stop", "citizen", 0),
    ("mark_result_ready", "receiver", 0),
    ("return_result", "receiver", 0),
)


@example(procedure=PROC, online=False, script=HAPPY)
@example(procedure=PROC_SUSPEND, online=False, script=HAPPY_TAX)
@example(procedure=PROC, online=True, script=WINDING)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    procedure=st.sampled_from((PROC, PROC_SUSPEND)),
    online=st.booleans(),
    script=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(PEOPLE),
            st.integers(0, 7),
            st.booleans(),
            st.sampled_from((True, True, True, False)),
        ),
        min_size=1,
        max_size=30,
    ),
)
async def test_random_action_sequences_keep_every_invariant(world, procedure, online, script):
    w = world
    if online:
        d = await service.create(
            procedure,
            w["tree"]["ward"]["id"],
            actor=w["as"]["citizen"],
            applicant={"name": "Nguyễn Văn An"},
            data={"subject": "x"},
            channel="truc_tuyen",
        )
    else:
        d = await service.create(
            procedure,
            w["tree"]["ward"]["id"],
            actor=w["as"]["receiver"],
            applicant={"name": "Phan Thị Bích"},
            data={"subject": "x"},
            channel="truc_tiep",
        )
    successes = 0
    for action, person, pick, with_reason, guided in script:
        if guided:  # mostly an action the table allows now (by anyone), so sequences get deep into the route
            allowed = [a for a in actions_from(d.state) if a in ACTIONS]
            forward = [a for a in allowed if a in FORWARD]
            choice = forward if forward and pick < 5 else allowed
            action = choice[pick % len(choice)] if choice else action
        active = d.active_steps()
        step = active[pick % len(active)] if active else None
        who = _who(w, d, action, person, step)
        before = await _snapshot(d)
        dispatched = await Outbox.count().where(Outbox.task == "dispatch_event")
        try:
            after = await service.act(
                d.id,
                action,
                actor=w["as"][who],
                version=d.version,
                step_id=step.id if step else None,
                note="Lý do ghi trên phiếu" if with_reason else "",
                **_params(action, d, pick),
            )
        except MotcuaError:
            assert await _snapshot(d) == before, f"refused {action} by {who} changed something"
            continue
        successes += 1
        assert after.version == d.version + 1
        ev = await service.events(d.id, since_version=d.version)
        assert len(ev) == 1 and ev[0].action == action and ev[0].from_state == d.state
        assert ev[0].to_state == after.state and ev[0].actor_id == w["as"][who].id
        assert await AuditEntry.count() == before[7] + 1, "one audit row per transition"
        assert await Outbox.count().where(Outbox.task == "dispatch_event") == dispatched + 1, "its outbox row"
        d = after
    d = await service.get(d.id)
    assert d.version == 1 + successes
    await _check_chain(d)
    assert await chain.verify_all() == []
