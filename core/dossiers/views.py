"""Read models of dossiers handed to templates, plugins and the JSON API (never database rows).

``DossierView.as_dict()`` is what hooks receive (``on_dossier_event``, ``assign_step``,
``ResultDocumentSpec.issue`` as ``ctx["dossier"]``); ``public_dict()`` is what anonymous status
look-ups see: no personal data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

__all__ = ("AgencyBrief", "StepView", "EventView", "DossierView", "load_json")


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

    @property
    def appointment_at(self) -> datetime | None:
        """The date the applicant was promised (the new one after an apology)."""
        return self.extended_due_at or self.due_at

    def active_steps(self) -> list[StepView]:
        return [s for s in self.steps if s.status == "active"]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["appointment_at"] = self.appointment_at
        return d

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
