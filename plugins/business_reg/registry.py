"""Register look-ups shared by validation, results, panels and pages.

Every function runs on the current connection, so inside core's transaction it sees (and writes)
what that transaction sees. ``public_record`` is the only shape a public page may show: no person's
ID number, birth date or residence, and no name of a household business's owner.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.api import L, RegistrySpec, vsic_name
from plugins.business_reg import names
from plugins.business_reg.tables import Business, BusinessLine, BusinessOwner

__all__ = (
    "as_int",
    "split_lines",
    "line_rows",
    "find_by_code",
    "search",
    "public_record",
    "active_people",
    "KIND_LABELS",
    "STATUS_LABELS",
    "TYPE_LABELS",
    "REGISTRY",
)

KIND_LABELS = {"enterprise": "Doanh nghiệp", "household": "Hộ kinh doanh"}
STATUS_LABELS = {"active": "Đang hoạt động", "suspended": "Tạm ngừng kinh doanh", "dissolved": "Đã giải thể"}
TYPE_LABELS = {
    "dntn": "Doanh nghiệp tư nhân",
    "tnhh1": "Công ty trách nhiệm hữu hạn một thành viên",
    "tnhh2": "Công ty trách nhiệm hữu hạn hai thành viên trở lên",
    "cp": "Công ty cổ phần",
    "": "Hộ kinh doanh",
}
_CODE = re.compile(r"^\d{10}(-\d{3})?$")


def as_int(value: Any) -> int | None:
    """An integer from a form answer (``"1.500.000"``, ``1500000``, ``"12"``), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = re.sub(r"[\s.,]", "", str(value))
    return int(text) if text.isdigit() else None


def split_lines(value: Any) -> list[str]:
    """VSIC codes of an answer, in order, without repeats (main line first)."""
    items = value if isinstance(value, (list, tuple)) else str(value or "").replace(";", ",").split(",")
    out: list[str] = []
    for item in items:
        code = str(item).strip()
        if code and code not in out:
            out.append(code)
    return out


def line_rows(codes: list[str]) -> list[dict[str, Any]]:
    """``[{code, name, main}]`` for printing (names from the national code list)."""
    return [{"code": c, "name": vsic_name(c) or "", "main": i == 0} for i, c in enumerate(codes)]


async def find_by_code(code: str) -> dict[str, Any] | None:
    return await Business.select().where(Business.code == str(code or "").strip()).first()


async def search(query: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """By enterprise/household code (exact), else by name: the folded name starts with the query's
    folded form, or its similarity key equals the query's (so "Song Dong Nai" finds "Sông Đồng Nai")."""
    text = str(query or "").strip()
    if not text:
        return []
    if _CODE.match(text.replace(" ", "")):
        rows = await Business.select().where(Business.code == text.replace(" ", ""))
    else:
        key = names.fold(text)
        if not key:
            return []
        like = key.replace("\\", "").replace("%", "").replace("_", "")
        rows = (
            await Business.select()
            .where(Business.name_key.like(f"{like}%") | (Business.core_key == names.core_key(text)))
            .order_by(Business.name)
            .limit(limit)
        )
    return rows


async def active_people(business_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The active owner/representatives of the businesses, one query."""
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in business_ids}
    if not business_ids:
        return out
    for r in (
        await BusinessOwner.select()
        .where(BusinessOwner.business.is_in(business_ids) & (BusinessOwner.active.eq(True)))
        .order_by(BusinessOwner.id)
    ):
        out[r["business"]].append(r)
    return out


async def lines_of(business_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in business_ids}
    if not business_ids:
        return out
    rows = (
        await BusinessLine.select(BusinessLine.business, BusinessLine.vsic)
        .where(BusinessLine.business.is_in(business_ids))
        .order_by(BusinessLine.main, ascending=False)
        .order_by(BusinessLine.id)
    )
    for r in rows:
        out[r["business"]].append(r["vsic"])
    return out


def public_record(
    row: Mapping[str, Any], lines: list[str], people: list[Mapping[str, Any]]
) -> dict[str, Any]:
    """What anyone may see of a business (the data the national portal publishes): name, code, type,
    address, status, first registration date, capital and lines; an enterprise's legal representative
    by name only; nothing about a household's owner."""
    rep = (
        next((p["full_name"] for p in people if p["role"] == "representative"), "")
        if row["kind"] == "enterprise"
        else ""
    )
    return {
        "code": row["code"],
        "name": row["name"],
        "name_en": row.get("name_en") or "",
        "kind": row["kind"],
        "kind_label": KIND_LABELS.get(row["kind"], row["kind"]),
        "type_label": TYPE_LABELS.get(row.get("enterprise_type") or "", ""),
        "address": row["address"],
        "status": STATUS_LABELS.get(row["status"], row["status"]),
        "registered_on": row["registered_on"],
        "capital": row["charter_capital"],
        "lines": line_rows(lines),
        "representative": rep,
    }


REGISTRY = RegistrySpec(
    id="business_reg.businesses",
    name=L("Sổ đăng ký doanh nghiệp, hộ kinh doanh", "Business register (enterprises, household businesses)"),
    personal=("people",),
    key=lambda record: str(record["code"]),
    keeper_kinds=("business_registry",),
    keeper=lambda record: record.get("agency_id"),
    dossier_codes=lambda record: record.get("dossier_codes") or (),
    dossier_answers=lambda record: [{"enterprise_code": record["code"]}],
)
"""The business register under core's personal-data rule. A business's record is ``public_record``
plus ``agency_id`` (the registering agency, which keeps it with the business registration office),
``dossier_codes`` (the dossiers that registered or changed it) and ``people``: the owners and
representatives with their ID numbers, birth dates and residences — the personal part. A change
dossier naming the enterprise code is about it."""
