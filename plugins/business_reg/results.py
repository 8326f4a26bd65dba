"""Results, issued by core inside the transaction that completes the step or approves the dossier:
the tax step reserves the enterprise/tax code; the registry's approval writes the register and
returns what the certificate prints."""

from __future__ import annotations

from datetime import UTC, datetime

from core.api import L, ResultDocumentSpec

from plugins.business_reg import names, taxcode
from plugins.business_reg.forms import ENTERPRISE_TYPES
from plugins.business_reg.procedures import CHANGE, HOUSEHOLD
from plugins.business_reg.tables import (
    Business,
    BusinessHistory,
    BusinessLine,
    BusinessOwner,
    TaxCodeCounter,
    TaxCodeReservation,
)

TAX_PREFIX = "36"
"""Two-digit tax-office prefix of the demo province (Đồng Nai); a province sets its own."""


def _lines(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


async def _next_code() -> str:
    await TaxCodeCounter.insert(TaxCodeCounter(prefix=TAX_PREFIX, last=0)).on_conflict(action="DO NOTHING")
    while True:
        rows = await TaxCodeCounter.update({TaxCodeCounter.last: TaxCodeCounter.last + 1}).where(
            TaxCodeCounter.prefix == TAX_PREFIX).returning(TaxCodeCounter.last)
        code = taxcode.make(TAX_PREFIX, rows[0]["last"])
        if code and not await Business.exists().where(Business.code == code):
            return code


async def issue_tax_code(ctx) -> dict:
    """Tax step: reserve the code (idempotent per dossier)."""
    dossier = ctx["dossier"]
    existing = await TaxCodeReservation.select(TaxCodeReservation.code).where(
        TaxCodeReservation.dossier_code == dossier["code"]).first()
    code = existing["code"] if existing else await _next_code()
    if not existing:
        await TaxCodeReservation.insert(TaxCodeReservation(dossier_code=dossier["code"], code=code, at=datetime.now(UTC)))
    return {"number": code, "enterprise_code": code, "issued_by": ctx["agency"].name, "issued_on": ctx["today"].isoformat()}


async def _reserved_code(dossier_code: str) -> str:
    row = await TaxCodeReservation.select(TaxCodeReservation.code).where(TaxCodeReservation.dossier_code == dossier_code).first()
    if row is None:
        raise LookupError(f"Hồ sơ {dossier_code} chưa có mã số thuế do cơ quan thuế cấp.")
    return row["code"]


async def _register(ctx, *, kind: str) -> dict:
    dossier, data, today = ctx["dossier"], ctx["dossier"]["data"], ctx["today"]
    code = await _reserved_code(dossier["code"])
    name = data["company_name"] if kind == "enterprise" else data["business_name"]
    prefix = "rep" if kind == "enterprise" else "owner"
    capital = int(data.get("charter_capital") or data.get("capital") or 0)
    now = datetime.now(UTC)
    found = await Business.select(Business.id).where(Business.code == code).first()
    if found is None:
        rows = await Business.insert(Business(
            kind=kind, enterprise_type=data.get("enterprise_type", ""), name=name, name_key=names.fold(name),
            core_key=names.core_key(name), code=code,
            address=data.get("head_office") or data.get("business_address", ""), agency_id=ctx["agency"].id,
            charter_capital=capital, status="active", registered_on=today, dossier_code=dossier["code"], updated_at=now,
        )).returning(Business.id)
        business_id = rows[0]["id"]
        await BusinessOwner.insert(BusinessOwner(business=business_id, role="representative" if kind == "enterprise" else "owner",
                                                 full_name=data[f"{prefix}_name"], cccd=data[f"{prefix}_cccd"]))
        lines = _lines(data.get("business_lines"))
        if lines:
            await BusinessLine.insert(*[BusinessLine(business=business_id, vsic=v, main=i == 0) for i, v in enumerate(lines)])
        await BusinessHistory.insert(BusinessHistory(business=business_id, dossier_code=dossier["code"],
                                                     change={"registered": True}, at=now))
    type_label = dict(ENTERPRISE_TYPES).get(data.get("enterprise_type", ""), L("Hộ kinh doanh", "Household business"))
    return {
        "number": code, "enterprise_code": code, "name": name, "type": type_label.vi,
        "address": data.get("head_office") or data.get("business_address", ""), "capital": capital,
        "representative": data[f"{prefix}_name"], "lines": _lines(data.get("business_lines")),
        "registered_on": today.isoformat(), "agency": ctx["agency"].name,
    }


async def _change(ctx) -> dict:
    dossier, data = ctx["dossier"], ctx["dossier"]["data"]
    code = data["enterprise_code"]
    business = await Business.select().where(Business.code == code).first()
    kind, change = data["change_kind"], {}
    now = datetime.now(UTC)
    if kind == "address":
        change = {"address": [business["address"], data["new_address"]]}
        await Business.update({Business.address: data["new_address"], Business.updated_at: now}).where(Business.id == business["id"])
    elif kind == "capital":
        change = {"charter_capital": [business["charter_capital"], int(data["new_capital"])]}
        await Business.update({Business.charter_capital: int(data["new_capital"]), Business.updated_at: now}).where(Business.id == business["id"])
    elif kind == "representative":
        change = {"representative": "changed"}
        await BusinessOwner.update({BusinessOwner.active: False}).where(
            (BusinessOwner.business == business["id"]) & (BusinessOwner.role == "representative"))
        await BusinessOwner.insert(BusinessOwner(business=business["id"], role="representative",
                                                 full_name=data["new_rep_name"], cccd=data["new_rep_cccd"]))
    elif kind == "lines":
        lines = _lines(data["new_lines"])
        change = {"business_lines": lines}
        await BusinessLine.delete().where(BusinessLine.business == business["id"])
        await BusinessLine.insert(*[BusinessLine(business=business["id"], vsic=v, main=i == 0) for i, v in enumerate(lines)])
    await BusinessHistory.insert(BusinessHistory(business=business["id"], dossier_code=dossier["code"], change=change, at=now))
    fresh = await Business.select().where(Business.id == business["id"]).first()
    rep = await BusinessOwner.select(BusinessOwner.full_name).where(
        (BusinessOwner.business == business["id"]) & (BusinessOwner.role == "representative") & (BusinessOwner.active == True)).first()  # noqa: E712
    count = await BusinessHistory.count().where(BusinessHistory.business == business["id"])
    return {"number": f"{code}/{count - 1}", "enterprise_code": code, "name": fresh["name"], "address": fresh["address"],
            "capital": fresh["charter_capital"], "representative": rep["full_name"] if rep else "",
            "change_number": count - 1, "registered_on": fresh["registered_on"].isoformat() if fresh["registered_on"] else "",
            "agency": ctx["agency"].name}


async def issue_enterprise_certificate(ctx) -> dict:
    if ctx["dossier"]["procedure_code"] == CHANGE:
        return await _change(ctx)
    return await _register(ctx, kind="enterprise")


async def issue_household_certificate(ctx) -> dict:
    assert ctx["dossier"]["procedure_code"] == HOUSEHOLD
    return await _register(ctx, kind="household")


ALL = (
    ResultDocumentSpec(id="tax_code_notice", name=L("Thông báo mã số doanh nghiệp (mã số thuế)", "Enterprise (tax) code notice"),
                       template="business_reg/tax_code_notice.html", book="MST", signer_role="specialist",
                       issue=issue_tax_code),
    ResultDocumentSpec(id="enterprise_certificate", name=L("Giấy chứng nhận đăng ký doanh nghiệp", "Enterprise registration certificate"),
                       template="business_reg/enterprise_certificate.html", book="GCNĐKDN", issue=issue_enterprise_certificate),
    ResultDocumentSpec(id="household_certificate", name=L("Giấy chứng nhận đăng ký hộ kinh doanh", "Household business registration certificate"),
                       template="business_reg/household_certificate.html", book="GCNĐKHKD", issue=issue_household_certificate),
)
