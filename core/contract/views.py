"""Read models handed to templates, plugins and the JSON API (never database rows): dossiers, their
steps and events, the signed-in user, registry records; and the shapes hooks receive.

``DossierView.as_dict()`` (a ``DossierData``) is what hooks receive (``on_dossier_event``,
``assign_step``, ``dossier_panels``, ``ResultDocumentSpec.issue`` as ``ctx["dossier"]``);
``public_dict()`` is what anonymous status look-ups see: no personal data.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol, TypedDict, cast

from core.contract.specs import AgencyRef, ProcedureSpec

__all__ = (
    "AgencyBrief",
    "StepView",
    "EventView",
    "DossierView",
    "load_json",
    "UserView",
    "RecordView",
    "KeeperScope",
    "AgencyBriefData",
    "StepData",
    "DossierData",
    "EventData",
    "AccountEvent",
    "AgencyDirectory",
    "ApplicationContext",
    "AssignContext",
    "FeeContext",
    "JobAttempt",
    "EventContext",
    "DemoContext",
    "TransitionView",
)


def load_json(value: Any) -> Any:
    """JSON columns come back as ``str`` on SQLite unless loaded; accept both."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True, slots=True)
class AgencyBrief:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class StepView:
    """A route step instantiated for a dossier."""

    id: int
    stage: int
    step_id: str
    name: str
    """Step name (Vietnamese label of the procedure's route)."""
    name_en: str
    agency: AgencyBrief
    role: str
    status: str
    """``waiting``, ``active``, ``done``, ``returned``, ``cancelled``."""
    budget_minutes: int
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    """``early`` / ``on_time`` / ``late`` once done."""
    suspends_for: str | None = None
    outcomes: tuple[str, ...] = ()
    colour: str | None = None
    """``green`` / ``yellow`` / ``red`` for active steps."""
    results: tuple[str, ...] = ()
    """Result documents this step issues when it completes (its ``StepSpec.results``)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EventView:
    """One committed transition."""

    id: int
    dossier_id: int
    seq: int
    action: str
    from_state: str
    to_state: str
    actor_id: int | None
    actor_name: str
    agency_id: int | None
    agency_name: str
    step_id: str | None
    note: str
    data: dict[str, Any]
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DossierView:
    """The dossier as everyone outside the service sees it."""

    id: int
    code: str | None
    procedure_code: str
    domain: str
    procedure_version_id: int | None
    state: str
    version: int
    receiving_agency: AgencyBrief
    applicant_id: int | None
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    data: dict[str, Any]
    channel: str
    result_channel: str
    submitted_at: datetime | None
    received_at: datetime | None
    clock_start_at: datetime | None
    due_at: datetime | None
    appointment1_at: datetime | None
    extended_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    late: bool
    late_agency_id: int | None
    late_step: str | None
    parent_dossier_id: int | None
    created_at: datetime
    updated_at: datetime
    steps: tuple[StepView, ...] = field(default_factory=tuple)
    colour: str | None = None
    lookup_key: str = ""
    """The secret printed on the receipt and carried by its QR: with the code, it opens the public
    status page to someone not signed in (R36). Never in ``public_dict``."""

    @property
    def appointment_at(self) -> datetime | None:
        """The date the applicant was promised (the new one after an apology)."""
        return self.extended_due_at or self.due_at

    def active_steps(self) -> list[StepView]:
        return [s for s in self.steps if s.status == "active"]

    def as_dict(self) -> DossierData:
        d = asdict(self)
        d["appointment_at"] = self.appointment_at
        return cast("DossierData", d)

    def public_dict(self) -> dict[str, Any]:
        """What the public status page and API show: no names, numbers, addresses or answers."""
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "state": self.state,
            "receiving_agency": asdict(self.receiving_agency),
            "received_at": self.received_at,
            "appointment_at": self.appointment_at,
            "appointment1_at": self.appointment1_at,
            "finished_at": self.finished_at,
            "returned_at": self.returned_at,
            "late": self.late,
            "colour": self.colour,
            "steps": [
                {
                    "stage": s.stage,
                    "name": s.name,
                    "agency": s.agency.name,
                    "status": s.status,
                    "started_at": s.started_at,
                    "due_at": s.due_at,
                    "finished_at": s.finished_at,
                    "outcome": s.outcome,
                }
                for s in self.steps
            ],
        }


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    username: str
    full_name: str
    cccd: str | None
    phone: str
    email: str
    grants: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """``(agency_id, role)`` pairs."""
    agencies: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Agencies where the user holds a role: id → {code, name, level}."""
    identity_verified: bool = False
    """The CCCD, full name and birth date come from the national e-ID (VNeID) and cannot be edited:
    forms show them read-only."""
    birth_date: date | None = None
    """Date of birth as registered (or as verified by the e-ID)."""

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _, role in self.grants)

    def has_role(self, role: str, agency_id: int | None = None) -> bool:
        if agency_id is None:
            return role in self.roles
        return (agency_id, role) in self.grants

    def agencies_with(self, *roles: str) -> list[int]:
        return sorted({a for a, r in self.grants if r in roles})

    @property
    def is_staff(self) -> bool:
        return bool(self.roles - {"citizen"})


