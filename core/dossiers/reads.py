"""Who read a citizen's dossier, when, and why: the access log personal-data law asks for.

Decree 13/2023/NĐ-CP on personal data protection makes the controller able to show who processed a
person's data. Registry records already write ``registry_personal_read`` (``core.registries.access``);
this module does the same for dossiers. The read rule (``core.dossiers.access``) *notes* each dossier
that a staff member — not its applicant — is allowed to read while a request runs; once the response
has gone out with a 2xx status, the web layer *writes* the notes (``core.web.personal_data``): a refused
or failed request read nothing. Only reads are logged here (GET, HEAD): every change of a dossier is
already an event and an audit entry of its own.

Each read is one ``dossier_personal_read`` entry on the hash-chained audit log of the agency through
which it was allowed (the agency of a step the reader's role is at, else the receiving agency; the
``global`` chain for a province administrator), with the route, the path, the reader's roles there and
the reason. The same person reading the same dossier through the same route within
``REPEAT_MINUTES`` writes one entry (a page that polls its document list is one read).
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = (
    "Read",
    "READ_ACTION",
    "ACTIONS",
    "REPEAT_MINUTES",
    "collecting",
    "start",
    "stop",
    "note",
    "write",
)

READ_ACTION = "dossier_personal_read"
ACTIONS: tuple[str, ...] = (READ_ACTION, "registry_personal_read", "registry_personal_list")
"""Audit actions that record a read of personal data (the province administrator's read log)."""
REPEAT_MINUTES = 10


@dataclass(frozen=True, slots=True)
class Read:
    """One dossier a staff member was allowed to read in this request."""

    actor_id: int
    dossier: str
    """The dossier's code (its id while it is a draft)."""
    agency_id: int | None
    """The agency through which the read was allowed; None for a province administrator."""
    roles: tuple[str, ...]
    """The reader's roles at that agency (``("province_admin",)`` for a province administrator)."""
    reason: str
    """``step`` (a step of the route is at the reader's agency), ``receiving`` (the agency that
    received the dossier) or ``province_admin``."""


_notes: contextvars.ContextVar[list[Read] | None] = contextvars.ContextVar(
    "motcua_dossier_reads", default=None
)


def start() -> tuple[list[Read], contextvars.Token]:
    """Begin collecting the reads of one request; ``stop(token)`` when it is over."""
    bucket: list[Read] = []
    return bucket, _notes.set(bucket)


def stop(token: contextvars.Token) -> None:
    _notes.reset(token)


def collecting() -> bool:
    """Whether a request that logs reads is running (a GET through the web app)."""
    return _notes.get() is not None


def note(user: Any, dossier: str | int, receiving_agency: int, step_agencies: Iterable[int]) -> None:
    """Note that ``user`` (already allowed by the read rule) reads the dossier; nothing for its
    applicant (their own data) or outside a request that logs reads (jobs, the command line)."""
    bucket = _notes.get()
    if bucket is None or user is None or not user.is_staff:
        return
    steps = set(step_agencies)
    held = sorted({(a, r) for a, r in user.grants if r != "citizen" and a in steps})
    at_desk = sorted({(a, r) for a, r in user.grants if r != "citizen" and a == receiving_agency})
    read: Read
    if held:
        agency = held[0][0]
        read = Read(user.id, str(dossier), agency, tuple(r for a, r in held if a == agency), "step")
    elif at_desk:
        read = Read(user.id, str(dossier), receiving_agency, tuple(r for _, r in at_desk), "receiving")
    elif "province_admin" in user.roles:
        read = Read(user.id, str(dossier), None, ("province_admin",), "province_admin")
    else:
        return
    if read not in bucket:
        bucket.append(read)


async def _recent(read: Read, route: str, since: datetime) -> bool:
    from core.audit.tables import AuditEntry

    rows = await AuditEntry.select(AuditEntry.data).where(
        (AuditEntry.object_type == "dossier")
        & (AuditEntry.object_id == read.dossier[:64])
        & (AuditEntry.action == READ_ACTION)
        & (AuditEntry.actor_id == read.actor_id)
        & (AuditEntry.at >= since)
    )
    for row in rows:
        data = row["data"]
        if isinstance(data, str):
            data = json.loads(data or "{}")
        if data.get("route") == route:
            return True
    return False


async def write(reads: Iterable[Read], *, route: str, path: str) -> int:
    """Write the noted reads of one answered request; returns how many entries were appended."""
    from core.audit import chain
    from core.identity.tables import Agency

    reads = list(reads)
    if not reads:
        return 0
    ids = {r.agency_id for r in reads if r.agency_id is not None}
    codes = (
        {
            a["id"]: a["code"]
            for a in await Agency.select(Agency.id, Agency.code).where(Agency.id.is_in(list(ids)))
        }
        if ids
        else {}
    )
    since = datetime.now(UTC) - timedelta(minutes=REPEAT_MINUTES)
    written = 0
    for read in reads:
        if await _recent(read, route, since):
            continue
        code = codes.get(read.agency_id) if read.agency_id is not None else None
        await chain.append(
            READ_ACTION,
            chain=f"agency:{code}" if code else "global",
            actor_id=read.actor_id,
            object_type="dossier",
            object_id=read.dossier[:64],
            data={
                "route": route[:100],
                "path": path[:200],
                "agency": code or "",
                "roles": list(read.roles),
                "reason": read.reason,
            },
        )
        written += 1
    return written
