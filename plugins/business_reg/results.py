"""Results, issued by core inside the transaction that completes the step or approves the dossier:
the tax step reserves the enterprise/tax code; the registry's approval writes the register
(business, owner or legal representative, business lines, capital, history) and returns what the
certificate prints (``printing.certificate``).

A name that was free when the dossier was received can be taken by another dossier approved in the
meantime: the name is checked again here, and a clash refuses the approval (``Conflict``) naming only
the other business's name and code."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.api import Conflict, L, ResultDocumentSpec
from plugins.business_reg import names, printing, taxcode
from plugins.business_reg.procedures import CHANGE, HOUSEHOLD
from plugins.business_reg.registry import as_int, split_lines
from plugins.business_reg.tables import (
    Business,
    BusinessHistory,
    BusinessLine,
    BusinessOwner,
    TaxCodeCounter,
    TaxCodeReservation,
)
from plugins.business_reg.validation import name_clash

__all__ = (
    "ALL",
    "TAX_PREFIX",
    "issue_tax_code",
    "issue_enterprise_certificate",
    "issue_household_certificate",
)

TAX_PREFIX = "36"
"""Two-digit tax-office prefix of the demo province (Đồng Nai); a province sets its own."""


async def _next_code() -> str:
    await TaxCodeCounter.insert(TaxCodeCounter(prefix=TAX_PREFIX, last=0)).on_conflict(action="DO NOTHING")
    while True:
        rows = (
            await TaxCodeCounter.update({TaxCodeCounter.last: TaxCodeCounter.last + 1})
            .where(TaxCodeCounter.prefix == TAX_PREFIX)
            .returning(TaxCodeCounter.last)
        )
        code = taxcode.make(TAX_PREFIX, rows[0]["last"])
        if code and not await Business.exists().where(Business.code == code):
            return code


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _data(ctx) -> dict:
    return dict(ctx["dossier"].get("data") or {})


async def issue_tax_code(ctx) -> dict:
    """Tax step: reserve the code (idempotent per dossier) and print the notice to the registry."""
    dossier, data = ctx["dossier"], _data(ctx)
    existing = (
        await TaxCodeReservation.select(TaxCodeReservation.code)
        .where(TaxCodeReservation.dossier_code == dossier["code"])
        .first()
    )
    code = existing["code"] if existing else await _next_code()
    if not existing:
        await TaxCodeReservation.insert(
            TaxCodeReservation(dossier_code=dossier["code"], code=code, at=datetime.now(UTC))
        )
    household = dossier.get("procedure_code") == HOUSEHOLD
    return {
        "number": code,
        "enterprise_code": code,
        "household": household,
        "name": str(data.get("business_name") if household else data.get("company_name") or ""),
        "address": str(data.get("business_address") if household else data.get("head_office") or ""),
        "issued_by": ctx["agency"].name,
        "issued_on": ctx["today"].isoformat(),
        "header_agency": {"parent_name": "", "name": ctx["agency"].name},
    }


async def _reserved_code(dossier_code: str) -> str:
    row = (
        await TaxCodeReservation.select(TaxCodeReservation.code)
        .where(TaxCodeReservation.dossier_code == dossier_code)
        .first()
    )
    if row is None:
        raise Conflict(
            f"Hồ sơ {dossier_code} chưa có mã số thuế do cơ quan thuế cấp; bước cấp mã số thuế phải hoàn thành trước."
        )
    return row["code"]


async def _register(ctx, *, kind: str) -> dict:
    dossier, data, today = ctx["dossier"], _data(ctx), ctx["today"]
    code = await _reserved_code(dossier["code"])
    enterprise = kind == "enterprise"
    name = str(data["company_name"] if enterprise else data["business_name"]).strip()
    prefix = "rep" if enterprise else "owner"
    found = await Business.select(Business.id).where(Business.code == code).first()
    if found is None:
        clash = await name_clash(name, kind=kind, agency_id=None if enterprise else ctx["agency"].id)
        if clash is not None:
            raise Conflict(clash.message)
        rows = await Business.insert(
            Business(
                kind=kind,
                enterprise_type=str(data.get("enterprise_type") or ""),
                name=name,
                name_key=names.fold(name),
                core_key=names.core_key(name),
                code=code,
                address=str(data.get("head_office") or data.get("business_address") or ""),
                agency_id=ctx["agency"].id,
                charter_capital=as_int(data.get("charter_capital") or data.get("capital")) or 0,
                status="active",
                name_en=str(data.get("company_name_en") or ""),
                phone=str(data.get("company_phone") or data.get("owner_phone") or ""),
                email=str(data.get("company_email") or ""),
                employees=as_int(data.get("employees")) or 0,
                registered_on=today,
                dossier_code=dossier["code"],
                updated_at=datetime.now(UTC),
            )
        ).returning(Business.id)
        business_id = rows[0]["id"]
        await BusinessOwner.insert(
            BusinessOwner(
                business=business_id,
                role="representative" if enterprise else "owner",
                full_name=str(data[f"{prefix}_name"]),
                cccd=str(data[f"{prefix}_cccd"]),
                birth_date=_date(data.get(f"{prefix}_birth_date")),
                address=str(data.get(f"{prefix}_address") or ""),
            )
        )
        lines = split_lines(data.get("business_lines"))
        if lines:
            await BusinessLine.insert(
                *[BusinessLine(business=business_id, vsic=v, main=i == 0) for i, v in enumerate(lines)]
            )
        await BusinessHistory.insert(
            BusinessHistory(
                business=business_id,
                dossier_code=dossier["code"],
                change={"registered": True},
                at=datetime.now(UTC),
            )
        )
    else:
        business_id = found["id"]
    return await printing.certificate(business_id, data=data, agency=ctx["agency"], today=today)


_CHANGE_NOTES = {
    "address": "Thay đổi địa chỉ trụ sở chính",
    "representative": "Thay đổi người đại diện theo pháp luật",
    "capital": "Thay đổi vốn điều lệ",
    "lines": "Thay đổi ngành, nghề kinh doanh",
}


async def _change(ctx) -> dict:
    dossier, data = ctx["dossier"], _data(ctx)
    code = str(data["enterprise_code"]).strip()
    business = (
        await Business.select().where((Business.code == code) & (Business.kind == "enterprise")).first()
    )
    if business is None or business["status"] != "active":
        raise Conflict(f"Doanh nghiệp mã số {code} không còn trong sổ đăng ký hoặc không còn hoạt động.")
    kind, change, now = data["change_kind"], {}, datetime.now(UTC)
    bid = business["id"]
    if kind == "address":
        change = {"address": [business["address"], data["new_address"]]}
        await Business.update({Business.address: str(data["new_address"]), Business.updated_at: now}).where(
            Business.id == bid
        )
    elif kind == "capital":
        new = as_int(data["new_capital"]) or 0
        change = {"charter_capital": [business["charter_capital"], new]}
        await Business.update({Business.charter_capital: new, Business.updated_at: now}).where(
            Business.id == bid
        )
    elif kind == "representative":
        change = {"representative": "changed"}
        await BusinessOwner.update({BusinessOwner.active: False}).where(
            (BusinessOwner.business == bid) & (BusinessOwner.role == "representative")
        )
        await BusinessOwner.insert(
            BusinessOwner(
                business=bid,
                role="representative",
                full_name=str(data["new_rep_name"]),
                cccd=str(data["new_rep_cccd"]),
            )
        )
        await Business.update({Business.updated_at: now}).where(Business.id == bid)
    elif kind == "lines":
        lines = split_lines(data["new_lines"])
        change = {"business_lines": lines}
        await BusinessLine.delete().where(BusinessLine.business == bid)
        await BusinessLine.insert(
            *[BusinessLine(business=bid, vsic=v, main=i == 0) for i, v in enumerate(lines)]
        )
        await Business.update({Business.updated_at: now}).where(Business.id == bid)
    change["note"] = _CHANGE_NOTES.get(kind, "")
    await BusinessHistory.insert(
        BusinessHistory(business=bid, dossier_code=dossier["code"], change=change, at=now)
    )
    printed = await printing.certificate(bid, data=data, agency=ctx["agency"], today=ctx["today"])
    printed.update(
        kind="confirmation" if kind == "lines" else "change",
        change_on=ctx["today"].isoformat(),
        change_note=_CHANGE_NOTES.get(kind, ""),
        number=f"{code}/{printed['change_number']}",
    )
    return printed


async def issue_enterprise_certificate(ctx) -> dict:
    if ctx["dossier"]["procedure_code"] == CHANGE:
        return await _change(ctx)
    return await _register(ctx, kind="enterprise")


async def issue_household_certificate(ctx) -> dict:
    if ctx["dossier"]["procedure_code"] != HOUSEHOLD:
        raise Conflict("Giấy chứng nhận đăng ký hộ kinh doanh chỉ cấp cho thủ tục đăng ký hộ kinh doanh.")
    return await _register(ctx, kind="household")


ALL = (
    ResultDocumentSpec(
        id="tax_code_notice",
        name=L("Thông báo mã số doanh nghiệp (mã số thuế)", "Enterprise (tax) code notice"),
        template="business_reg/tax_code_notice.html",
        book="MST",
        signer_role="specialist",
        issue=issue_tax_code,
    ),
    ResultDocumentSpec(
        id="enterprise_certificate",
        name=L("Giấy chứng nhận đăng ký doanh nghiệp", "Enterprise registration certificate"),
        template="business_reg/enterprise_certificate.html",
        book="GCNĐKDN",
        issue=issue_enterprise_certificate,
    ),
    ResultDocumentSpec(
        id="household_certificate",
        name=L("Giấy chứng nhận đăng ký hộ kinh doanh", "Household business registration certificate"),
        template="business_reg/household_certificate.html",
        book="GCNĐKHKD",
        issue=issue_household_certificate,
    ),
)
