"""Admin pages of the audit log: ``GET /quan-tri/nhat-ky`` (entries of one chain, newest first),
``POST /quan-tri/nhat-ky/kiem-tra`` (verify the hash chains) and ``GET /quan-tri/nhat-ky-doc-du-lieu``
(who read whose personal data: dossiers and registry records, across every chain). Province
administrators only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from litestar import Request, get, post
from litestar.response import Template

from core.audit import chain as audit_chain
from core.audit.tables import AuditEntry, AuditHead
from core.contract.vntime import VN_TZ
from core.dossiers import reads
from core.identity.tables import Agency, User
from core.jobs.access import BACK_OFFICE
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, with_role
from core.web.render import page

__all__ = ("routes",)

PAGE_SIZE = 50
menu_entry("/quan-tri/nhat-ky-doc-du-lieu", N_("Personal data reads"), with_role("province_admin"), order=931)


async def _context(chain: str, page_no: int) -> dict:
    chains = [r["chain"] for r in await AuditHead.select(AuditHead.chain).order_by(AuditHead.chain)]
    heads = {r["chain"]: r["seq"] for r in await AuditHead.select(AuditHead.chain, AuditHead.seq)}
    if chain not in chains:
        chain = "global" if "global" in chains else (chains[0] if chains else "global")
    rows = (
        await AuditEntry.select()
        .where(AuditEntry.chain == chain)
        .order_by(AuditEntry.seq, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
        .output(load_json=True)
    )
    for r in rows:
        r["data_text"] = json.dumps(r["data"], ensure_ascii=False, sort_keys=True) if r["data"] else ""
    return {
        "chains": chains,
        "heads": heads,
        "chain": chain,
        "rows": rows,
        "page_no": page_no,
        "has_next": len(rows) == PAGE_SIZE,
        "checked": False,
        "problems": [],
    }


@get("/quan-tri/nhat-ky", include_in_schema=False, name="admin_audit", guards=BACK_OFFICE)
async def audit_page(request: Request, chuoi: str = "global", trang: int = 1) -> Template:
    return await page(request, "admin/audit.html", await _context(chuoi, max(1, trang)))


@post("/quan-tri/nhat-ky/kiem-tra", include_in_schema=False, name="admin_audit_verify", guards=BACK_OFFICE)
async def audit_verify(request: Request) -> Template:
    user = request.user
    form = await request.form()
    chain = str(form.get("chuoi") or "")
    problems = await audit_chain.verify_all()
    await audit_chain.append(
        "audit.verify",
        actor_id=user.id,
        object_type="audit",
        object_id=chain or "all",
        data={"problems": len(problems)},
    )
    ctx = await _context(chain or "global", 1)
    ctx.update(checked=True, problems=problems)
    return await page(request, "admin/audit.html", ctx, block="verify")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


@get(
    "/quan-tri/nhat-ky-doc-du-lieu",
    include_in_schema=False,
    name="admin_personal_reads",
    guards=BACK_OFFICE,
)
async def personal_reads_page(
    request: Request, ma: str = "", tai_khoan: str = "", tu: str = "", den: str = "", trang: int = 1
) -> Template:
    """Every read of personal data by staff, newest first, across the agencies' chains."""
    ma, tai_khoan = ma.strip()[:64], tai_khoan.strip()[:150]
    page_no = max(1, min(trang, 10_000))
    errors: dict[str, str] = {}
    where: Any = AuditEntry.action.is_in(list(reads.ACTIONS))
    if ma:
        where &= AuditEntry.object_id == ma
    if tai_khoan:
        who = await User.select(User.id).where(User.username == tai_khoan).first()
        if who is None:
            errors["tai_khoan"] = _("There is no account named '%(name)s'.") % {"name": tai_khoan}
        where &= AuditEntry.actor_id == (who["id"] if who else -1)
    start, end = _day(tu), _day(den)
    if tu and start is None:
        errors["tu"] = _("Not a date: write it as year-month-day, for example 2026-12-01.")
    if den and end is None:
        errors["den"] = _("Not a date: write it as year-month-day, for example 2026-12-31.")
    if start:
        where &= AuditEntry.at >= datetime.combine(start, time(0), VN_TZ).astimezone(UTC)
    if end:
        where &= AuditEntry.at < datetime.combine(end + timedelta(days=1), time(0), VN_TZ).astimezone(UTC)
    rows = (
        await AuditEntry.select(
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.data,
        )
        .where(where)
        .order_by(AuditEntry.at, ascending=False)
        .order_by(AuditEntry.id, ascending=False)
        .limit(PAGE_SIZE + 1)
        .offset((page_no - 1) * PAGE_SIZE)
        .output(load_json=True)
    )
    has_next, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    actor_ids = sorted({r["actor_id"] for r in rows if r["actor_id"] is not None})
    people = (
        {
            u["id"]: u
            for u in await User.select(User.id, User.username, User.full_name).where(User.id.is_in(actor_ids))
        }
        if actor_ids
        else {}
    )
    agency_codes = sorted({str((r["data"] or {}).get("agency") or "") for r in rows} - {""})
    agencies = (
        {
            a["code"]: a["name"]
            for a in await Agency.select(Agency.code, Agency.name).where(Agency.code.is_in(agency_codes))
        }
        if agency_codes
        else {}
    )
    for r in rows:
        data = r["data"] or {}
        r["person"] = people.get(r["actor_id"])
        r["agency_name"] = agencies.get(str(data.get("agency") or ""), "")
        r["route"] = data.get("route") or data.get("registry") or ""
        r["path"] = data.get("path") or ""
        r["roles"] = data.get("roles") or []
        r["reason"] = data.get("reason") or ""
    query = {"ma": ma, "tai_khoan": tai_khoan, "tu": tu.strip()[:10], "den": den.strip()[:10]}
    return await page(
        request,
        "admin/personal_reads.html",
        {
            "rows": rows,
            "page_no": page_no,
            "has_next": has_next,
            "query": query,
            "errors": errors,
            "page_query": "&".join(f"{k}={v}" for k, v in query.items() if v),
        },
    )


def routes() -> list:
    return [audit_page, audit_verify, personal_reads_page]
