"""The transition table: well-formed, closed over the states, and a property test that random
action sequences never leave the defined states."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.dossiers import states
from core.dossiers.states import ACTIONS, FINAL_STATES, TRANSITIONS, State, actions_from, transition


def test_every_target_and_source_is_a_state():
    for t in TRANSITIONS:
        assert t.frm and t.to
        assert all(isinstance(s, State) for s in (*t.frm, *t.to))
        assert t.who, f"{t.action} names nobody who may do it"


def test_final_states_have_no_way_out():
    for s in FINAL_STATES:
        assert actions_from(s) == []


def test_every_state_is_reachable_from_draft():
    seen, todo = {State.DRAFT}, [State.DRAFT]
    while todo:
        s = todo.pop()
        for a in actions_from(s):
            for target in transition(s, a).to:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    assert seen == set(State)


def test_stop_only_before_a_decision():
    assert transition("in_processing", "stop") is not None
    for s in ("result_approved", "result_refused", "result_ready", "returned"):
        assert transition(s, "stop") is None


def test_refusals_and_supplements_need_reasons():
    for action in ("refuse_intake", "request_supplement", "reject", "return_step", "stop", "apologise"):
        assert all(t.reason_required for t in TRANSITIONS if t.action == action), action


def test_unknown_state_or_action_is_not_allowed():
    assert transition("nonsense", "submit") is None
    assert transition("draft", "nonsense") is None


def test_every_action_and_state_has_a_label():
    assert set(states.STATE_LABELS) == {s.value for s in State}
    assert set(ACTIONS) <= set(states.ACTION_LABELS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=5)), max_size=40))
def test_random_sequences_stay_in_defined_states(steps):
    """Apply random actions to a model dossier: an allowed action moves to one of its declared
    targets, a refused one changes nothing; events = successful actions."""
    state, events = State.DRAFT, 0
    for action, pick in steps:
        t = transition(state, action)
        if t is None:
            continue
        state = t.to[pick % len(t.to)]
        events += 1
        assert state in set(State)
        assert state not in FINAL_STATES or actions_from(state) == []
    assert events <= len(steps)


def test_no_dead_ends_every_open_state_can_still_finish():
    """From every state a dossier can be in, some path leads to a final state (nothing gets stuck)."""
    for start in State:
        seen, todo = {start}, [start]
        while todo:
            s = todo.pop()
            for a in actions_from(s):
                for target in transition(s, a).to:
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
        assert seen & FINAL_STATES, f"{start} can never finish"


def test_system_actions_are_only_the_systems():
    """The clock scan's actions are not for people, and people's actions are never done by the system."""
    for t in TRANSITIONS:
        if t.action in ("close_unanswered", "flag_late"):
            assert t.who == ("system",)
        else:
            assert "system" not in t.who, t.action
