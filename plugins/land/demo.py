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
    MotcuaError,
    balance_due,
    dossiers,
    fee_amounts,
    is_enabled,
    load_user,
    record_payment,
    set_enabled,
    set_fee,
    write_tx,
)
from plugins.land import procedures
from plugins.land.demo_registry import person, seed_parcels
from plugins.land.fees import DEFAULT_FEES, FEE_BASIS
from plugins.land.registry import load_json
from plugins.land.tables import Certificate, LandCounter, Parcel

__all__ = ("seed",)

log = logging.getLogger("motcua.land.demo")

MIN_PARCELS = 360
MARKER = "demo:dossiers"


async def seed(ctx: Mapping[str, Any]) -> None:
    agencies = dict(ctx.get("agencies") or {})
    today = ctx.get("today") or date.today()
    communes = sorted((a for a in agencies.values() if a.level == "commune"), key=lambda a: a.code)
    if not communes:
        log.warning("land demo: no commune in the demo province, nothing to seed")
        return
    rng = random.Random(20261123)
    used_ids: set[str] = set()
    async with write_tx():
        n = await seed_parcels(communes, per_commune=max(MIN_PARCELS // len(communes) + 1, 60), rng=rng,
                               used_ids=used_ids, today=today)
    log.info("land demo: %s parcels inserted", n)
    await _fees(today)
    await _activate(agencies.values())
    if await LandCounter.exists().where(LandCounter.name == MARKER):
        return
    staff = await _staff(ctx.get("users") or {})
    await _dossiers(communes, agencies, staff, rng, used_ids, today)
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


async def _staff(users: Mapping[str, int]) -> dict[tuple[int, str], Any]:
    """``(agency id, role) → user view`` for the demo users (first one found), plus citizens."""
    out: dict[tuple[int, str], Any] = {}
    for username in sorted(users):
        view = await load_user(users[username])
        if view is None:
            continue
        for agency_id, role in sorted(view.grants):
            out.setdefault((agency_id, role), view)
        if not view.is_staff:
            out.setdefault((0, "citizen"), view)
    return out


class _Driver:
    """Moves one demo dossier along its route, stopping at the state asked for."""

    def __init__(self, staff, agencies_by_id):
        self.staff = staff
        self.by_id = agencies_by_id

    def who(self, agency_id: int, role: str):
        return self.staff.get((agency_id, role))

    async def step(self, view, action: str = "complete_step", **kw):
        active = [s for s in view.steps if s.status == "active"]
        if not active:
            raise LookupError("no active step")
        s = active[0]
        actor = self.who(s.agency.id, s.role)
        if actor is None:
            raise LookupError(f"no {s.role} at {s.agency.code}")
        if action == "complete_step" and s.step_id == "tax_notice":  # the tax officer enters the assessment
            return await dossiers.act(view.id, "complete_step", actor=actor, version=view.version, step_id=s.id,
                                      **_assessment(view))
        fn = getattr(dossiers, action)
        return await fn(view.id, s.id, actor=actor, version=view.version, **kw)


def _assessment(view) -> dict:
    """What a tax officer enters for a demo dossier: the price-table value, 0.5 % registration fee,
    2 % PIT on a transfer, a land levy on a first registration, 30 days to pay."""
    data = view.data or {}
    price = int(data.get("price") or 0)
    area = float(data.get("declared_area") or 100)
    value = price or int(area * 2_500_000) // 1000 * 1000 or 100_000_000
    amounts = {"land_value": value, "registration_fee": value * 5 // 1000,
               "deadline": (date.today() + timedelta(days=30)).isoformat()}
    if view.procedure_code == procedures.TRANSFER:
        amounts["pit"] = max(price, value) * 2 // 100
    else:
        amounts["land_levy"] = value // 2 // 1000 * 1000
    return amounts


def _transfer_data(cert: dict, parcel: dict, buyer: dict, today: date, *, new_certificate: bool) -> dict:
    seller = cert["holders"][0]
    return {
        "commune_code": parcel["commune_code"], "map_sheet": parcel["map_sheet"], "parcel_number": parcel["parcel_number"],
        "certificate_serial": cert["serial"],
        "transferor_name": seller["name"], "transferor_id_number": seller["id_number"],
        "transferor_birth_date": f"{seller.get('birth_year') or 1970}-01-15",
        "transferee_name": buyer["name"], "transferee_id_number": buyer["id_number"],
        "transferee_birth_date": f"{buyer['birth_year']}-06-20", "transferee_address": parcel["address"],
        "transferee_phone": "09" + buyer["id_number"][-8:], "contract_number": f"{buyer['id_number'][-4:]}/{today.year}/CCGD",
        "contract_date": (today - timedelta(days=7)).isoformat(),
        "price": int(parcel["area"] * 8_000_000) // 1_000_000 * 1_000_000 or 50_000_000,
        "new_certificate": "yes" if new_certificate else "no", "fee_exemption": "none",
    }


def _applicant(p: dict) -> dict:
    return {"name": p["name"], "id_number": p["id_number"], "phone": "09" + p["id_number"][-8:]}


async def _candidates(commune_code: str) -> tuple[list[tuple[dict, dict]], list[dict]]:
    """Certified undisputed parcels with their certificate, and unregistered undisputed ones."""
    parcels = await Parcel.select().where((Parcel.commune_code == commune_code) & (Parcel.dispute == False))  # noqa: E712
    certs = {c["parcel"]: c for c in await Certificate.select().where(Certificate.status == "valid")}
    certified, free = [], []
    for p in parcels:
        c = certs.get(p["id"])
        if c is not None and (p["term_until"] is None or p["term_until"] >= date.today()):
            c["holders"] = load_json(c["holders"]) or []
            certified.append((c, p))
        elif c is None:
            free.append(p)
    return certified, free


_TRANSFER_PLAN = (
    "draft", "submitted", "received", "at_tax", "supplement", "closed", "suspended", "refused",
    "approved", "rejected", "ready", "returned", "stopped",
)
"""Target states of the demo transfers in every commune: every state of the lifecycle."""


async def _dossiers(communes, agencies, staff, rng, used_ids, today) -> None:
    by_id = {a.id: a for a in agencies.values()}
    driver = _Driver(staff, by_id)
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
            await _run(driver, receiver, procedures.TRANSFER, commune, _applicant(buyer), data, state)
        if certified:
            cert, parcel = certified.pop()
            holder = cert["holders"][0]
            data = {"holder_name": holder["name"], "holder_id_number": holder["id_number"],
                    "holder_birth_date": f"{holder.get('birth_year') or 1970}-01-15", "holder_phone": "0912345678",
                    "commune_code": parcel["commune_code"], "map_sheet": parcel["map_sheet"],
                    "parcel_number": parcel["parcel_number"], "certificate_serial": cert["serial"],
                    "reason": "damaged", "fee_exemption": "none"}
            await _run(driver, receiver, procedures.REISSUE, commune, _applicant(holder), data, "returned")
        for state in ("received", "posting", "returned"):
            if not free:
                break
            parcel = free.pop()
            owner = person(rng, used_ids)
            data = {"holder_name": owner["name"], "holder_id_number": owner["id_number"],
                    "holder_birth_date": f"{owner['birth_year']}-03-10", "holder_address": parcel["address"],
                    "holder_phone": "09" + owner["id_number"][-8:], "has_spouse": "no",
                    "commune_code": parcel["commune_code"], "map_sheet": parcel["map_sheet"],
                    "parcel_number": parcel["parcel_number"], "land_use_type": parcel["land_use_type"],
                    "declared_area": int(round(parcel["area"])), "use_since": f"{owner['birth_year'] + 25}-05-01",
                    "origin": "self_use", "fee_exemption": "none", "no_dispute_declared": True}
            await _run(driver, receiver, procedures.FIRST, commune, _applicant(owner), data, state)


async def _run(driver: _Driver, receiver, procedure: str, commune, applicant: dict, data: dict, target: str) -> None:
    """Create at the counter and drive to ``target``; failures are logged with the reason."""
    try:
        if target == "submitted":
            citizen = driver.staff.get((0, "citizen"))
            if citizen is None:
                raise LookupError("no citizen account among the demo users")
            view = await dossiers.create(procedure, commune.id, actor=citizen, applicant=applicant, data=data,
                                         channel="truc_tuyen")
            await dossiers.submit(view.id, actor=citizen, version=view.version)
            return
        view = await dossiers.create(procedure, commune.id, actor=receiver, applicant=applicant, data=data,
                                     channel="truc_tiep")
        if target == "draft":
            return
        if target == "refused":
            await dossiers.refuse_intake(view.id, actor=receiver, version=view.version,
                                         reasons="Hợp đồng chuyển nhượng chưa được công chứng, chứng thực.")
            return
        view = await dossiers.receive(view.id, actor=receiver, version=view.version)
        if target == "received":
            return
        if target == "stopped":
            await dossiers.stop(view.id, actor=receiver, version=view.version,
                                reason="Người nộp hồ sơ có văn bản đề nghị dừng giải quyết.")
            return
        if target in ("supplement", "closed"):
            view = await driver.step(view, "request_supplement",
                                     items=["Tờ khai thuế thu nhập cá nhân có chữ ký của bên chuyển nhượng"],
                                     reason="Thiếu tờ khai thuế thu nhập cá nhân.")
            if target == "closed":  # what the nightly clock scan does when the supplement never comes
                await dossiers.close_unanswered(view.id, version=view.version,
                                                note="Quá thời hạn bổ sung hồ sơ mà người nộp không bổ sung.")
            return
        if target == "suspended":
            await driver.step(view, "suspend", reason_code="violation",
                              reason="Thửa đất có dấu hiệu vi phạm pháp luật đất đai; tạm dừng chờ kết quả xử lý.")
            return
        view = await driver.step(view)  # first step
        if target == "at_tax" or (target == "posting" and procedure == procedures.FIRST and await _to_posting(driver, view)):
            return
        while any(s.status == "active" for s in view.steps):
            active = next(s for s in view.steps if s.status == "active")
            if "approve" in active.outcomes:
                if target == "rejected":
                    await driver.step(view, "reject", reasons="Giá chuyển nhượng ghi trong hợp đồng không thống nhất với tờ khai thuế.")
                    return
                view = await driver.step(view, "approve")
            else:
                view = await driver.step(view)
        if target == "approved":
            return
        view = await dossiers.mark_result_ready(view.id, actor=receiver, version=view.version)
        if target == "ready":
            return
        due = await balance_due(view.id)
        if due:
            await record_payment(view.id, actor=receiver, method="cash", amount=due)
            view = await dossiers.get(view.id)
        await dossiers.return_result(view.id, actor=receiver, version=view.version, channel="counter",
                                     receiver={"name": applicant["name"], "id_number": applicant["id_number"]})
    except (MotcuaError, LookupError) as exc:
        log.warning("land demo: %s dossier for %s stopped before '%s': %s", procedure, commune.code, target, exc)


async def _to_posting(driver: _Driver, view) -> bool:
    view = await driver.step(view)  # commune verification → public posting
    return True
