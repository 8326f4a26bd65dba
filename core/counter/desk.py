"""The desk's look-ups: a returning applicant by CCCD, the dossiers waiting at the desk (online ones to
take in, results to hand back), and reading a scanned receipt (its QR holds the status address)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlparse

from piccolo.query.functions.aggregate import Count

from core.dossiers.tables import Dossier
from core.identity.cccd import normalise_cccd
from core.identity.tables import User

__all__ = ("returning_applicant", "waiting", "counts", "code_from_scan", "SCAN_MAX", "WAITING_LIMIT")

SCAN_MAX = 500
"""The most characters a scan may have (a status address with a long host)."""
WAITING_LIMIT = 200
"""Rows a desk list shows (oldest first): a desk never has more waiting at once in practice."""

RETURN_STATES = ("result_ready", "result_approved", "result_refused")
"""Results waiting at the desk: ready to hand back, or decided and not yet marked ready."""

_CODE = re.compile(r"[0-9A-Za-zĐđ.\-]{3,64}")


def code_from_scan(text: str) -> str | None:
    """The dossier code in what was typed or scanned: a bare code, or the receipt QR's status address
    (``https://…/tra-cuu/<code>`` or ``…/tra-cuu?ma=<code>``); None when it holds none."""
    text = (text or "").strip()[:SCAN_MAX]
    if not text:
        return None
    if "/" in text or "?" in text:
        url = urlparse(text)
        from urllib.parse import parse_qs

        query = parse_qs(url.query)
        for key in ("ma", "code", "q"):
            if query.get(key):
                candidate = query[key][0].strip()
                return candidate if _CODE.fullmatch(candidate) else None
        last = unquote(url.path.rstrip("/").rsplit("/", 1)[-1]).strip()
        return last if _CODE.fullmatch(last) else None
    return text if _CODE.fullmatch(text) else None


async def returning_applicant(cccd: str, agency_ids: list[int]) -> dict[str, str] | None:
    """The applicant's details from their last dossier at these agencies, else from their account.

    Returns:
        ``name``, ``id_number``, ``phone``, ``email``, ``address`` and ``source`` (``dossier`` or
        ``account``), or None when the number is unknown here.
    """
    number = normalise_cccd(cccd or "")
    if not number or not agency_ids:
        return None
    last = (
        await Dossier.select(
            Dossier.applicant_name,
            Dossier.applicant_phone,
            Dossier.applicant_email,
            Dossier.applicant_address,
        )
        .where((Dossier.applicant_id_number == number) & Dossier.receiving_agency.is_in(agency_ids))
        .order_by(Dossier.id, ascending=False)
        .first()
    )
    if last is not None:
        return {
            "name": last["applicant_name"],
            "id_number": number,
            "phone": last["applicant_phone"],
            "email": last["applicant_email"],
            "address": last["applicant_address"],
            "source": "dossier",
        }
    user = await User.select(User.full_name, User.phone, User.email).where(User.cccd == number).first()
    if user is None:
        return None
    return {
        "name": user["full_name"],
        "id_number": number,
        "phone": user["phone"] or "",
        "email": user["email"] or "",
        "address": "",
        "source": "account",
    }


async def waiting(
    agency_ids: list[int], states: tuple[str, ...], *, limit: int = WAITING_LIMIT
) -> list[dict]:
    """Dossiers at these agencies in these states, oldest first (one query, capped at ``limit``)."""
    if not agency_ids:
        return []
    return (
        await Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.procedure_code,
            Dossier.state,
            Dossier.applicant_name,
            Dossier.channel,
            Dossier.submitted_at,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.extended_due_at,
            Dossier.receiving_agency.name.as_alias("agency_name"),
        )
        .where(Dossier.receiving_agency.is_in(agency_ids) & Dossier.state.is_in(list(states)))
        .order_by(Dossier.id)
        .limit(limit)
    )


async def counts(agency_ids: list[int]) -> dict[str, int]:
    """How many dossiers wait at these agencies' desk: ``intake`` (online, submitted) and ``return``."""
    if not agency_ids:
        return {"intake": 0, "return": 0}
    rows = (
        await Dossier.select(Dossier.state, Count(Dossier.id).as_alias("n"))
        .where(
            Dossier.receiving_agency.is_in(agency_ids) & Dossier.state.is_in(["submitted", *RETURN_STATES])
        )
        .group_by(Dossier.state)
    )
    by_state = {r["state"]: r["n"] for r in rows}
    return {"intake": by_state.get("submitted", 0), "return": sum(by_state.get(s, 0) for s in RETURN_STATES)}
