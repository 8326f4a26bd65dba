"""The public progress board of one agency (``/bang-theo-doi``): its dossiers in progress by code, with
no personal data — the procedure, the state, the due date, a colour (green on time, yellow at most one
working day left, red overdue) and, for each red one, the agency holding it now.

Three queries whatever the number of dossiers: the agency, its open dossiers, their active steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.catalogue.registry import get_catalogue
from core.contract.errors import NotFound
from core.dossiers import states, timing
from core.dossiers.engine import utcnow
from core.dossiers.tables import Dossier, DossierStep
from core.identity.tables import Agency

__all__ = ("BoardRow", "Board", "agency_board", "board_agencies", "MAX_ROWS")

MAX_ROWS = 500
"""The most dossiers a board shows (the oldest due first); a bigger agency sees a note instead."""
_ORDER = {"red": 0, "yellow": 1, "green": 2, None: 3}


@dataclass(frozen=True, slots=True)
class BoardRow:
    code: str
    procedure: str
    """The procedure's name (Vietnamese: a legal name is data)."""
    state: str
    due_at: datetime | None
    colour: str | None
    holder: str
    """The agency holding the dossier now (its active step's, else the receiving agency)."""


@dataclass(frozen=True, slots=True)
class Board:
    agency_code: str
    agency_name: str
    rows: list[BoardRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    at: datetime | None = None


async def board_agencies() -> list[dict]:
    """Active agencies that receive dossiers (any dossier ever), by code: the board's index."""
    receiving = Dossier.select(Dossier.receiving_agency).where(Dossier.state.is_in(_open_states()))
    return (
        await Agency.select(Agency.code, Agency.name)
        .where(Agency.active.eq(True) & Agency.id.is_in(receiving))
        .order_by(Agency.code)
    )


def _open_states() -> list[str]:
    return sorted(s.value for s in states.OPEN_STATES)


async def agency_board(agency_code: str, *, now: datetime | None = None) -> Board:
    """The board of the agency ``agency_code`` (case-insensitive).

    Raises:
        NotFound: no active agency with this code.
    """
    agency = (
        await Agency.select(Agency.id, Agency.code, Agency.name, Agency.work_sessions)
        .where((Agency.code == agency_code.strip().upper()) & Agency.active.eq(True))
        .first()
    )
    if agency is None:
        raise NotFound("Không có cơ quan mang mã này.")
    now = now or utcnow()
    rows = (
        await Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.procedure_code,
            Dossier.state,
            Dossier.due_at,
            Dossier.extended_due_at,
            Dossier.late,
        )
        .where(
            (Dossier.receiving_agency == agency["id"])
            & Dossier.state.is_in(_open_states())
            & Dossier.code.is_not_null()
        )
        .order_by(Dossier.due_at)
        .limit(MAX_ROWS + 1)
    )
    truncated = len(rows) > MAX_ROWS
    rows = rows[:MAX_ROWS]
    holders: dict[int, list[str]] = {}
    if rows:
        steps = await DossierStep.select(DossierStep.dossier, DossierStep.agency.name).where(
            DossierStep.dossier.is_in([r["id"] for r in rows]) & (DossierStep.status == "active")
        )
        for s in steps:
            names = holders.setdefault(s["dossier"], [])
            if s["agency.name"] not in names:
                names.append(s["agency.name"])
    cal = await timing.calendar()
    catalogue = get_catalogue()
    out: list[BoardRow] = []
    for r in rows:
        due = r["extended_due_at"] or r["due_at"]
        colour = "red" if r["late"] else timing.colour(cal, agency["work_sessions"], now, due)
        proc = catalogue.procedure(r["procedure_code"])
        out.append(
            BoardRow(
                code=r["code"],
                procedure=proc.name.vi if proc else r["procedure_code"],
                state=r["state"],
                due_at=due,
                colour=colour,
                holder=", ".join(holders.get(r["id"], [])) or agency["name"],
            )
        )
    out.sort(key=lambda b: (_ORDER.get(b.colour, 3), b.due_at or now))
    counts = {c: sum(1 for b in out if b.colour == c) for c in ("green", "yellow", "red")}
    return Board(agency["code"], agency["name"], out, counts, truncated, now)
