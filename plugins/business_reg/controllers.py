"""Pages of the business register, mounted under ``/dang-ky-kinh-doanh``: a public look-up of enterprises and
household businesses by code or name (public data only), and one business's record — with its owner
or legal representatives' personal data for staff only."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get
from litestar.response import Template

from core.api import NotFound, has_permission, load_json, moved, page, public, registry_view
from plugins.business_reg.permissions import REGISTER_VIEW
from plugins.business_reg.registry import (
    REGISTRY,
    active_people,
    find_by_code,
    lines_of,
    public_record,
    search,
)
from plugins.business_reg.tables import BusinessHistory

__all__ = ("ROUTES",)

PAGE_SIZE = 50


def _is_staff(request: Request) -> bool:
    """Whether the viewer holds this plugin's register permission (sees the dossier codes of changes)."""
    return has_permission(request.user, None, REGISTER_VIEW)


def _check(q: str) -> str | None:
    if not q:
        return None
    compact = q.replace(" ", "")
    if re.fullmatch(r"[\d-]+", compact) and not re.fullmatch(r"\d{10}(-\d{3})?", compact):
        return (
            f"Mã số doanh nghiệp, mã số hộ kinh doanh gồm 10 chữ số (bạn nhập {sum(c.isdigit() for c in compact)} "
            "chữ số); mã số đơn vị phụ thuộc thêm dấu gạch ngang và 3 chữ số, ví dụ 3600000014-001."
        )
    if len(q) < 3:
        return "Nhập mã số (10 chữ số) hoặc ít nhất 3 ký tự của tên doanh nghiệp, hộ kinh doanh."
    return None


async def _records(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    lines, people = await lines_of(ids), await active_people(ids)  # two queries whatever the page size
    return [public_record(r, lines[r["id"]], people[r["id"]]) for r in rows]


@get(
    "/tra-cuu",
    include_in_schema=False,
    name="business_reg_registry",
    opt=public("public business register look-up (public data only, as the national portal publishes)"),
)
async def registry_page(request: Request) -> Template:
    """Anyone may look a business up by its code or name (what the national portal publishes)."""
    q = str(request.query_params.get("q") or "").strip()[:200]
    error = _check(q)
    rows = [] if error or not q else await _records(await search(q, limit=PAGE_SIZE))
    ctx = {
        "q": q,
        "errors": {"q": error} if error else {},
        "rows": rows,
        "searched": bool(q),
        "page_size": PAGE_SIZE,
    }
    block = "results" if request.headers.get("hx-target") == "results" else "main"
    return await page(
        request, "business_reg/registry.html", ctx, block=block, status_code=422 if error else 200
    )


@get(
    "/doanh-nghiep/{code:str}",
    include_in_schema=False,
    name="business_reg_business",
    opt=public("public record of one business (owners' personal data under core's registry rule)"),
)
async def business_page(request: Request, code: str) -> Template:
    """One business: public data for everyone; owners and representatives (with ID numbers) for the staff
    core's registry rule allows (the keeping agencies, or an active step on a dossier about it)."""
    row = await find_by_code(code)
    if row is None:
        raise NotFound(f"Không có doanh nghiệp, hộ kinh doanh mã số {code} trong sổ đăng ký.")
    people = (await active_people([row["id"]]))[row["id"]]
    staff = _is_staff(request)
    history, codes = [], [row["dossier_code"]]
    for h in (
        await BusinessHistory.select()
        .where(BusinessHistory.business == row["id"])
        .order_by(BusinessHistory.id)
    ):
        change = load_json(h["change"])
        change = change if isinstance(change, dict) else {}
        note = "Đăng ký lần đầu" if change.get("registered") else change.get("note") or "Đăng ký thay đổi"
        history.append({"at": h["at"], "note": note, "dossier_code": h["dossier_code"] if staff else ""})
        codes.append(h["dossier_code"])
    record = {
        **public_record(row, (await lines_of([row["id"]]))[row["id"]], people),
        "agency_id": row["agency_id"],
        "dossier_codes": [c for c in codes if c],
        "people": people,
    }
    view = await registry_view(REGISTRY.id, record, request.user)
    return await page(
        request,
        "business_reg/business.html",
        {
            "b": view.record,
            "people": view.record.get("people", []),
            "personal": view.personal,
            "history": history,
            "staff": staff,
        },
    )


ROUTES = [
    registry_page,
    business_page,
    moved("/business_reg/registry", "business_reg_registry"),
    moved("/business_reg/businesses/{code:str}", "business_reg_business"),
]
