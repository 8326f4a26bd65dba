"""Result documents of the land procedures; ``issue`` writes the land registry inside core's
approval transaction and returns what the certificate prints.

Numbering: a new certificate takes the next pre-printed serial of the province's current series
(``NEW_SERIES``, ``DE 100001``…) and the next entry of the issuing agency's book (``CS 00001``…); an
endorsement of a transfer on the existing certificate takes the next entry of the change book
(``BĐ 00001``…). Both counters are taken with one atomic ``UPDATE … RETURNING``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from core.api import Conflict, L, ResultDocumentSpec, vn_today
from plugins.land.forms import LAND_USE_TYPES, ORIGINS, REISSUE_REASONS
from plugins.land.registry import find_certificate, find_parcel, holds, next_number, valid_certificate_of
from plugins.land.tables import Certificate, CertificateEntry, Parcel
from plugins.land.validation import area_vi, as_date

__all__ = ("ALL", "NEW_SERIES", "issue_first", "issue_transfer", "issue_reissue")

NEW_SERIES = "DE"
"""Series of the blank certificates the province currently issues from (demo value)."""
_SERIAL_START = 100_000

TEMPLATE = "land/certificate.html"


def _now() -> datetime:
    return datetime.now(UTC)


def _today(ctx: Mapping[str, Any]) -> date:
    return ctx.get("today") or vn_today()


def _agency(ctx: Mapping[str, Any]) -> tuple[str, str]:
    agency = ctx.get("agency")
    if agency is None:
        return "", ""
    if isinstance(agency, Mapping):
        return str(agency.get("code", "")), str(agency.get("name", ""))
    return agency.code, agency.name


def _person(data: Mapping[str, Any], prefix: str, address: str = "") -> dict[str, Any]:
    born = as_date(data.get(f"{prefix}_birth_date"))
    return {
        "name": str(data.get(f"{prefix}_name") or "").strip(),
        "id_number": str(data.get(f"{prefix}_id_number") or "").strip(),
        "birth_year": born.year if born else None,
        "address": address or str(data.get(f"{prefix}_address") or "").strip(),
    }


async def _new_serial() -> str:
    return f"{NEW_SERIES} {await next_number(f'serial:{NEW_SERIES}', _SERIAL_START):06d}"


async def _book_entry(book: str, agency_code: str) -> str:
    return f"{book} {await next_number(f'book:{book}:{agency_code}'):05d}"


def _parcel_print(parcel: Mapping[str, Any], origin: str | None = None) -> dict[str, Any]:
    """What the certificate prints of the parcel: the land use by its name and code (``Đất ở tại
    nông thôn (ONT)``), as the certificate form writes it; ``origin`` overrides the registry's."""
    use = parcel["land_use_type"]
    return {
        "commune_code": parcel["commune_code"],
        "map_sheet": parcel["map_sheet"],
        "parcel_number": parcel["parcel_number"],
        "address": parcel["address"],
        "area": area_vi(parcel["area"]),
        "land_use_type": _label(LAND_USE_TYPES, use) or use,
        "term": parcel["term"],
        "origin": origin or parcel["origin"],
    }


async def _locked_parcel(data: Mapping[str, Any], dossier_code: str) -> dict[str, Any]:
    parcel = await find_parcel(data)
    if parcel is None:
        raise Conflict(f"Hồ sơ {dossier_code}: thửa đất không còn trong cơ sở dữ liệu địa chính.")
    if parcel["dispute"]:
        raise Conflict(
            f"Thửa đất số {parcel['parcel_number']}, tờ bản đồ số {parcel['map_sheet']} đang có tranh chấp "
            "hoặc bị ngăn chặn; không thể cấp Giấy chứng nhận."
        )
    # Take the parcel's row lock first (PostgreSQL), so two approvals on one parcel queue up.
    await Parcel.update({Parcel.updated_at: _now()}).where(Parcel.id == parcel["id"])
    return parcel


async def _insert_certificate(
    *,
    parcel_id: int,
    holders: list[dict],
    today: date,
    issued_by: str,
    agency_code: str,
    dossier_code: str,
    note: str,
    data: dict | None = None,
) -> dict[str, Any]:
    serial, book = await _new_serial(), await _book_entry("CS", agency_code)
    cert = Certificate(
        serial=serial,
        book_number=book,
        parcel=parcel_id,
        holders=holders,
        issue_date=today,
        issued_by=issued_by,
        status="valid",
        dossier_code=dossier_code,
        created_at=_now(),
    )
    await cert.save()
    await CertificateEntry.insert(
        CertificateEntry(
            certificate=cert.id,
            kind="issued",
            on=today,
            note=note,
            data=data or {},
            dossier_code=dossier_code,
            at=_now(),
        )
    )
    return {"id": cert.id, "serial": serial, "book_number": book}


