"""Result documents and what issuing them writes into the registry.

Each ``issue(ctx)`` is awaited by core inside the transaction that approves the dossier (or
completes the step that produces the result): the entry number is allocated and the registry row
written in that transaction, so the registry and the dossier commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.api import Conflict, L, ResultDocumentSpec, load_json
from plugins.civil_status import registry
from plugins.civil_status.dates import as_date, fmt, vn_today
from plugins.civil_status.forms import GENDERS
from plugins.civil_status.tables import CivilEntry, CivilExtract, LinkedResult

__all__ = ("ALL", "issue_birth", "issue_marriage", "issue_death", "issue_residence", "issue_health_insurance")

_GENDER = {k: v.vi for k, v in GENDERS}


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _unpack(ctx: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], int, str, str, date]:
    dossier = ctx["dossier"]
    data = _get(dossier, "data") or {}
    data = load_json(data)
    agency = ctx.get("agency") or _get(dossier, "receiving_agency")
    today = as_date(ctx.get("today")) or vn_today()
    return (
        dict(dossier) if isinstance(dossier, Mapping) else dossier.as_dict(),
        data,
        int(_get(agency, "id")),
        str(_get(agency, "code", "")),
        str(_get(agency, "name", "")),
        today,
    )


def _copies(data: Mapping[str, Any]) -> int:
    try:
        return max(0, int(data.get("extract_copies") or 0))
    except (TypeError, ValueError):
        return 0


def _printed(
    ref: registry.EntryRef, book_id: int, extract: str, day: date, agency_name: str
) -> dict[str, Any]:
    return {
        "number": extract,
        "book_number": ref.book_number,
        "entry_number": ref.entry_number,
        "registry_ref": ref.label(),
        "book_id": book_id,
        "registered_on": fmt(day),
        "registering_agency": agency_name,
    }


def _parent(data: Mapping[str, Any], prefix: str) -> dict[str, str]:
    if prefix == "father" and data.get("father_known") != "co":
        return {}
    return {
        "name": data.get(f"{prefix}_full_name", ""),
        "birth_date": fmt(data.get(f"{prefix}_birth_date")),
        "cccd": data.get(f"{prefix}_cccd", ""),
        "ethnicity": data.get(f"{prefix}_ethnicity", ""),
        "residence": data.get(f"{prefix}_residence", ""),
    }


async def _already(dossier: Mapping[str, Any], kind: str, agency_name: str) -> dict[str, Any] | None:
    """The printed data of the entry this dossier already wrote (a step done again after a return):
    issuing is idempotent per dossier, the book never gets the same registration twice."""
    code = dossier.get("code") or ""
    if not code:
        return None
    row = (
        await CivilEntry.select(CivilEntry.all_columns(), CivilEntry.book.number.as_alias("book_number"))
        .where((CivilEntry.kind == kind) & (CivilEntry.dossier_code == code))
        .first()
    )
    if row is None:
        return None
    extract = (
        await CivilExtract.select().where(CivilExtract.entry == row["id"]).order_by(CivilExtract.id).first()
    )
    data = dict(load_json(row["data"]) or {})
    ref = registry.EntryRef(row["id"], kind, row["book_number"], row["entry_number"], row["agency_id"])
    day = row["registered_on"]
    return {
        **_printed(ref, row["book"], extract["number"] if extract else "", day, agency_name),
        **data,
        "title": _TITLES[kind],
        "copies": extract["copies"] if extract else 1,
    }


_TITLES = {
    "birth": "Trích lục khai sinh",
    "marriage": "Giấy chứng nhận kết hôn",
    "death": "Trích lục khai tử",
}


async def issue_birth(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Write the birth into this year's birth book of the registering commune; the original extract."""
    dossier, data, agency_id, agency_code, agency_name, today = _unpack(ctx)
    if (again := await _already(dossier, "birth", agency_name)) is not None:
        return again
    child = {
        "name": data.get("child_full_name", ""),
        "gender": _GENDER.get(data.get("child_gender", ""), ""),
        "birth_date": fmt(data.get("child_birth_date")),
        "birth_place": data.get("child_birth_place", ""),
        "ethnicity": data.get("child_ethnicity", ""),
        "nationality": data.get("child_nationality", ""),
        "hometown": data.get("child_hometown", ""),
    }
    printed = {"child": child, "mother": _parent(data, "mother"), "father": _parent(data, "father")}
    ref, book = await registry.register(
        agency_id=agency_id,
        agency_code=agency_code,
        kind="birth",
        day=today,
        event_date=as_date(data.get("child_birth_date")),
        person_name=child["name"],
        dossier_code=dossier.get("code") or "",
        data=printed,
    )
    extract = await registry.issue_extract(
        ref, book, day=today, dossier_code=dossier.get("code") or "", copies=1 + _copies(data)
    )
    return {
        **_printed(ref, book["id"], extract, today, agency_name),
        **printed,
        "title": "Trích lục khai sinh",
        "copies": 1 + _copies(data),
    }


