"""Staff pages of the civil-status registry, mounted under ``/ho-tich``: search the books the user
keeps, and one entry with its certified extracts — personal data under core's registry rule."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get
from litestar.response import Template

from core.api import (
    L,
    NotFound,
    keeper_scope,
    load_json,
    moved,
    page,
    registry_view,
    registry_views,
    requires_permission,
)
from plugins.civil_status.permissions import REGISTRY_VIEW
from plugins.civil_status.registry import BOOK_NAMES, REGISTRY
from plugins.civil_status.tables import CivilBook, CivilEntry, CivilExtract, LinkedResult

__all__ = ("ROUTES", "KINDS")

KINDS = (
    ("birth", L("Khai sinh", "Birth")),
    ("marriage", L("Kết hôn", "Marriage")),
    ("death", L("Khai tử", "Death")),
)
STATUSES = {
    "active": L("Đang có hiệu lực", "In force"),
    "dissolved": L("Đã ly hôn", "Dissolved by divorce"),
    "ended_death": L("Chấm dứt do một bên chết", "Ended by death"),
}
PAGE_SIZE = 50


STAFF_ONLY = [
    requires_permission(REGISTRY_VIEW, message="Chỉ cán bộ được phân quyền mới tra cứu được Sổ hộ tịch.")
]
"""The registry pages' guard: the permission this plugin registers (``permissions.py``)."""


def _query(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    q = {k: str(request.query_params.get(k) or "").strip() for k in ("kind", "year", "entry_number", "cccd")}
    errors: dict[str, str] = {}
    if q["kind"] and q["kind"] not in dict(KINDS):
        errors["kind"] = "Chọn loại sổ: khai sinh, kết hôn hoặc khai tử."
    if q["year"] and not re.fullmatch(r"(19|20)\d\d", q["year"]):
        errors["year"] = "Năm gồm 4 chữ số, ví dụ 2026."
    if q["entry_number"] and not (q["entry_number"].isdigit() and int(q["entry_number"]) > 0):
        errors["entry_number"] = "Số đăng ký là số nguyên dương, ví dụ 45."
    if q["entry_number"] and not (q["kind"] and q["year"]):
        errors.setdefault("entry_number", "Để tìm theo số đăng ký, chọn cả loại sổ và năm của sổ.")
    if q["cccd"] and not re.fullmatch(r"\d{12}", q["cccd"]):
        errors["cccd"] = "Số định danh cá nhân gồm đúng 12 chữ số."
    return q, errors


async def _search(q: dict[str, str], agencies: list[int]) -> list[dict[str, Any]]:
    where = CivilEntry.agency_id.is_in(agencies or [0])
    if q["kind"]:
        where &= CivilEntry.kind == q["kind"]
    if q["year"]:
        where &= CivilEntry.book.year == int(q["year"])
    if q["entry_number"]:
        where &= CivilEntry.entry_number == int(q["entry_number"])
    if q["cccd"]:
        where &= (CivilEntry.person_cccd == q["cccd"]) | (CivilEntry.partner_cccd == q["cccd"])
    return (
        await CivilEntry.select(
            CivilEntry.id,
            CivilEntry.kind,
            CivilEntry.entry_number,
            CivilEntry.book.number.as_alias("book_number"),
            CivilEntry.agency_id,
            CivilEntry.registered_on,
            CivilEntry.event_date,
            CivilEntry.person_name,
            CivilEntry.partner_name,
            CivilEntry.status,
        )
        .where(where)
        .order_by(CivilEntry.id, ascending=False)
        .limit(PAGE_SIZE)
    )


@get("/tra-cuu", include_in_schema=False, name="civil_status_registry", guards=STAFF_ONLY)
async def registry_page(request: Request) -> Template:
    """Search the books the user keeps (core's registry rule) by kind, year, entry number or CCCD; the
    result lists names, so a search that finds entries is written to the audit log."""
    user = request.user
    q, errors = _query(request)
    searched = any(q.values())
    rows: list[dict[str, Any]] = []
    if searched and not errors:
        scope = await keeper_scope(REGISTRY.id, user)
        found = await _search(q, scope.agency_ids)
        rows = [v.record for v in await registry_views(REGISTRY.id, found, user, query=q)]
    ctx = {
        "q": q,
        "errors": errors,
        "rows": rows,
        "searched": searched,
        "page_size": PAGE_SIZE,
        "kinds": KINDS,
        "kind_names": dict(KINDS),
        "statuses": STATUSES,
        "book_names": BOOK_NAMES,
    }
    block = "results" if request.headers.get("hx-target") == "results" else "main"
    return await page(
        request, "civil_status/registry.html", ctx, block=block, status_code=422 if errors else 200
    )


@get("/tra-cuu/{entry_id:int}", include_in_schema=False, name="civil_status_entry", guards=STAFF_ONLY)
async def entry_page(request: Request, entry_id: int) -> Template:
    """One entry: the book, number, dates and status for any staff; the registered people and details
    for the staff core's registry rule allows (the keeping agency, or an active step on a dossier about
    it, such as the police's residence step of the linked birth route)."""
    user = request.user
    entry = (
        await CivilEntry.select(CivilEntry.all_columns(), CivilEntry.book.number.as_alias("book_number"))
        .where(CivilEntry.id == entry_id)
        .first()
    )
    if entry is None:
        raise NotFound(f"Không có đăng ký số hiệu {entry_id} trong Sổ hộ tịch.")
    entry["data"] = load_json(entry["data"]) or {}
    entry["extracts"] = (
        await CivilExtract.select().where(CivilExtract.entry == entry_id).order_by(CivilExtract.id)
    )
    entry["linked"] = (
        await LinkedResult.select(
            LinkedResult.kind, LinkedResult.number, LinkedResult.issued_on, LinkedResult.dossier_code
        ).where(LinkedResult.birth_entry == entry_id)
        if entry["kind"] == "birth"
        else []
    )
    view = await registry_view(REGISTRY.id, entry, user)
    book = (
        await CivilBook.select(CivilBook.agency_code, CivilBook.year)
        .where(CivilBook.id == entry["book"])
        .first()
    )
    return await page(
        request,
        "civil_status/entry.html",
        {
            "e": view.record,
            "personal": view.personal,
            "extracts": view.record["extracts"],
            "linked": view.record["linked"],
            "book": book,
            "kind_names": dict(KINDS),
            "statuses": STATUSES,
            "book_names": BOOK_NAMES,
        },
    )


ROUTES = [
    registry_page,
    entry_page,
    moved("/civil_status/registry", "civil_status_registry"),
    moved("/civil_status/registry/{entry_id:int}", "civil_status_entry"),
]
