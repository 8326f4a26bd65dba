"""The national portal's page for the province administrator: ``GET /quan-tri/dvc-quoc-gia`` (the
connection, messages waiting or late, failed exchanges with their resend button, dossiers the portal
sent that could not be taken in, the reconciliation reports) and ``POST /quan-tri/dvc-quoc-gia/doi-soat``
(queue a reconciliation of one day now)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from core.contract.vntime import VN_TZ
from core.jobs.access import BACK_OFFICE
from core.jobs.tables import Outbox
from core.nation import sync
from core.nation.cli import KIND_LABELS
from core.nation.tables import NationalImport, NationalMessage, NationalReconciliation
from core.web.render import flash, page

__all__ = ("ROUTES",)

TASKS = ["national_push", "national_pull", "national_reconcile"]
LIST_LIMIT = 50


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


@get("/quan-tri/dvc-quoc-gia", include_in_schema=False, name="admin_national", guards=BACK_OFFICE)
async def national_page(request: Request, ngay: str = "") -> Template:
    found = sync.portal()
    now = datetime.now(UTC)
    failed = (
        await Outbox.select()
        .where(Outbox.task.is_in(TASKS) & (Outbox.status == "failed") & Outbox.resent_as.is_null())
        .order_by(Outbox.id, ascending=False)
        .limit(LIST_LIMIT)
    )
    for row in failed:
        row["payload"] = _loads(row["payload"])
    waiting = (
        await NationalMessage.select()
        .where(NationalMessage.status == "pending")
        .order_by(NationalMessage.event_at)
        .limit(LIST_LIMIT)
    )
    late = (
        await NationalMessage.select()
        .where(
            (NationalMessage.status == "sent")
            & (NationalMessage.lag_seconds > sync.SYNC_TARGET_SECONDS)
            & (NationalMessage.event_at >= now - timedelta(days=7))
        )
        .order_by(NationalMessage.event_at, ascending=False)
        .limit(LIST_LIMIT)
    )
    rejected = (
        await NationalImport.select()
        .where(NationalImport.status == "rejected")
        .order_by(NationalImport.pulled_at, ascending=False)
        .limit(LIST_LIMIT)
    )
    reports = (
        await NationalReconciliation.select(
            NationalReconciliation.day, NationalReconciliation.generated_at, NationalReconciliation.checked
        )
        .order_by(NationalReconciliation.day, ascending=False)
        .limit(31)
    )
    chosen_day = _day(ngay) or (reports[0]["day"] if reports else None)
    report = None
    if chosen_day is not None:
        report = await NationalReconciliation.select().where(NationalReconciliation.day == chosen_day).first()
        if report is not None:
            report["differences"] = _loads(report["differences"]) or []
    return await page(
        request,
        "admin/national.html",
        {
            "connection": found[0] if found else None,
            "failed": failed,
            "waiting": waiting,
            "late": late,
            "rejected": rejected,
            "reports": reports,
            "report": report,
            "chosen_day": chosen_day,
            "kind_labels": KIND_LABELS,
            "target_minutes": sync.SYNC_TARGET_SECONDS // 60,
            "yesterday": (datetime.now(VN_TZ).date() - timedelta(days=1)).isoformat(),
        },
    )


@post(
    "/quan-tri/dvc-quoc-gia/doi-soat",
    include_in_schema=False,
    name="admin_national_reconcile",
    guards=BACK_OFFICE,
)
async def reconcile_now(
    request: Request, data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
) -> Redirect:
    from core.jobs import outbox, runner
    from core.text.i18n import gettext as _

    if sync.portal() is None:
        flash(
            request,
            _("No connection to the national portal is configured: there is nothing to compare with."),
            "error",
        )
        return Redirect("/quan-tri/dvc-quoc-gia", status_code=303)
    day = _day(str(data.get("ngay") or ""))
    today = datetime.now(VN_TZ).date()
    if day is None or day > today or day < today - timedelta(days=366):
        flash(request, _("Enter a day within the last year, as YYYY-MM-DD."), "error")
        return Redirect("/quan-tri/dvc-quoc-gia", status_code=303)
    await outbox.add("national_reconcile", day=day.isoformat())
    runner.wake(request.app)
    flash(request, _("The reconciliation of %(day)s was queued; its report appears here when done.", day=day))
    return Redirect(f"/quan-tri/dvc-quoc-gia?ngay={day.isoformat()}", status_code=303)


ROUTES = [national_page, reconcile_now]
