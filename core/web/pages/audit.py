"""Admin page of the audit log: ``GET /quan-tri/nhat-ky`` (entries of one chain, newest first) and
``POST /quan-tri/nhat-ky/kiem-tra`` (verify the hash chains). Province administrators only."""

from __future__ import annotations

import json

from litestar import Request, get, post
from litestar.response import Template

from core.audit import chain as audit_chain
from core.audit.tables import AuditEntry, AuditHead
from core.jobs.access import BACK_OFFICE
from core.web.render import page

__all__ = ("routes",)

PAGE_SIZE = 50


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


def routes() -> list:
    return [audit_page, audit_verify]
