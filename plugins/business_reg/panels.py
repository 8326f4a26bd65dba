"""The business-registration panel on a dossier's page, for staff: the name checked against the register
now, the code the tax step issued, and for a change the enterprise as registered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.api import L, Panel
from plugins.business_reg import procedures
from plugins.business_reg.registry import active_people, find_by_code, lines_of, public_record
from plugins.business_reg.tables import TaxCodeReservation
from plugins.business_reg.validation import name_clash

__all__ = ("panels",)


async def panels(dossier: Mapping[str, Any], user: Any) -> list[Panel]:
    """One panel for business dossiers seen by staff; nothing for others."""
    code = dossier.get("procedure_code")
    if code not in procedures.CODES or user is None or not getattr(user, "is_staff", False):
        return []
    data = dossier.get("data") or {}
    ctx: dict[str, Any] = {"procedure": code, "clash": None, "name": "", "tax_code": "", "record": None}
    if code == procedures.CHANGE:
        row = await find_by_code(str(data.get("enterprise_code") or ""))
        if row is not None:
            ctx["record"] = public_record(
                row, (await lines_of([row["id"]]))[row["id"]], (await active_people([row["id"]]))[row["id"]]
            )
    else:
        household = code == procedures.HOUSEHOLD
        ctx["name"] = str(data.get("business_name" if household else "company_name") or "")
        reserved = (
            await TaxCodeReservation.select(TaxCodeReservation.code)
            .where(TaxCodeReservation.dossier_code == (dossier.get("code") or ""))
            .first()
        )
        ctx["tax_code"] = reserved["code"] if reserved else ""
        if ctx["name"]:
            agency = dossier.get("receiving_agency") or {}
            agency_id = agency.get("id") if isinstance(agency, Mapping) else None
            clash = await name_clash(
                ctx["name"],
                kind="household" if household else "enterprise",
                agency_id=agency_id if household else None,
                exclude_code=ctx["tax_code"] or None,
            )
            ctx["clash"] = clash.message if clash else None
    return [
        Panel(
            title=L("Sổ đăng ký kinh doanh", "Business register"),
            template="business_reg/panel.html",
            context=ctx,
            order=50,
        )
    ]
