"""``motcua demo`` for business registration: the register, the fee amounts, and dossiers at every state.

Idempotent: the register and the dossiers are each written once (marked by counter rows ``DREG`` and
``DDOS``), fee amounts already in force are left alone. Dossiers are driven through the lifecycle
service by the demo staff exactly as clerks would; a state that cannot be reached (no user holds the
needed role in the demo) is skipped and logged, never faked.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import date
from typing import Any

from core.api import (
    DemoDriver,
    DemoWords,
    demo_staff,
    fee_amounts,
    is_enabled,
    set_enabled,
    set_fee,
    vn_today,
    write_tx,
)
from plugins.business_reg import procedures
from plugins.business_reg.demo_registry import (
    LINES_ENTERPRISE,
    LINES_HOUSEHOLD,
    address,
    person,
    seed_register,
    unique_name,
)
from plugins.business_reg.fees import BASIS_ENTERPRISE, BASIS_HOUSEHOLD, DEFAULTS
from plugins.business_reg.tables import Business, BusinessOwner, TaxCodeCounter

__all__ = ("seed", "PLAN")

log = logging.getLogger("motcua.business_reg.demo")

ENTERPRISES = 160
HOUSEHOLDS_PER_COMMUNE = 60
REGISTER_MARKER, DOSSIER_MARKER = "DREG", "DDOS"

PLAN = {
    procedures.HOUSEHOLD: (
        "draft",
        "submitted",
        "received",
        "at_tax",
        "supplement",
        "refused",
        "approved",
        "rejected",
        "ready",
        "returned",
        "returned",
        "stopped",
    ),
    procedures.ENTERPRISE: (
        "draft",
        "submitted",
        "received",
        "at_tax",
        "supplement",
        "refused",
        "approved",
        "rejected",
        "ready",
        "returned",
        "returned",
        "stopped",
    ),
    procedures.CHANGE: ("received", "approved", "returned", "returned"),
}
"""Target state of each demo dossier: household ones in every commune, enterprise ones at the centre."""


async def seed(ctx: Mapping[str, Any]) -> None:
    agencies = dict(ctx.get("agencies") or {})
    today = ctx.get("today") or vn_today()
    communes = sorted((a for a in agencies.values() if a.level == "commune"), key=lambda a: a.code)
    registry = next((a for a in agencies.values() if a.kind == "business_registry"), None)
    centre = next(
        (a for a in agencies.values() if a.name.startswith("Trung tâm Phục vụ hành chính công")), None
    )
    if not communes or registry is None:
        log.warning("business_reg demo: no commune or no business registration office, nothing to seed")
        return
    rng = random.Random(20261124)
    used: set[str] = set()
    taken = {r["core_key"] for r in await Business.select(Business.core_key)}
    if not await TaxCodeCounter.exists().where(TaxCodeCounter.prefix == REGISTER_MARKER):
        async with write_tx():
            n = await seed_register(
                communes,
                registry,
                enterprises=ENTERPRISES,
                households_per_commune=HOUSEHOLDS_PER_COMMUNE,
                rng=rng,
                used=used,
                taken=taken,
                today=today,
            )
            await TaxCodeCounter.insert(TaxCodeCounter(prefix=REGISTER_MARKER, last=n))
        log.info("business_reg demo: %s businesses registered", n)
    await _fees(today)
    await _activate(communes, centre or registry)
    if await TaxCodeCounter.exists().where(TaxCodeCounter.prefix == DOSSIER_MARKER):
        return
    used.update(r["cccd"] for r in await BusinessOwner.select(BusinessOwner.cccd))
    staff = await demo_staff(ctx.get("users") or {})
    await _dossiers(communes, centre or registry, staff, rng, used, taken, today)
    async with write_tx():
        await TaxCodeCounter.insert(TaxCodeCounter(prefix=DOSSIER_MARKER, last=1))


async def _fees(today: date) -> None:
    in_force = await fee_amounts(procedures.HOUSEHOLD, today)
    in_force.update(await fee_amounts(procedures.ENTERPRISE, today))
    for fee_code, amount in DEFAULTS.items():
        if fee_code not in in_force:
            basis = BASIS_HOUSEHOLD if fee_code == "business_reg.household" else BASIS_ENTERPRISE
            await set_fee(fee_code, amount, effective_from=date(2025, 7, 1), legal_basis=basis[:255])


async def _activate(communes, centre) -> None:
    """Household registration at every commune; enterprise procedures at the provincial service centre."""
    for agency, codes in [(c, (procedures.HOUSEHOLD,)) for c in communes] + [
        (centre, (procedures.ENTERPRISE, procedures.CHANGE))
    ]:
        for code in codes:
            if not await is_enabled(code, agency.id):
                await set_enabled(code, agency.id, True)


def _household(rng, used, taken, commune) -> tuple[dict, dict]:
    p = person(rng, used)
    place = commune.name.removeprefix("UBND ").strip()
    data = {
        "owner_name": p["name"],
        "owner_cccd": p["cccd"],
        "owner_birth_date": p["birth_date"].isoformat(),
        "owner_phone": p["phone"],
        "owner_address": f"Tổ {rng.randint(1, 20)}, khu phố {rng.randint(1, 9)}, {place}",
        "business_name": unique_name(rng, taken, household=True),
        "business_address": address(rng, place),
        "business_lines": ", ".join(rng.sample(LINES_HOUSEHOLD, rng.randint(1, 3))),
        "capital": rng.choice((30, 50, 100)) * 1_000_000,
        "employees": rng.randint(1, 6),
    }
    return data, {
        "name": p["name"],
        "id_number": p["cccd"],
        "phone": p["phone"],
        "address": data["owner_address"],
    }


def _enterprise(rng, used, taken, communes) -> tuple[dict, dict]:
    p = person(rng, used, born_between=(1965, 2000))
    etype = rng.choice(("tnhh1", "tnhh2", "cp", "dntn"))
    place = rng.choice(communes).name.removeprefix("UBND ").strip()
    data = {
        "enterprise_type": etype,
        "company_name": unique_name(rng, taken, household=False, etype=etype),
        "company_name_en": "",
        "head_office": address(rng, place),
        "company_phone": p["phone"],
        "company_email": "",
        "charter_capital": rng.choice((1_000, 2_000, 5_000)) * 1_000_000,
        "business_lines": ", ".join(rng.sample(LINES_ENTERPRISE, rng.randint(1, 4))),
        "rep_name": p["name"],
        "rep_cccd": p["cccd"],
        "rep_birth_date": p["birth_date"].isoformat(),
        "rep_phone": p["phone"],
        "rep_address": address(rng, place),
    }
    return data, {
        "name": p["name"],
        "id_number": p["cccd"],
        "phone": p["phone"],
        "address": data["rep_address"],
    }


async def _changes(rng, count: int) -> list[tuple[dict, dict]]:
    """Change dossiers for active enterprises of the register, each by its legal representative."""
    rows = (
        await Business.select(Business.id, Business.code)
        .where((Business.kind == "enterprise") & (Business.status == "active"))
        .order_by(Business.id)
        .limit(count)
    )
    reps = await BusinessOwner.select().where(
        BusinessOwner.business.is_in([r["id"] for r in rows] or [0])
        & (BusinessOwner.role == "representative")
        & (BusinessOwner.active.eq(True))
    )
    by_business = {r["business"]: r for r in reps}
    out = []
    for i, row in enumerate(rows):
        rep = by_business.get(row["id"])
        if rep is None:
            continue
        data: dict[str, Any] = {"enterprise_code": row["code"], "rep_cccd": rep["cccd"]}
        kind = ("address", "capital", "lines", "address")[i % 4]
        data["change_kind"] = kind
        if kind == "address":
            data["new_address"] = address(rng, "phường Trấn Biên")
        elif kind == "capital":
            data["new_capital"] = rng.choice((3_000, 8_000, 15_000)) * 1_000_000
        else:
            data["new_lines"] = ", ".join(rng.sample(LINES_ENTERPRISE, 3))
        out.append(
            (data, {"name": rep["full_name"], "id_number": rep["cccd"], "phone": "09" + rep["cccd"][-8:]})
        )
    return out


WORDS = DemoWords(
    refuse="Ngành, nghề đăng ký là ngành, nghề cấm đầu tư kinh doanh.",
    stop="Người nộp hồ sơ có văn bản đề nghị dừng giải quyết.",
    supplement_items=("Văn bản ủy quyền cho người đi nộp hồ sơ",),
    supplement_reason="Người nộp hồ sơ không phải chủ hộ, người đại diện.",
    reject="Địa điểm kinh doanh thuộc khu vực không được kinh doanh theo quy hoạch.",
)
"""What the demo's officers write when a business dossier leaves the happy path."""


async def _dossiers(communes, centre, staff, rng, used, taken, today) -> None:
    # the registry's review acts first (the tax step runs beside it); ``at_tax`` stops after it
    driver = DemoDriver(staff, WORDS, name="business_reg", pauses={"at_tax": lambda view, done: done >= 1})
    for commune in communes:
        for target in PLAN[procedures.HOUSEHOLD]:
            data, applicant = _household(rng, used, taken, commune)
            await driver.drive(procedures.HOUSEHOLD, commune, applicant, data, target, first_step="review")
    for target in PLAN[procedures.ENTERPRISE]:
        data, applicant = _enterprise(rng, used, taken, communes)
        await driver.drive(procedures.ENTERPRISE, centre, applicant, data, target, first_step="review")
    for (data, applicant), target in zip(
        await _changes(rng, len(PLAN[procedures.CHANGE])), PLAN[procedures.CHANGE], strict=False
    ):
        await driver.drive(procedures.CHANGE, centre, applicant, data, target, first_step="review")
