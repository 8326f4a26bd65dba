"""The dossier states and the one table of allowed transitions ("where is a transition allowed").

Pure data and pure functions: the service (``core.dossiers.service``) looks a transition up here,
checks the actor against ``who`` and picks the target among ``to`` from the dossier's situation.

``who`` entries:

* ``"<role>@receiving"``: the role held at the dossier's receiving agency;
* ``"<role>@desk"``: the same, only for a dossier the desk entered itself (at the counter or from
  the post: no citizen account owns it). A citizen's online draft is theirs until they submit it:
  nobody receives, refuses or asks a supplement of it, or submits it for them, before that;
* ``"step"``: the role of the acted-on step, held at the step's agency;
* ``"<role>@step"``: that role at the agency of an active step;
* ``"<role>@late"``: that role at the agency whose step overran (or, before any lateness was
  recorded, at the agency of an active step);
* ``"applicant"``: the dossier's applicant account;
* ``"system"``: the clock scan and other jobs (no actor).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = (
    "State",
    "Transition",
    "TRANSITIONS",
    "CREATE",
    "IMPORT_NATIONAL",
    "OPEN_STATES",
    "FINAL_STATES",
    "BEFORE_DECISION",
    "transition",
    "actions_from",
    "STATE_LABELS",
    "ACTION_LABELS",
    "CHANNEL_LABELS",
)


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    IN_PROCESSING = "in_processing"
    SUSPENDED = "suspended"
    RESULT_APPROVED = "result_approved"
    RESULT_REFUSED = "result_refused"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    STOPPED = "stopped"
    CLOSED = "closed"


S = State

FINAL_STATES: frozenset[State] = frozenset({S.REFUSED, S.RETURNED, S.STOPPED, S.CLOSED})
"""Nothing happens to a dossier after these."""

BEFORE_DECISION: frozenset[State] = frozenset(
    {S.SUBMITTED, S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING, S.SUSPENDED}
)
"""No decision or result notice issued yet: the applicant may still ask to stop (R27)."""

OPEN_STATES: frozenset[State] = frozenset({S.RECEIVED, S.IN_PROCESSING, S.SUSPENDED, S.SUPPLEMENT_REQUESTED})
"""Received and not yet decided: the clock concerns these."""

_WORK = frozenset({S.RECEIVED, S.IN_PROCESSING})
_STAY_BEFORE = (S.SUBMITTED, S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING, S.SUSPENDED)
"""Targets of the stop-request actions: the dossier stays where it was (``BEFORE_DECISION``)."""


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table: from any of ``frm``, ``action`` leads to one of ``to``."""

    frm: frozenset[State]
    action: str
    to: tuple[State, ...]
    """Possible targets; the service picks one (e.g. the last step's completion decides)."""
    who: tuple[str, ...]
    """Who may do it (any entry suffices); see the module docstring."""
    reason_required: bool = False
    """A note (reasons) is mandatory: refusals, supplements, returns, stops, suspensions."""


def _t(frm, action, to, who, reason=False) -> Transition:
    frm = frozenset(frm if isinstance(frm, (set, frozenset, tuple)) else {frm})
    to = tuple(to) if isinstance(to, tuple) else (to,)
    return Transition(frm, action, to, tuple(who), reason)


# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    #   from                                action               to                                         who                                   reason?
    _t(S.DRAFT,                             "submit",            S.SUBMITTED,                               ("applicant", "receiver@desk")),
    _t(S.DRAFT,                             "edit_draft",        S.DRAFT,                                   ("applicant",)),
    _t(S.SUBMITTED,                         "receive",           S.RECEIVED,                                ("receiver@receiving",)),
    _t(S.DRAFT,                             "receive",           S.RECEIVED,                                ("receiver@desk",)),
    _t(S.SUBMITTED,                         "request_supplement", S.SUPPLEMENT_REQUESTED,                   ("receiver@receiving", "approver@receiving"), True),
    _t(S.DRAFT,                             "request_supplement", S.SUPPLEMENT_REQUESTED,                   ("receiver@desk",),                 True),
    _t(S.SUBMITTED,                         "refuse_intake",     S.REFUSED,                                 ("receiver@receiving",),            True),
    _t(S.DRAFT,                             "refuse_intake",     S.REFUSED,                                 ("receiver@desk",),                 True),
    _t(_WORK,                               "request_supplement", S.SUPPLEMENT_REQUESTED,                   ("step", "approver@step"),          True),
    _t(S.SUPPLEMENT_REQUESTED,              "resubmit",          (S.SUBMITTED, S.RECEIVED, S.IN_PROCESSING), ("applicant", "receiver@receiving")),
    _t(S.SUPPLEMENT_REQUESTED,              "close_unanswered",  S.CLOSED,                                  ("system",)),
    _t(_WORK,                               "complete_step",     (S.IN_PROCESSING, S.RESULT_APPROVED),      ("step",)),
    _t(_WORK,                               "return_step",       S.IN_PROCESSING,                           ("step",),                          True),
    _t(_WORK,                               "approve",           (S.IN_PROCESSING, S.RESULT_APPROVED),      ("step",)),
    _t(_WORK,                               "reject",            S.RESULT_REFUSED,                          ("step",),                          True),
    _t(_WORK,                               "suspend",           S.SUSPENDED,                               ("step", "approver@step"),          True),
    _t(S.SUSPENDED,                         "resume",            (S.IN_PROCESSING, S.RECEIVED),             ("step", "approver@step")),
    _t({S.RESULT_APPROVED, S.RESULT_REFUSED}, "mark_result_ready", S.RESULT_READY,                         ("receiver@receiving",)),
    _t(S.RESULT_READY,                      "return_result",     S.RETURNED,                                ("receiver@receiving", "postal_agent@receiving")),
    _t(BEFORE_DECISION,                     "stop",              S.STOPPED,                                 ("approver@receiving", "receiver@receiving", "applicant"), True),
    _t(BEFORE_DECISION,                     "request_stop",      _STAY_BEFORE,                              ("applicant", "receiver@receiving"), True),
    _t(BEFORE_DECISION,                     "refuse_stop",       _STAY_BEFORE,                              ("approver@receiving",),            True),
    _t(OPEN_STATES,                         "apologise",         (S.RECEIVED, S.IN_PROCESSING, S.SUSPENDED, S.SUPPLEMENT_REQUESTED),
                                                                                                            ("approver@late",),                 True),
    _t(OPEN_STATES,                         "flag_late",         (S.RECEIVED, S.IN_PROCESSING, S.SUSPENDED, S.SUPPLEMENT_REQUESTED),
                                                                                                            ("system",)),
)
# fmt: on

