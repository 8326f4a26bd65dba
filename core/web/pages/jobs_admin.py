"""Admin page of background work: ``GET /quan-tri/tac-vu`` (outbox rows by status) and the
re-send of a failed row (``POST /quan-tri/tac-vu/{id}/gui-lai``). Province administrators only."""

from __future__ import annotations

import json

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.jobs.access import BACK_OFFICE
from core.jobs.tables import Outbox
from core.web.render import flash, page

__all__ = ("routes", "STATUSES")

STATUSES = ("pending", "queued", "running", "failed", "done")
PAGE_SIZE = 50
COUNT_CAP = 1000
"""Tabs count at most this many rows (then show ``1000+``): done rows pile up for ever, and counting
them all would read the whole outbox on every view (bench/pages.py)."""


def _payload(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


async def _counts() -> dict[str, int | str]:
    """Rows per status in one statement, each read through the status index and capped."""
    from core.db.tx import raw

    one = "(SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status = {{}} LIMIT {{}}) AS c{i}) AS n{i}"
    sql = ", ".join(one.format(i=i) for i in range(len(STATUSES)))
    row = (await raw(f"SELECT {sql}", *(a for s in STATUSES for a in (s, COUNT_CAP + 1))))[0]
    return {
        s: (f"{COUNT_CAP}+" if row[f"n{i}"] > COUNT_CAP else row[f"n{i}"]) for i, s in enumerate(STATUSES)
    }


@get("/quan-tri/tac-vu", include_in_schema=False, name="admin_jobs", guards=BACK_OFFICE)
async def jobs_page(request: Request, trang_thai: str = "failed", trang: int = 1) -> Template:
    status = trang_thai if trang_thai in STATUSES else "failed"
    counts = await _counts()
    page_no = max(1, trang)
    rows = (
        await Outbox.select()
        .where(Outbox.status == status)
        .order_by(Outbox.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page_no - 1) * PAGE_SIZE)
    )
    for row in rows:
        row["payload_text"] = _payload(row["payload"])
    return await page(
        request,
        "admin/jobs.html",
        {
            "status": status,
            "statuses": STATUSES,
            "counts": counts,
            "rows": rows,
            "page_no": page_no,
            "has_next": len(rows) == PAGE_SIZE,
        },
    )


@post(
    "/quan-tri/tac-vu/{row_id:int}/gui-lai",
    include_in_schema=False,
    name="admin_jobs_resend",
    guards=BACK_OFFICE,
)
async def resend_job(request: Request, row_id: int) -> Redirect:
    from core.jobs import runner, tasks
    from core.text.i18n import gettext as _

    user = request.user
    new_id = await tasks.resend(row_id, actor_id=user.id)
    runner.wake(request.app)
    flash(request, _("Job %(old)s was sent again as job %(new)s.", old=row_id, new=new_id))
    return Redirect("/quan-tri/tac-vu?trang_thai=pending", status_code=303)


def routes() -> list:
    return [jobs_page, resend_job]
