"""The civil-status panel on a dossier's page (staff): what the dossier wrote into the books and
the linked agencies' results, by public identifier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.api import L, Panel
from plugins.civil_status import procedures
from plugins.civil_status.registry import BOOK_NAMES
from plugins.civil_status.tables import CivilEntry, LinkedResult

__all__ = ("panels",)


async def panels(dossier: Mapping[str, Any], user: Any) -> list[Panel]:
    """One panel for civil-status dossiers seen by staff; nothing for others."""
    if dossier.get("procedure_code") not in procedures.CODES or not dossier.get("code"):
        return []
    if user is None or not getattr(user, "is_staff", False):
        return []
    entries = await CivilEntry.select(
        CivilEntry.id,
        CivilEntry.kind,
        CivilEntry.entry_number,
        CivilEntry.book.number.as_alias("book_number"),
        CivilEntry.registered_on,
        CivilEntry.status,
    ).where(CivilEntry.dossier_code == dossier["code"])
    linked = await LinkedResult.select(LinkedResult.kind, LinkedResult.number, LinkedResult.issued_on).where(
        LinkedResult.dossier_code == dossier["code"]
    )
    for e in entries:
        e["book_name"] = BOOK_NAMES.get(e["kind"], "")
    return [
        Panel(
            title=L("Sổ hộ tịch", "Civil-status books"),
            template="civil_status/panel.html",
            context={"entries": entries, "linked": linked},
            order=50,
        )
    ]
