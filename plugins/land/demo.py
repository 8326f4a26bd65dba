"""``motcua demo`` for the land domain: the registry, the fee amounts, and dossiers at every state.

Idempotent: communes that already have parcels are skipped, fee amounts already in force are left
alone, and the demo dossiers are created once (marked by the ``demo:dossiers`` counter row).
Dossiers are driven through the lifecycle service exactly as clerks would; a state that cannot be
reached (no user holds the needed role in the demo) is skipped and logged, never faked.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.api import (
    DemoDriver,
    DemoWords,
    demo_staff,
    fee_amounts,
    is_enabled,
    load_json,
    set_enabled,
    set_fee,
    vn_today,
    write_tx,
)
from plugins.land import procedures
from plugins.land.demo_registry import person, seed_parcels
from plugins.land.fees import DEFAULT_FEES, FEE_BASIS
from plugins.land.tables import Certificate, LandCounter, Parcel

__all__ = ("seed",)

log = logging.getLogger("motcua.land.demo")

MIN_PARCELS = 360
MARKER = "demo:dossiers"


async def seed(ctx: Mapping[str, Any]) -> None:
    agencies = dict(ctx.get("agencies") or {})
    today = ctx.get("today") or vn_today()
    communes = sorted((a for a in agencies.values() if a.level == "commune"), key=lambda a: a.code)
    if not communes:
        log.warning("land demo: no commune in the demo province, nothing to seed")
        return
    rng = random.Random(20261123)
    used_ids: set[str] = set()
    async with write_tx():
        n = await seed_parcels(
            communes,
            per_commune=max(MIN_PARCELS // len(communes) + 1, 60),
            rng=rng,
            used_ids=used_ids,
            today=today,
        )
    log.info("land demo: %s parcels inserted", n)
    await _fees(today)
    await _activate(agencies.values())
    if await LandCounter.exists().where(LandCounter.name == MARKER):
        return
    staff = await demo_staff(ctx.get("users") or {})
    await _dossiers(communes, staff, rng, used_ids, today)
    async with write_tx():
        await LandCounter.insert(LandCounter(name=MARKER, last=1))


async def _fees(today: date) -> None:
    """Province-wide amounts (no procedure code): one row per fee code not yet in force."""
    in_force = await fee_amounts(procedures.FIRST, today)
    in_force.update(await fee_amounts(procedures.TRANSFER, today))
    for fee_code, amount in DEFAULT_FEES.items():
        if fee_code not in in_force:
            await set_fee(fee_code, amount, effective_from=date(2025, 7, 1), legal_basis=FEE_BASIS[:255])


async def _activate(agencies) -> None:
    for a in agencies:
        centre = a.name.startswith("Trung tâm Phục vụ hành chính công")
        if a.level != "commune" and a.kind != "land_registry" and not centre:
            continue
        for code in procedures.CODES:
            if not await is_enabled(code, a.id):
                await set_enabled(code, a.id, True)


WORDS = DemoWords(
    refuse="Hợp đồng chuyển nhượng chưa được công chứng, chứng thực.",
    stop="Người nộp hồ sơ có văn bản đề nghị dừng giải quyết.",
    supplement_items=("Tờ khai thuế thu nhập cá nhân có chữ ký của bên chuyển nhượng",),
    supplement_reason="Thiếu tờ khai thuế thu nhập cá nhân.",
    suspend="Thửa đất có dấu hiệu vi phạm pháp luật đất đai; tạm dừng chờ kết quả xử lý.",
    suspend_code="violation",
    reject="Giá chuyển nhượng ghi trong hợp đồng không thống nhất với tờ khai thuế.",
)
"""What the demo's officers write when a land dossier leaves the happy path."""


def _driver(staff) -> DemoDriver:
    """The demo's land dossiers: the tax officer types the assessment; ``at_tax`` stops after the
    first step, ``posting`` (first registration) after the commune's verification."""
    return DemoDriver(
        staff,
        WORDS,
        name="land",
        step_inputs=lambda view, step: _assessment(view) if step.step_id == "tax_notice" else None,
        pauses={"at_tax": lambda view, done: done >= 1, "posting": lambda view, done: done >= 2},
    )


def _assessment(view) -> dict:
    """What a tax officer enters for a demo dossier: the price-table value, 0.5 % registration fee,
    2 % PIT on a transfer, a land levy on a first registration, 30 days to pay."""
    data = view.data or {}
    price = int(data.get("price") or 0)
    area = float(data.get("declared_area") or 100)
    value = price or int(area * 2_500_000) // 1000 * 1000 or 100_000_000
    amounts = {
        "land_value": value,
        "registration_fee": value * 5 // 1000,
        "deadline": (vn_today() + timedelta(days=30)).isoformat(),
    }
    if view.procedure_code == procedures.TRANSFER:
        amounts["pit"] = max(price, value) * 2 // 100
    else:
        amounts["land_levy"] = value // 2 // 1000 * 1000
    return amounts