CREATE = Transition(frozenset(), "create", (S.DRAFT,), ("applicant", "receiver@desk", "postal_agent@desk"))
"""Creating a dossier: from no state to a draft, by its applicant (online) or the desk (at the counter,
by post). Not in ``TRANSITIONS``: no dossier is ever in a state it starts from."""

IMPORT_NATIONAL = Transition(frozenset(), "import_national", (S.SUBMITTED,), ("system",))
"""A dossier submitted on the national public-service portal, pulled in by the sync job with the code
the portal gave it (R6): from no state to submitted, waiting for intake like any online dossier."""

_INDEX: dict[tuple[State, str], Transition] = {}
for _tr in TRANSITIONS:
    for _s in _tr.frm:
        if (_s, _tr.action) in _INDEX:
            raise RuntimeError(f"Two transitions for ({_s}, {_tr.action})")
        _INDEX[(_s, _tr.action)] = _tr

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))
"""Every action name, in table order."""


def transition(state: str, action: str) -> Transition | None:
    """The table row for ``action`` from ``state``, or None when it is not allowed there."""
    try:
        return _INDEX.get((State(state), action))
    except ValueError:
        return None


def actions_from(state: str) -> list[str]:
    """Actions the table allows from ``state`` (before role checks)."""
    return [a for a in ACTIONS if (State(state), a) in _INDEX]


def N_(message: str) -> str:
    """Mark a msgid for extraction; translated at render time."""
    return message


CHANNEL_LABELS: dict[str, str] = {
    "truc_tuyen": N_("Submitted online"),
    "truc_tiep": N_("Submitted at the counter"),
    "buu_chinh": N_("Submitted by post"),
}
"""How the dossier came in (the channel codes of ``core.dossiers.intake.CHANNELS``)."""

STATE_LABELS: dict[str, str] = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted, waiting for intake"),
    "received": N_("Received"),
    "supplement_requested": N_("Waiting for additional documents"),
    "refused": N_("Refused at intake"),
    "in_processing": N_("In processing"),
    "suspended": N_("Suspended"),
    "result_approved": N_("Result approved"),
    "result_refused": N_("Refused after appraisal"),
    "result_ready": N_("Result ready to collect"),
    "returned": N_("Result returned"),
    "stopped": N_("Stopped at the applicant's request"),
    "closed": N_("Closed (documents not supplied)"),
}

ACTION_LABELS: dict[str, str] = {
    "create": N_("Dossier created"),
    "import_national": N_("Received from the national public-service portal"),
    "submit": N_("Submit"),
    "edit_draft": N_("Draft answers saved"),
    "receive": N_("Receive"),
    "request_supplement": N_("Request additional documents"),
    "refuse_intake": N_("Refuse at intake"),
    "resubmit": N_("Documents supplied"),
    "close_unanswered": N_("Close (no answer)"),
    "complete_step": N_("Complete step"),
    "return_step": N_("Send back"),
    "approve": N_("Approve"),
    "reject": N_("Refuse"),
    "suspend": N_("Suspend"),
    "resume": N_("Resume"),
    "mark_result_ready": N_("Result ready"),
    "return_result": N_("Return result"),
    "stop": N_("Stop at applicant's request"),
    "request_stop": N_("Stop requested by the applicant"),
    "refuse_stop": N_("Refuse the stop request"),
    "apologise": N_("Apologise and set a new date"),
    "flag_late": N_("Flagged late"),
}