@dataclass(frozen=True, slots=True)
class RecordView:
    """What a page may show of one record."""

    record: dict[str, Any]
    """The whole record when ``personal``, else its public part (the personal paths removed)."""
    personal: bool
    """True when the viewer may see (and now has seen) the personal part."""
    reason: str = ""
    """``keeper`` (the viewer's agency keeps it), ``dossier`` (an active step needs it) or ``""``."""
    agency: AgencyRef | None = None
    """The viewer's agency through which the personal part was allowed."""
    dossier_code: str = ""
    """For ``dossier``: the dossier whose active step needs the record."""


@dataclass(frozen=True, slots=True)
class KeeperScope:
    """What a user keeps of a registry, for search pages that list personal data."""

    everything: bool
    """The user is staff of an agency of one of the registry's ``keeper_kinds``."""
    agencies: tuple[AgencyRef, ...] = ()
    """The user's staff agencies: records whose ``keeper`` is one of them are kept by the user."""

    @property
    def agency_ids(self) -> list[int]:
        return sorted(a.id for a in self.agencies)

    @property
    def agency_codes(self) -> list[str]:
        return sorted(a.code for a in self.agencies)

    def keeping(self, keeper: int | str | None) -> AgencyRef | None:
        """The user's agency that is ``keeper`` (an agency id or code), or None."""
        if keeper is None or isinstance(keeper, bool):
            return None
        by_id = isinstance(keeper, int)
        return next((a for a in self.agencies if (a.id if by_id else a.code) == keeper), None)

    def keeps(self, keeper: int | str | None) -> bool:
        """Whether a record kept by ``keeper`` (an agency id or code) is kept by the user."""
        return self.everything or self.keeping(keeper) is not None


@dataclass(frozen=True, slots=True)
class TransitionView:
    """One transition as the ``after_transition`` hook sees it: written (dossier, event, audit
    entry) but not yet committed; whatever the hook writes joins the same transaction."""

    dossier_id: int
    action: str
    """The action taken (``create``, ``receive``, ``complete_step`` …)."""
    from_state: str
    """The state before (``""`` for ``create``)."""
    to_state: str
    event_id: int
    """The ``DossierEvent`` row just written."""
    seq: int
    """The event's number, which is the dossier's new version."""
    at: datetime
    actor: Any
    """The acting user's view (``id``, ``has_role``), or None for the system."""
    agency_id: int | None
    """The agency on whose behalf the actor acted (the event's agency)."""
    step: str | None
    """The route step acted on (its id in the workflow), if any."""
    note: str
    params: dict[str, Any]
    """What the actor entered with the action, checked (``items``, ``channel``, ``receiver`` …)."""
    event_data: dict[str, Any]
    """The event's data as written."""
    dossier: dict[str, Any]
    """The dossier's columns after the change (``data``: the application's answers)."""
    procedure: ProcedureSpec
    """The dossier's procedure."""
    forms: tuple[tuple[str, dict[str, Any] | None], ...] = ()
    """Legal forms the action asks for: ``(form id, printed data or None)`` (``form01`` … ``form05``)."""
    results: tuple[tuple[str, dict[str, Any], str], ...] = ()
    """Result documents the action issued: ``(result id, printed data, template)``."""
    load_agency: Any = None
    """``await load_agency(agency_id)`` → the agency's row (cached for the transition)."""

    async def receiving_agency(self) -> AgencyRef:
        """The receiving agency as an ``AgencyRef`` (read at most once per transition)."""
        a = await self.load_agency(self.dossier["receiving_agency"])
        return AgencyRef(a["id"], a["code"], a["name"], a["level"], a["kind"])