async def _retire(
    cert: Mapping[str, Any], *, status: str, kind: str, new_id: int, today: date, note: str, dossier_code: str
) -> None:
    await Certificate.update({Certificate.status: status, Certificate.replaced_by: new_id}).where(
        Certificate.id == cert["id"]
    )
    await CertificateEntry.insert(
        CertificateEntry(
            certificate=cert["id"], kind=kind, on=today, note=note, dossier_code=dossier_code, at=_now()
        )
    )


def _label(choices, value) -> str:
    return next((lab.vi for v, lab in choices if v == value), "")


async def issue_first(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """First certificate: the parcel is registered to the applicant (and spouse)."""
    dossier = ctx["dossier"]
    data, code = dossier.get("data") or {}, dossier.get("code") or ""
    today = _today(ctx)
    agency_code, agency_name = _agency(ctx)
    parcel = await _locked_parcel(data, code)
    existing = await valid_certificate_of(parcel["id"])
    if existing is not None:
        raise Conflict(
            f"Thửa đất đã được cấp Giấy chứng nhận số phát hành {existing['serial']}; không cấp lần đầu lần nữa."
        )
    holders = [_person(data, "holder")]
    if data.get("has_spouse") == "yes":
        holders.append(
            {
                "name": str(data.get("spouse_name") or "").strip(),
                "id_number": str(data.get("spouse_id_number") or "").strip(),
                "birth_year": None,
                "address": holders[0]["address"],
            }
        )
    origin = _label(ORIGINS, data.get("origin")) or "Công nhận quyền sử dụng đất"
    new = await _insert_certificate(
        parcel_id=parcel["id"],
        holders=holders,
        today=today,
        issued_by=agency_name,
        agency_code=agency_code,
        dossier_code=code,
        note="Cấp Giấy chứng nhận lần đầu",
    )
    await Parcel.update({Parcel.registered: True, Parcel.origin: origin, Parcel.updated_at: _now()}).where(
        Parcel.id == parcel["id"]
    )
    parcel = {**parcel, "origin": origin}
    return {
        "number": new["book_number"],
        "serial": new["serial"],
        "title": "Giấy chứng nhận quyền sử dụng đất",
        "kind": "first",
        "holders": holders,
        "parcel": _parcel_print(parcel),
        "issue_date": today.isoformat(),
        "issued_by": agency_name,
        "signer_title": "CHỦ TỊCH",
        "header_agency": {"name": agency_name, "parent_name": ""},
        "changes": [],
    }


async def issue_transfer(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Transfer: a new certificate for the transferee, or the change endorsed on the existing one."""
    dossier = ctx["dossier"]
    data, code = dossier.get("data") or {}, dossier.get("code") or ""
    today = _today(ctx)
    agency_code, agency_name = _agency(ctx)
    parcel = await _locked_parcel(data, code)
    cert = await find_certificate(data.get("certificate_serial"))
    if cert is None or cert["status"] != "valid" or cert["parcel"] != parcel["id"]:
        raise Conflict(
            f"Giấy chứng nhận số phát hành {data.get('certificate_serial', '')} ghi trong hồ sơ không còn "
            "hiệu lực đối với thửa đất này (đã có biến động khác được đăng ký); không thể xác nhận chuyển nhượng."
        )
    if not holds(cert, data.get("transferor_id_number")):
        raise Conflict(
            f"Bên chuyển nhượng không còn đứng tên trên Giấy chứng nhận số phát hành {cert['serial']}."
        )
    transferee = _person(data, "transferee")
    signed = as_date(data.get("contract_date"))
    contract = (
        f"Hợp đồng số {data.get('contract_number', '')} ngày {signed.strftime('%d/%m/%Y') if signed else ''}"
    )
    note = f"Nhận chuyển nhượng quyền sử dụng đất theo {contract}"
    endorsement = {
        "on": today.isoformat(),
        "text": f"Chuyển nhượng cho ông/bà {transferee['name']}; {contract}. Hồ sơ {code}.",
    }
    if data.get("new_certificate") == "yes":
        new = await _insert_certificate(
            parcel_id=parcel["id"],
            holders=[transferee],
            today=today,
            issued_by=agency_name,
            agency_code=agency_code,
            dossier_code=code,
            note=note,
            data={"previous_serial": cert["serial"]},
        )
        await _retire(
            cert,
            status="replaced",
            kind="transfer",
            new_id=new["id"],
            today=today,
            note=f"{note}; thay thế bằng Giấy chứng nhận số phát hành {new['serial']}",
            dossier_code=code,
        )
        number, serial, changes = new["book_number"], new["serial"], []
    else:
        number = await _book_entry("BĐ", agency_code)
        await Certificate.update({Certificate.holders: [transferee]}).where(Certificate.id == cert["id"])
        await CertificateEntry.insert(
            CertificateEntry(
                certificate=cert["id"],
                kind="transfer",
                on=today,
                note=note,
                dossier_code=code,
                at=_now(),
                data={
                    "entry": number,
                    "from": [h.get("name") for h in cert["holders"]],
                    "to": transferee["name"],
                },
            )
        )
        serial, changes = cert["serial"], [endorsement]
    return {
        "number": number,
        "serial": serial,
        "previous_serial": cert["serial"],
        "title": "Giấy chứng nhận quyền sử dụng đất"
        if not changes
        else "Xác nhận thay đổi trên Giấy chứng nhận",
        "kind": "transfer_new" if not changes else "transfer_endorsed",
        "holders": [transferee],
        "parcel": _parcel_print(
            parcel, origin="Nhận chuyển nhượng quyền sử dụng đất" if not changes else None
        ),
        "issue_date": today.isoformat(),
        "issued_by": agency_name,
        "signer_title": "GIÁM ĐỐC",
        "changes": changes,
        "header_agency": {"name": agency_name, "parent_name": ""},
    }


async def issue_reissue(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Replacement or re-issue: a new certificate with the same holders; the old one is retired."""
    dossier = ctx["dossier"]
    data, code = dossier.get("data") or {}, dossier.get("code") or ""
    today = _today(ctx)
    agency_code, agency_name = _agency(ctx)
    parcel = await _locked_parcel(data, code)
    cert = await find_certificate(data.get("certificate_serial"))
    if cert is None or cert["status"] != "valid" or cert["parcel"] != parcel["id"]:
        raise Conflict(
            f"Giấy chứng nhận số phát hành {data.get('certificate_serial', '')} ghi trong hồ sơ không còn "
            "hiệu lực đối với thửa đất này; không thể cấp đổi, cấp lại."
        )
    reason = data.get("reason")
    reason_text = _label(REISSUE_REASONS, reason)
    verb = "lại" if reason == "lost" else "đổi"
    note = f"Cấp {verb} Giấy chứng nhận số phát hành {cert['serial']}: {reason_text.lower()}"
    new = await _insert_certificate(
        parcel_id=parcel["id"],
        holders=list(cert["holders"]),
        today=today,
        issued_by=agency_name,
        agency_code=agency_code,
        dossier_code=code,
        note=note,
        data={"previous_serial": cert["serial"], "reason": reason},
    )
    await _retire(
        cert,
        status="cancelled" if reason == "lost" else "replaced",
        kind="reissued",
        new_id=new["id"],
        today=today,
        note=f"{note}; thay bằng số phát hành {new['serial']}",
        dossier_code=code,
    )
    return {
        "number": new["book_number"],
        "serial": new["serial"],
        "previous_serial": cert["serial"],
        "title": "Giấy chứng nhận quyền sử dụng đất",
        "kind": "reissue",
        "reason": reason_text,
        "holders": list(cert["holders"]),
        "parcel": _parcel_print(parcel),
        "issue_date": today.isoformat(),
        "issued_by": agency_name,
        "signer_title": "GIÁM ĐỐC",
        "changes": [],
        "header_agency": {"name": agency_name, "parent_name": ""},
    }


ALL = (
    ResultDocumentSpec(
        "land.certificate_first",
        L("Giấy chứng nhận quyền sử dụng đất (cấp lần đầu)", "Certificate of land-use rights (first issue)"),
        template=TEMPLATE,
        book="CS",
        signer_role="approver",
        issue=issue_first,
    ),
    ResultDocumentSpec(
        "land.certificate_transfer",
        L("Giấy chứng nhận mới hoặc xác nhận chuyển nhượng", "New certificate or endorsed transfer"),
        template=TEMPLATE,
        book="CS",
        signer_role="approver",
        issue=issue_transfer,
    ),
    ResultDocumentSpec(
        "land.certificate_reissue",
        L("Giấy chứng nhận cấp đổi, cấp lại", "Replacement certificate"),
        template=TEMPLATE,
        book="CS",
        signer_role="approver",
        issue=issue_reissue,
    ),
)
