"""Staff pages of the land registry, mounted under ``/dat-dai``: search parcels and certificates, and a
parcel's record (certificates in force and replaced, with their history)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from core.api import NotFound, load_json, moved, page, registry_view, requires_permission
from plugins.land.forms import LAND_USE_TYPES
from plugins.land.permissions import REGISTRY_VIEW
from plugins.land.registry import REGISTRY, as_int, certificate_history, normalise_serial
from plugins.land.tables import Certificate, Parcel
from plugins.land.validation import area_vi

__all__ = ("ROUTES",)

PAGE_SIZE = 50


STAFF_ONLY = [
    requires_permission(
        REGISTRY_VIEW, message="Chỉ cán bộ được phân quyền mới tra cứu được cơ sở dữ liệu địa chính."
    )
]
"""The registry pages' guard: the permission this plugin registers (``permissions.py``)."""


def _query(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    q = {
        k: str(request.query_params.get(k) or "").strip()
        for k in ("commune_code", "map_sheet", "parcel_number", "serial")
    }
    errors: dict[str, str] = {}
    for name, label in (("map_sheet", "Số tờ bản đồ"), ("parcel_number", "Số thửa")):
        if q[name] and (as_int(q[name]) is None or as_int(q[name]) < 1):
            errors[name] = f"{label} phải là số nguyên dương, ví dụ 12."
    if q["serial"] and normalise_serial(q["serial"]) is None:
        errors["serial"] = "Số phát hành gồm 2 chữ cái và 6 chữ số, ví dụ DA 123456."
    if (q["map_sheet"] or q["parcel_number"]) and not q["commune_code"]:
        errors["commune_code"] = "Nhập mã xã, phường nơi có thửa đất để tìm theo tờ bản đồ, số thửa."
    return q, errors


async def _search(q: dict[str, str]) -> list[dict[str, Any]]:
    if q["serial"]:
        cert = (
            await Certificate.select(Certificate.parcel)
            .where(Certificate.serial == normalise_serial(q["serial"]))
            .first()
        )
        if cert is None:
            return []
        where = Parcel.id == cert["parcel"]
    elif q["commune_code"]:
        where = Parcel.commune_code == q["commune_code"]
        if q["map_sheet"]:
            where &= Parcel.map_sheet == as_int(q["map_sheet"])
        if q["parcel_number"]:
            where &= Parcel.parcel_number == as_int(q["parcel_number"])
    else:
        return []
    rows = (
        await Parcel.select()
        .where(where)
        .order_by(Parcel.map_sheet)
        .order_by(Parcel.parcel_number)
        .limit(PAGE_SIZE)
    )
    if rows:
        certs = await Certificate.select(Certificate.parcel, Certificate.serial).where(
            Certificate.parcel.is_in([r["id"] for r in rows]) & (Certificate.status == "valid")
        )
        by_parcel = {c["parcel"]: c["serial"] for c in certs}
        for r in rows:
            r["serial"] = by_parcel.get(r["id"], "")
            r["area_text"] = area_vi(r["area"])
    return rows


@get("/tra-cuu", include_in_schema=False, name="land_registry", guards=STAFF_ONLY)
async def registry_page(request: Request) -> Template:
    """Search the registry by parcel (commune, sheet, number) or by certificate serial."""
    q, errors = _query(request)
    searched = any(q.values())
    rows = [] if errors or not searched else await _search(q)
    ctx = {
        "q": q,
        "errors": errors,
        "rows": rows,
        "searched": searched,
        "page_size": PAGE_SIZE,
        "uses": dict((k, v) for k, v in LAND_USE_TYPES),
    }
    return await page(
        request,
        "land/registry.html",
        ctx,
        block="results" if request.headers.get("hx-target") == "results" else "main",
        status_code=422 if errors else 200,
    )


@get("/thua-dat/{parcel_id:int}", include_in_schema=False, name="land_parcel", guards=STAFF_ONLY)
async def parcel_page(request: Request, parcel_id: int) -> Template:
    """One parcel with every certificate issued for it and their history."""
    parcel = await Parcel.select().where(Parcel.id == parcel_id).first()
    if parcel is None:
        raise NotFound(f"Không có thửa đất mã {parcel_id} trong cơ sở dữ liệu địa chính.")
    parcel["area_text"] = area_vi(parcel["area"])
    certs = (
        await Certificate.select()
        .where(Certificate.parcel == parcel_id)
        .order_by(Certificate.id, ascending=False)
    )
    for c in certs:
        c["holders"] = load_json(c["holders"]) or []
        c["history"] = await certificate_history(c["id"])
    # Core's one rule decides whether this viewer sees the holders (and audits the read when they do).
    view = await registry_view(REGISTRY.id, {**parcel, "certificates": certs}, request.user)
    return await page(
        request,
        "land/parcel.html",
        {
            "p": view.record,
            "certs": view.record["certificates"],
            "personal": view.personal,
            "uses": dict((k, v) for k, v in LAND_USE_TYPES),
        },
    )


ROUTES = [
    registry_page,
    parcel_page,
    moved("/land/registry", "land_registry"),
    moved("/land/parcels/{parcel_id:int}", "land_parcel"),
]
