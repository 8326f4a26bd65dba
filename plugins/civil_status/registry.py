"""The civil-status registry service: books, entry numbers allocated inside the caller's
transaction, conflict look-ups that return only public identifiers, and extracts.

Every writer here runs inside the caller's write transaction (the engine's approval/step
transaction, or ``write_tx()`` in the demo loader); nothing commits on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from core.api import L, RegistrySpec
from plugins.civil_status.tables import CivilBook, CivilEntry, CivilExtract

__all__ = (
    "BOOK_NAMES",
    "EntryRef",
    "book_for",
    "next_number",
    "register",
    "issue_extract",
    "active_marriage",
    "death_entry",
    "end_marriages",
    "find",
    "REGISTRY",
)

BOOK_NAMES = {
    "birth": "Sổ đăng ký khai sinh",
    "marriage": "Sổ đăng ký kết hôn",
    "death": "Sổ đăng ký khai tử",
    "residence": "Sổ theo dõi đăng ký thường trú",
    "health_insurance": "Sổ theo dõi cấp thẻ bảo hiểm y tế",
}
_EXTRACT_PREFIX = {"birth": "TLKS", "marriage": "TLKH", "death": "TLKT"}


@dataclass(frozen=True, slots=True)
class EntryRef:
    """The public identifier of an entry: which book of which agency, which number."""

    id: int
    kind: str
    book_number: str
    entry_number: int
    agency_id: int

    def label(self) -> str:
        return f"{BOOK_NAMES.get(self.kind, 'Sổ')} quyển số {self.book_number}, số {self.entry_number}"


async def book_for(agency_id: int, agency_code: str, kind: str, year: int) -> dict[str, Any]:
    """The book of ``(agency, kind, year)``, opened on first use (race-safe on both engines)."""
    found = (
        await CivilBook.select()
        .where((CivilBook.agency_id == agency_id) & (CivilBook.kind == kind) & (CivilBook.year == year))
        .first()
    )
    if found:
        return found
    await CivilBook.insert(
        CivilBook(
            agency_id=agency_id,
            agency_code=agency_code,
            kind=kind,
            year=year,
            number=f"01/{year}",
            last_entry=0,
            last_extract=0,
            opened_at=datetime.now(UTC),
        )
    ).on_conflict(action="DO NOTHING")
    return (
        await CivilBook.select()
        .where((CivilBook.agency_id == agency_id) & (CivilBook.kind == kind) & (CivilBook.year == year))
        .first()
    )


async def next_number(book_id: int, column: str = "last_entry") -> int:
    """Increment a book counter and return the new value: the UPDATE locks the book row until the
    caller's transaction ends, so numbers are sequential and never handed out twice."""
    col = getattr(CivilBook, column)
    rows = await CivilBook.update({col: col + 1}).where(CivilBook.id == book_id).returning(col)
    return int(rows[0][column])


async def register(
    *,
    agency_id: int,
    agency_code: str,
    kind: str,
    day: date,
    event_date: date | None,
    person_name: str,
    person_cccd: str | None = None,
    partner_name: str = "",
    partner_cccd: str | None = None,
    dossier_code: str = "",
    data: dict | None = None,
    status: str = "active",
) -> tuple[EntryRef, dict[str, Any]]:
    """Write one entry into this year's book of the agency; returns its reference and the book row."""
    book = await book_for(agency_id, agency_code, kind, day.year)
    number = await next_number(book["id"])
    row = CivilEntry(
        book=book["id"],
        entry_number=number,
        kind=kind,
        agency_id=agency_id,
        registered_on=day,
        event_date=event_date,
        person_name=person_name,
        person_cccd=person_cccd or None,
        partner_name=partner_name,
        partner_cccd=partner_cccd or None,
        status=status,
        dossier_code=dossier_code,
        data=data or {},
        created_at=datetime.now(UTC),
    )
    await row.save()
    return EntryRef(row.id, kind, book["number"], number, agency_id), book


async def issue_extract(
    entry: EntryRef,
    book: dict[str, Any],
    *,
    day: date,
    kind: str = "original",
    copies: int = 1,
    dossier_code: str = "",
) -> str:
    """Allocate the next extract serial of the book and record the extract; returns its number
    (``<serial>/<year>/TLKS.<agency id>``: short enough for the header line, unique across agencies)."""
    serial = await next_number(book["id"], "last_extract")
    prefix = _EXTRACT_PREFIX.get(entry.kind, "TL")
    number = f"{serial}/{book['year']}/{prefix}.{entry.agency_id}"
    await CivilExtract(
        entry=entry.id, number=number, kind=kind, copies=copies, issued_on=day, dossier_code=dossier_code
    ).save()
    return number


