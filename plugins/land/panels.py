"""The land panel on a dossier's page: the parcel's registry record and the indicative financial
obligation of a transfer (what the tax notice will ask the payer to pay to the treasury)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.api import L, Panel
from plugins.land import procedures
from plugins.land.fees import estimate_obligations
from plugins.land.registry import find_parcel, valid_certificate_of
from plugins.land.validation import area_vi

__all__ = ("panels",)


async def panels(dossier: Mapping[str, Any], user: Any) -> list[Panel]:
    """One panel for land dossiers seen by staff; nothing for others."""
    if dossier.get("procedure_code") not in procedures.CODES:
        return []
    if user is None or not getattr(user, "is_staff", False):
        return []
    data = dossier.get("data") or {}
    parcel = await find_parcel(data)
    cert = await valid_certificate_of(parcel["id"]) if parcel else None
    ctx = {
        "parcel": ({**parcel, "area_text": area_vi(parcel["area"])} if parcel else None),
        "serial": cert["serial"] if cert else "",
        "obligations": estimate_obligations(dossier["procedure_code"], data),
    }
    return [
        Panel(
            title=L("Thửa đất trong cơ sở dữ liệu địa chính", "Parcel in the land registry"),
            template="land/panel.html",
            context=ctx,
            order=50,
        )
    ]