async def issue_marriage(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Re-check both parties against the registry inside the transaction, then write the marriage."""
    dossier, data, agency_id, agency_code, agency_name, today = _unpack(ctx)
    if (again := await _already(dossier, "marriage", agency_name)) is not None:
        return again
    for who in ("husband", "wife"):
        cccd = str(data.get(f"{who}_cccd") or "")
        existing = await registry.active_marriage(cccd)
        if existing:
            side = "Bên nam" if who == "husband" else "Bên nữ"
            raise Conflict(
                f"{side} đang có quan hệ hôn nhân chưa chấm dứt theo {existing.label()}; "
                "không thể đăng ký kết hôn."
            )
    people = {
        who: {
            "name": data.get(f"{who}_full_name", ""),
            "birth_date": fmt(data.get(f"{who}_birth_date")),
            "cccd": data.get(f"{who}_cccd", ""),
            "ethnicity": data.get(f"{who}_ethnicity", ""),
            "nationality": data.get(f"{who}_nationality", ""),
            "residence": data.get(f"{who}_residence", ""),
        }
        for who in ("husband", "wife")
    }
    ref, book = await registry.register(
        agency_id=agency_id,
        agency_code=agency_code,
        kind="marriage",
        day=today,
        event_date=today,
        person_name=people["husband"]["name"],
        person_cccd=people["husband"]["cccd"],
        partner_name=people["wife"]["name"],
        partner_cccd=people["wife"]["cccd"],
        dossier_code=dossier.get("code") or "",
        data=people,
    )
    extract = await registry.issue_extract(
        ref, book, day=today, dossier_code=dossier.get("code") or "", copies=1 + _copies(data)
    )
    return {
        **_printed(ref, book["id"], extract, today, agency_name),
        **people,
        "title": "Giấy chứng nhận kết hôn",
        "copies": 1 + _copies(data),
    }


async def issue_death(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Write the death; every marriage of the deceased still active ends (for later checks)."""
    dossier, data, agency_id, agency_code, agency_name, today = _unpack(ctx)
    if (again := await _already(dossier, "death", agency_name)) is not None:
        return again
    cccd = str(data.get("deceased_cccd") or "")
    dead = await registry.death_entry(cccd)
    if dead:
        raise Conflict(f"Việc chết của người này đã được đăng ký ({dead.label()}).")
    deceased = {
        "name": data.get("deceased_full_name", ""),
        "gender": _GENDER.get(data.get("deceased_gender", ""), ""),
        "birth_date": fmt(data.get("deceased_birth_date")),
        "cccd": cccd,
        "ethnicity": data.get("deceased_ethnicity", ""),
        "nationality": data.get("deceased_nationality", ""),
        "residence": data.get("deceased_residence", ""),
    }
    death = {
        "date": fmt(data.get("death_date")),
        "time": data.get("death_time", ""),
        "place": data.get("death_place", ""),
        "cause": data.get("death_cause", ""),
        "notice_number": data.get("death_notice_number", ""),
    }
    printed = {"deceased": deceased, "death": death}
    ref, book = await registry.register(
        agency_id=agency_id,
        agency_code=agency_code,
        kind="death",
        day=today,
        event_date=as_date(data.get("death_date")),
        person_name=deceased["name"],
        person_cccd=cccd,
        dossier_code=dossier.get("code") or "",
        data=printed,
    )
    ended = await registry.end_marriages(cccd, day=as_date(data.get("death_date")) or today, by=ref.label())
    extract = await registry.issue_extract(
        ref, book, day=today, dossier_code=dossier.get("code") or "", copies=1 + _copies(data)
    )
    return {
        **_printed(ref, book["id"], extract, today, agency_name),
        **printed,
        "title": "Trích lục khai tử",
        "marriages_ended": ended,
        "copies": 1 + _copies(data),
    }


async def _birth_of(dossier_code: str) -> dict[str, Any] | None:
    return (
        await CivilEntry.select(CivilEntry.id, CivilEntry.person_name, CivilEntry.event_date)
        .where((CivilEntry.kind == "birth") & (CivilEntry.dossier_code == dossier_code))
        .first()
    )


async def _linked(
    ctx: Mapping[str, Any], kind: str
) -> tuple[dict, dict, int, str, str, date, dict | None, int]:
    dossier, data, agency_id, agency_code, agency_name, today = _unpack(ctx)
    code = dossier.get("code") or ""
    done = (
        await LinkedResult.select()
        .where((LinkedResult.kind == kind) & (LinkedResult.dossier_code == code))
        .first()
    )
    if done is not None:
        raise _Again(done)
    birth = await _birth_of(code)
    book = await registry.book_for(agency_id, agency_code, kind, today.year)
    serial = await registry.next_number(book["id"])
    return dossier, data, agency_id, agency_code, agency_name, today, birth, serial


def _issuer_header(ctx: Mapping[str, Any]) -> dict[str, str]:
    """The linked results are issued and signed by the police and social insurance, not by the
    commune that received the dossier: their name heads the document."""
    return {"name": _unpack(ctx)[4], "parent_name": ""}


class _Again(Exception):
    """The linked result was issued before (the step is done again after a return)."""

    def __init__(self, row: dict[str, Any]):
        super().__init__(row["number"])
        data = dict(load_json(row["data"]) or {})
        self.printed = {"number": row["number"], **data}


async def issue_residence(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Police: the child's permanent residence is registered; the notice of the result."""
    try:
        got = await _linked(ctx, "residence")
    except _Again as again:
        return {
            **again.printed,
            "title": "Thông báo kết quả đăng ký thường trú",
            "header_agency": _issuer_header(ctx),
        }
    dossier, data, agency_id, agency_code, agency_name, today, birth, serial = got
    number = f"{serial}/{today.year}/TB-CT.{agency_id}"
    printed = {
        "child": {
            "name": data.get("child_full_name", ""),
            "birth_date": fmt(data.get("child_birth_date")),
            "gender": _GENDER.get(data.get("child_gender", ""), ""),
        },
        "residence_address": data.get("residence_address", ""),
        "household_head": data.get("household_head_name", ""),
        "relation_to_head": data.get("relation_to_head", ""),
    }
    await LinkedResult(
        kind="residence",
        number=number,
        agency_id=agency_id,
        birth_entry=birth["id"] if birth else None,
        dossier_code=dossier.get("code") or "",
        person_name=printed["child"]["name"],
        issued_on=today,
        data=printed,
    ).save()
    return {
        "number": number,
        **printed,
        "registered_on": fmt(today),
        "registering_agency": agency_name,
        "title": "Thông báo kết quả đăng ký thường trú",
        "header_agency": {"name": agency_name, "parent_name": ""},
    }


async def issue_health_insurance(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Social insurance: the child's health-insurance card, valid until the day before the 6th birthday."""
    try:
        got = await _linked(ctx, "health_insurance")
    except _Again as again:
        return {**again.printed, "title": "Thẻ bảo hiểm y tế", "header_agency": _issuer_header(ctx)}
    dossier, data, agency_id, agency_code, agency_name, today, birth, serial = got
    number = f"TE1{today.year % 100:02d}{agency_id % 1000:03d}{serial:05d}"
    born = as_date(data.get("child_birth_date"))
    until = None
    if born:
        try:
            until = born.replace(year=born.year + 6) - timedelta(days=1)
        except ValueError:  # born on 29 February
            until = date(born.year + 6, 2, 28)
    printed = {
        "child": {
            "name": data.get("child_full_name", ""),
            "birth_date": fmt(born),
            "gender": _GENDER.get(data.get("child_gender", ""), ""),
        },
        "facility": data.get("hi_facility", ""),
        "valid_from": fmt(today),
        "valid_to": fmt(until),
        "address": data.get("residence_address", ""),
    }
    await LinkedResult(
        kind="health_insurance",
        number=number,
        agency_id=agency_id,
        birth_entry=birth["id"] if birth else None,
        dossier_code=dossier.get("code") or "",
        person_name=printed["child"]["name"],
        issued_on=today,
        data=printed,
    ).save()
    return {
        "number": number,
        **printed,
        "registering_agency": agency_name,
        "title": "Thẻ bảo hiểm y tế",
        "header_agency": {"name": agency_name, "parent_name": ""},
    }


ALL = (
    ResultDocumentSpec(
        "birth_extract",
        L("Trích lục khai sinh", "Birth registration extract"),
        template="civil_status/birth_extract.html",
        book="KS",
        issue=issue_birth,
    ),
    ResultDocumentSpec(
        "marriage_certificate",
        L("Giấy chứng nhận kết hôn", "Marriage certificate"),
        template="civil_status/marriage_certificate.html",
        book="KH",
        issue=issue_marriage,
    ),
    ResultDocumentSpec(
        "death_extract",
        L("Trích lục khai tử", "Death registration extract"),
        template="civil_status/death_extract.html",
        book="KT",
        issue=issue_death,
    ),
    ResultDocumentSpec(
        "residence_confirmation",
        L("Thông báo kết quả đăng ký thường trú", "Permanent residence registration notice"),
        template="civil_status/residence_confirmation.html",
        book="CT",
        signer_role="specialist",
        issue=issue_residence,
    ),
    ResultDocumentSpec(
        "health_insurance_card",
        L("Thẻ bảo hiểm y tế trẻ em dưới 6 tuổi", "Health-insurance card (child under 6)"),
        template="civil_status/health_insurance_card.html",
        book="BHYT",
        signer_role="specialist",
        issue=issue_health_insurance,
    ),
)