async def _ref(row: dict[str, Any]) -> EntryRef:
    book = await CivilBook.select(CivilBook.number).where(CivilBook.id == row["book"]).first()
    return EntryRef(
        row["id"], row["kind"], book["number"] if book else "", row["entry_number"], row["agency_id"]
    )


async def active_marriage(cccd: str) -> EntryRef | None:
    """The marriage entry not dissolved nor ended by death in which ``cccd`` is a party, if any."""
    if not cccd:
        return None
    row = (
        await CivilEntry.select(
            CivilEntry.id, CivilEntry.book, CivilEntry.kind, CivilEntry.entry_number, CivilEntry.agency_id
        )
        .where(
            (CivilEntry.kind == "marriage")
            & (CivilEntry.status == "active")
            & ((CivilEntry.person_cccd == cccd) | (CivilEntry.partner_cccd == cccd))
        )
        .first()
    )
    return await _ref(row) if row else None


async def death_entry(cccd: str) -> EntryRef | None:
    """The death entry of ``cccd``, if the person's death is registered."""
    if not cccd:
        return None
    row = (
        await CivilEntry.select(
            CivilEntry.id, CivilEntry.book, CivilEntry.kind, CivilEntry.entry_number, CivilEntry.agency_id
        )
        .where((CivilEntry.kind == "death") & (CivilEntry.person_cccd == cccd))
        .first()
    )
    return await _ref(row) if row else None


async def end_marriages(cccd: str, *, day: date, by: str) -> int:
    """Mark every active marriage of ``cccd`` as ended by death; returns how many."""
    rows = (
        await CivilEntry.update(
            {CivilEntry.status: "ended_death", CivilEntry.ended_on: day, CivilEntry.ended_by: by}
        )
        .where(
            (CivilEntry.kind == "marriage")
            & (CivilEntry.status == "active")
            & ((CivilEntry.person_cccd == cccd) | (CivilEntry.partner_cccd == cccd))
        )
        .returning(CivilEntry.id)
    )
    return len(rows)


async def find(
    *,
    agency_id: int | None = None,
    kind: str | None = None,
    book_number: str | None = None,
    entry_number: int | None = None,
    cccd: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Entries matching the filters, newest first, with their book number (staff look-up)."""
    q = CivilEntry.select(
        CivilEntry.id,
        CivilEntry.kind,
        CivilEntry.entry_number,
        CivilEntry.book.number.as_alias("book_number"),
        CivilEntry.agency_id,
        CivilEntry.registered_on,
        CivilEntry.event_date,
        CivilEntry.person_name,
        CivilEntry.partner_name,
        CivilEntry.status,
        CivilEntry.ended_on,
        CivilEntry.dossier_code,
    )
    if agency_id is not None:
        q = q.where(CivilEntry.agency_id == agency_id)
    if kind:
        q = q.where(CivilEntry.kind == kind)
    if book_number:
        q = q.where(CivilEntry.book.number == book_number)
    if entry_number is not None:
        q = q.where(CivilEntry.entry_number == entry_number)
    if cccd:
        q = q.where((CivilEntry.person_cccd == cccd) | (CivilEntry.partner_cccd == cccd))
    return await q.order_by(CivilEntry.id, ascending=False).limit(limit)


def _dossier_codes(entry: Mapping[str, Any]) -> list[str]:
    codes = [entry.get("dossier_code")]
    codes += [x.get("dossier_code") for x in entry.get("extracts") or ()]
    codes += [x.get("dossier_code") for x in entry.get("linked") or ()]
    return [c for c in codes if c]


def _answers(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A death registration naming a party's ID number is about that party's entries (it ends a marriage)."""
    return [{"deceased_cccd": c} for c in (entry.get("person_cccd"), entry.get("partner_cccd")) if c]


REGISTRY = RegistrySpec(
    id="civil_status.entries",
    name=L("Sổ hộ tịch", "Civil-status books"),
    personal=("person_name", "partner_name", "person_cccd", "partner_cccd", "data"),
    key=lambda entry: str(entry["id"]),
    keeper=lambda entry: entry.get("agency_id"),
    dossier_codes=_dossier_codes,
    dossier_answers=_answers,
)
"""The civil-status books under core's personal-data rule: an entry is kept by the agency whose book
it is written in; the dossier that registered it (and those that issued its extracts or the linked
agencies' results: the police's residence, social insurance's card) is about it. The names, ID
numbers and registered details are personal; the book, the entry number, the dates and the status
are the public part."""