# --- What hooks receive --------------------------------------------------------------------------------


class AgencyBriefData(TypedDict):
    """``AgencyBrief`` as a dict."""

    id: int
    code: str
    name: str


class StepData(TypedDict):
    """``StepView`` as a dict (``DossierData["steps"]``)."""

    id: int
    stage: int
    step_id: str
    name: str
    name_en: str
    agency: AgencyBriefData
    role: str
    status: str
    budget_minutes: int
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    suspends_for: str | None
    outcomes: tuple[str, ...]
    colour: str | None
    results: tuple[str, ...]


class DossierData(TypedDict):
    """A dossier as hooks receive it: ``DossierView.as_dict()``, plus ``appointment_at`` (the date the
    applicant was promised)."""

    id: int
    code: str | None
    procedure_code: str
    domain: str
    procedure_version_id: int | None
    state: str
    version: int
    receiving_agency: AgencyBriefData
    applicant_id: int | None
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    data: dict[str, Any]
    channel: str
    result_channel: str
    submitted_at: datetime | None
    received_at: datetime | None
    clock_start_at: datetime | None
    due_at: datetime | None
    appointment1_at: datetime | None
    extended_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    late: bool
    late_agency_id: int | None
    late_step: str | None
    parent_dossier_id: int | None
    created_at: datetime
    updated_at: datetime
    steps: tuple[StepData, ...]
    colour: str | None
    lookup_key: str
    appointment_at: datetime | None


class EventData(TypedDict):
    """A committed lifecycle event as ``on_dossier_event`` receives it."""

    id: int
    dossier_id: int
    seq: int
    action: str
    from_state: str
    to_state: str
    step: str | None
    """The step's id (also as ``step_id``)."""
    step_id: str | None
    note: str
    data: dict[str, Any]
    actor_id: int | None
    agency_id: int | None
    at: datetime


class AccountEvent(TypedDict, total=False):
    """An account event as ``on_account_event`` receives it."""

    action: Literal["registered", "registration_duplicate"]
    user_id: int
    username: str
    full_name: str
    email: str
    fields: list[str]
    """For ``registration_duplicate``: which of ``cccd``, ``email`` matched the existing account."""
    ip: str
    at: datetime
    agency_name: str
    """The province."""


class AgencyDirectory(Protocol):
    """The agency look-up ``assign_step`` receives as ``ctx["agencies"]`` (its answers may be awaitable)."""

    def by_id(self, agency_id: int) -> AgencyRef | None | Awaitable[AgencyRef | None]: ...

    def by_code(self, code: str) -> AgencyRef | None | Awaitable[AgencyRef | None]: ...

    def sector(self, kind: str, under: int | None = None) -> AgencyRef | None | Awaitable[AgencyRef | None]:
        """The sector agency of ``kind`` (``police``, ``tax``…), in the province ``under`` when given."""
        ...

    def ancestor(self, agency_id: int, level: str) -> AgencyRef | None | Awaitable[AgencyRef | None]:
        """The agency's nearest ancestor (itself included) at ``level``."""
        ...


class ApplicationContext(TypedDict):
    """``ctx`` of ``validate_application``."""

    agency: AgencyRef | Mapping[str, Any] | None
    """The receiving agency."""
    user: UserView | None
    """The applicant, or None at the counter."""
    today: date
    """Today in Vietnam."""


class AssignContext(TypedDict):
    """``ctx`` of ``assign_step``."""

    agencies: AgencyDirectory


class FeeContext(TypedDict):
    """``ctx`` of ``compute_fee``."""

    fees: dict[str, int]
    """The province's fee amounts in force: ``{fee_code: amount}``."""
    channel: str
    """``counter``, ``post`` or ``online``."""
    today: date
    agency: AgencyRef | Mapping[str, Any] | None


class JobAttempt(TypedDict, total=False):
    outbox_id: int
    job_try: int


class EventContext(TypedDict):
    """``ctx`` of ``on_dossier_event``: the delivery attempt (core services come from ``core.api``)."""

    job: JobAttempt


class DemoContext(TypedDict):
    """``ctx`` of ``seed_demo_data``."""

    agencies: dict[str, AgencyRef]
    """``{code: AgencyRef}`` of the demo province."""
    users: dict[str, int]
    """``{username: user id}``."""
    today: date
