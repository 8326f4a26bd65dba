"""What the certificates print, read from the register (so a certificate issued after a change prints
the enterprise as it now stands) plus the answers of the dossier for what the register does not keep."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.api import amount_in_words
from plugins.business_reg.registry import TYPE_LABELS, active_people, as_int, line_rows, lines_of
from plugins.business_reg.tables import Business, BusinessHistory

__all__ = ("certificate", "commune_office")

_OWNER_HEADINGS = {
    "dntn": "Thông tin về chủ doanh nghiệp",
    "tnhh1": "Thông tin về chủ sở hữu",
}


def commune_office(agency_name: str) -> str:
    """The commune's business registration office (Decree 168/2025 Art. 14: the economic division of the
    commune People's Committee — "Phòng Kinh tế" in a commune, "Phòng Kinh tế, Hạ tầng và Đô thị" in a ward)."""
    return "Phòng Kinh tế, Hạ tầng và Đô thị" if "phường" in agency_name.lower() else "Phòng Kinh tế"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value or "")


async def certificate(business_id: int, *, data: dict[str, Any], agency: Any, today: date) -> dict[str, Any]:
    """The printed context of the household or enterprise certificate of ``business_id``."""
    row = await Business.select().where(Business.id == business_id).first()
    people = (await active_people([business_id]))[business_id]
    lines = (await lines_of([business_id]))[business_id]
    history = await BusinessHistory.select(BusinessHistory.change).where(
        BusinessHistory.business == business_id
    )
    changes = sum(1 for h in history if "registered" not in str(h["change"]))
    household = row["kind"] == "household"
    person = next((p for p in people if p["role"] in ("owner", "representative")), None) or {}
    prefix = "owner" if household else "rep"
    same = str(data.get(f"{prefix}_cccd") or data.get("new_rep_cccd") or "") == person.get("cccd")
    birth = person.get("birth_date") or (data.get(f"{prefix}_birth_date") if same else None)
    capital = int(row["charter_capital"] or 0)
    etype = row["enterprise_type"] or ""
    header = (
        {"parent_name": agency.name, "name": commune_office(agency.name)}
        if household
        else {"parent_name": "", "name": agency.name}
    )
    return {
        "number": row["code"],
        "kind": row["kind"],
        "enterprise_code": row["code"],
        "name": row["name"],
        "name_en": row["name_en"] or str(data.get("company_name_en") or ""),
        "type": TYPE_LABELS.get(etype, ""),
        "type_code": etype,
        "owner_heading": _OWNER_HEADINGS.get(etype, ""),
        "address": row["address"],
        "phone": row["phone"] or str(data.get("company_phone") or data.get("owner_phone") or ""),
        "email": row["email"] or str(data.get("company_email") or ""),
        "capital": capital,
        "capital_words": amount_in_words(capital),
        "capital_text": f"{capital:,}".replace(",", "."),
        "employees": row["employees"] or as_int(data.get("employees")) or 0,
        "lines": line_rows(lines),
        "person": {
            "name": person.get("full_name", ""),
            "cccd": person.get("cccd", ""),
            "birth_date": _iso(birth),
            "address": person.get("address") or (str(data.get(f"{prefix}_address") or "") if same else ""),
        },
        "registered_on": _iso(row["registered_on"]),
        "change_number": changes,
        "change_on": "",
        "issued_by": agency.name,
        "issue_date": today.isoformat(),
        "header_agency": header,
    }