def _transfer_data(cert: dict, parcel: dict, buyer: dict, today: date, *, new_certificate: bool) -> dict:
    seller = cert["holders"][0]
    return {
        "commune_code": parcel["commune_code"],
        "map_sheet": parcel["map_sheet"],
        "parcel_number": parcel["parcel_number"],
        "certificate_serial": cert["serial"],
        "transferor_name": seller["name"],
        "transferor_id_number": seller["id_number"],
        "transferor_birth_date": f"{seller.get('birth_year') or 1970}-01-15",
        "transferee_name": buyer["name"],
        "transferee_id_number": buyer["id_number"],
        "transferee_birth_date": f"{buyer['birth_year']}-06-20",
        "transferee_address": parcel["address"],
        "transferee_phone": "09" + buyer["id_number"][-8:],
        "contract_number": f"{buyer['id_number'][-4:]}/{today.year}/CCGD",
        "contract_date": (today - timedelta(days=7)).isoformat(),
        "price": int(parcel["area"] * 8_000_000) // 1_000_000 * 1_000_000 or 50_000_000,
        "new_certificate": "yes" if new_certificate else "no",
        "fee_exemption": "none",
    }


def _applicant(p: dict) -> dict:
    return {"name": p["name"], "id_number": p["id_number"], "phone": "09" + p["id_number"][-8:]}


async def _candidates(commune_code: str) -> tuple[list[tuple[dict, dict]], list[dict]]:
    """Certified undisputed parcels with their certificate, and unregistered undisputed ones."""
    parcels = await Parcel.select().where((Parcel.commune_code == commune_code) & (Parcel.dispute.eq(False)))
    certs = {c["parcel"]: c for c in await Certificate.select().where(Certificate.status == "valid")}
    certified, free = [], []
    for p in parcels:
        c = certs.get(p["id"])
        if c is not None and (p["term_until"] is None or p["term_until"] >= vn_today()):
            c["holders"] = load_json(c["holders"]) or []
            certified.append((c, p))
        elif c is None:
            free.append(p)
    return certified, free


_TRANSFER_PLAN = (
    "draft",
    "submitted",
    "received",
    "at_tax",
    "supplement",
    "closed",
    "suspended",
    "refused",
    "approved",
    "rejected",
    "ready",
    "returned",
    "stopped",
)
"""Target states of the demo transfers in every commune: every state of the lifecycle."""


async def _dossiers(communes, staff, rng, used_ids, today) -> None:
    driver = _driver(staff)
    for commune in communes:
        receiver = staff.get((commune.id, "receiver"))
        if receiver is None:
            log.warning("land demo: no receiver at %s, no dossiers there", commune.code)
            continue
        certified, free = await _candidates(commune.code)
        rng.shuffle(certified)
        for state in _TRANSFER_PLAN:
            if not certified:
                break
            cert, parcel = certified.pop()
            buyer = person(rng, used_ids)
            data = _transfer_data(cert, parcel, buyer, today, new_certificate=rng.random() < 0.5)
            await driver.drive(procedures.TRANSFER, commune, _applicant(buyer), data, state)
        if certified:
            cert, parcel = certified.pop()
            holder = cert["holders"][0]
            data = {
                "holder_name": holder["name"],
                "holder_id_number": holder["id_number"],
                "holder_birth_date": f"{holder.get('birth_year') or 1970}-01-15",
                "holder_phone": "0912345678",
                "commune_code": parcel["commune_code"],
                "map_sheet": parcel["map_sheet"],
                "parcel_number": parcel["parcel_number"],
                "certificate_serial": cert["serial"],
                "reason": "damaged",
                "fee_exemption": "none",
            }
            await driver.drive(procedures.REISSUE, commune, _applicant(holder), data, "returned")
        for state in ("received", "posting", "returned"):
            if not free:
                break
            parcel = free.pop()
            owner = person(rng, used_ids)
            data = {
                "holder_name": owner["name"],
                "holder_id_number": owner["id_number"],
                "holder_birth_date": f"{owner['birth_year']}-03-10",
                "holder_address": parcel["address"],
                "holder_phone": "09" + owner["id_number"][-8:],
                "has_spouse": "no",
                "commune_code": parcel["commune_code"],
                "map_sheet": parcel["map_sheet"],
                "parcel_number": parcel["parcel_number"],
                "land_use_type": parcel["land_use_type"],
                "declared_area": int(round(parcel["area"])),
                "use_since": f"{owner['birth_year'] + 25}-05-01",
                "origin": "self_use",
                "fee_exemption": "none",
                "no_dispute_declared": True,
            }
            await driver.drive(procedures.FIRST, commune, _applicant(owner), data, state)
