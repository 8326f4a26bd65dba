"""The leaders' statistics pages ``/thong-ke``: figures per agency, procedure or field with charts, the
dossiers behind each number, who holds the overdue ones, the Decision 766 indicators, and the periodic
report as Excel and PDF. Parse the filters, call ``core.stats``, render."""

from __future__ import annotations

import functools
from typing import Any

import anyio.to_thread
from litestar import Request, get
from litestar.response import Response, Template

from core.contract.errors import InvalidInput, NotFound
from core.identity.guards import requires_role
from core.stats import charts, indicators, lists, report, service
from core.stats.filters import GROUP_LABELS, agency_choices, query_of, read_filters
from core.stats.scope import DENIED, LEADER_ROLES, Scope, scope_of
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, with_role
from core.web.render import page

__all__ = ("ROUTES", "PAGE_SIZE")

PAGE_SIZE = 50
_translate = _  # msgids declared elsewhere (states, roles): not extracted again here
LEADERS = [requires_role(*LEADER_ROLES, message=DENIED)]

menu_entry("/thong-ke", N_("Statistics"), with_role(*LEADER_ROLES), order=60)

FIGURE_LABELS = {
    "received": "Hồ sơ tiếp nhận",
    "received_online": "Tiếp nhận trực tuyến",
    "in_progress": "Đang giải quyết (cuối kỳ)",
    "resolved": "Đã giải quyết",
    "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn",
    "resolved_late": "Giải quyết quá hạn",
    "overdue_now": "Đang quá hạn (hiện tại)",
    "returned": "Đã trả kết quả",
    "refused_intake": "Từ chối tiếp nhận",
    "stopped": "Dừng giải quyết",
    "closed": "Đóng do không bổ sung",
    "apologised": "Có thư xin lỗi, hẹn lại",
    "paid": "Lượt nộp phí, lệ phí",
    "paid_online": "Nộp phí trực tuyến",
    "satisfaction": "Mức độ hài lòng",
}
"""The numbers a leader can open, as the page names them (data shown in Vietnamese, like legal names)."""


def pct(value: float | None) -> str:
    """``0.667`` → ``66,7 %``; None → ``—`` (no data)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def _row_filter(group: str, key: Any) -> dict[str, str]:
    return {{"agency": "agency", "procedure": "thu_tuc", "domain": "linh_vuc"}[group]: str(key)}


async def _context(request: Request) -> tuple[Scope, dict[str, Any], service.Selection | None]:
    scope = scope_of(request.user)
    agencies = await agency_choices(scope)
    form, errors, sel = read_filters(request.query_params, scope, agencies)
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    scope_name = (
        _("The whole province")
        if scope.province
        else ", ".join(a["name"] for a in agencies if a["id"] in scope.agencies)
    )
    ctx = {
        "form": form,
        "errors": errors,
        "scope_name": scope_name,
        "agency_choices": [
            ("", _("All agencies you may see")),
            *((str(a["id"]), a["name"]) for a in agencies),
        ],
        "domain_choices": [
            ("", _("All fields")),
            *sorted(((k, d.name.vi) for k, d in cat.domains.items()), key=lambda kv: kv[1]),
        ],
        "procedure_choices": [
            ("", _("All procedures")),
            *sorted(((k, f"{p.name.vi} ({k})") for k, p in cat.procedures.items()), key=lambda kv: kv[1]),
        ],
        "group_choices": list(GROUP_LABELS.items()),
        "query": query_of(form),
        "query_of": functools.partial(query_of, form),
        "labels": FIGURE_LABELS,
        "pct": pct,
    }
    return scope, ctx, sel


@get("/thong-ke", include_in_schema=False, name="stats_dashboard", guards=LEADERS)
async def dashboard(request: Request) -> Template:
    """Figures for the period, by agency, procedure or field, with charts; every number opens its list."""
    scope, ctx, sel = await _context(request)
    if sel is not None:
        rows, total = await service.figures(scope, sel)
        series = await service.series(scope, sel)
        ctx.update(
            rows=rows,
            total=total,
            period_chart=charts.period_chart(series),
            group_chart=charts.group_chart(rows),
            colours=charts.COLOURS,
            row_filter=functools.partial(_row_filter, sel.group),
            group_label=GROUP_LABELS[sel.group],
            sel=sel,
        )
    return await page(request, "stats/dashboard.html", ctx, status_code=422 if sel is None else 200)


@get("/thong-ke/ho-so", include_in_schema=False, name="stats_dossiers", guards=LEADERS)
async def dossiers(request: Request, chi_so: str = "received", trang: int = 1) -> Template:
    """The dossiers behind one number, a page at a time (the same filters as the dashboard)."""
    if chi_so not in lists.LISTS:
        raise NotFound(_("There is no such figure."))
    scope, ctx, sel = await _context(request)
    page_no = max(1, trang)
    rows: list[dict[str, Any]] = []
    if sel is not None:
        rows = await lists.dossiers_behind(
            scope, sel, chi_so, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
        )
    ctx.update(
        figure=chi_so,
        figure_label=FIGURE_LABELS[chi_so],
        rows=_named(rows[:PAGE_SIZE]),
        more=len(rows) > PAGE_SIZE,
        page_no=page_no,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    return await page(request, "stats/dossiers.html", ctx, status_code=422 if sel is None else 200)


@get("/thong-ke/ai-giu", include_in_schema=False, name="stats_holders", guards=LEADERS)
async def holders(request: Request, trang: int = 1) -> Template:
    """Who holds what: the overdue dossiers, most overdue first, with the agency, step and person."""
    scope, ctx, sel = await _context(request)
    page_no = max(1, trang)
    rows: list[dict[str, Any]] = []
    if sel is not None:
        rows = await lists.overdue_holders(scope, sel, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    ctx.update(
        rows=_named(rows[:PAGE_SIZE]),
        more=len(rows) > PAGE_SIZE,
        page_no=page_no,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    return await page(request, "stats/holders.html", ctx, status_code=422 if sel is None else 200)


@get("/thong-ke/trach-nhiem", include_in_schema=False, name="stats_accountability", guards=LEADERS)
async def accountability_page(request: Request, trang: int = 1) -> Template:
    """Late dossiers per unit whose step overran (R23), and the dossiers whose applicant was made to
    come back more than twice (R12)."""
    from datetime import datetime

    from core.stats import accountability

    scope, ctx, sel = await _context(request)
    page_no = max(1, trang)
    units: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    if sel is not None:
        units = await accountability.late_by_unit(scope, sel)
        repeats = await accountability.repeat_supplements(
            scope, sel, offset=(page_no - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
        )
    cat_names = _named([{**r, "state": ""} for r in repeats[:PAGE_SIZE]])
    for r in cat_names:
        if isinstance(r.get("last_at"), str):
            r["last_at"] = datetime.fromisoformat(r["last_at"])
    ctx.update(
        units=units,
        repeats=cat_names,
        max_returns=accountability.MAX_RETURNS,
        more=len(repeats) > PAGE_SIZE,
        page_no=page_no,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    return await page(request, "stats/accountability.html", ctx, status_code=422 if sel is None else 200)


@get("/thong-ke/chi-so-766", include_in_schema=False, name="stats_indicators", guards=LEADERS)
async def indicators_page(request: Request) -> Template:
    """The Decision 766 service-quality index of the selection, with each indicator's legal text and
    formula (read from the data file) and the counters it was computed from."""
    scope, ctx, sel = await _context(request)
    if sel is not None:
        _rows, total = await service.figures(scope, sel)
        env = await service.indicator_env(scope, sel, total)
        ctx.update(index=indicators.compute(env), env=env)
    return await page(request, "stats/indicators.html", ctx, status_code=422 if sel is None else 200)


async def _report_data(request: Request) -> report.ReportData:
    scope, ctx, sel = await _context(request)
    if sel is None:
        raise InvalidInput(_("Please correct the information"), list(ctx["errors"].items()))
    return await report.collect(scope, sel, scope_name=ctx["scope_name"])


@get("/thong-ke/bao-cao.xlsx", include_in_schema=False, name="stats_report_xlsx", guards=LEADERS)
async def report_xlsx(request: Request) -> Response:
    """The periodic statistics report as an Excel workbook (figures, then the 766 index)."""
    data = await _report_data(request)
    body = await anyio.to_thread.run_sync(report.to_xlsx, data)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{report.filename(data, "xlsx")}"'},
    )


@get("/thong-ke/bao-cao.pdf", include_in_schema=False, name="stats_report_pdf", guards=LEADERS)
async def report_pdf(request: Request) -> Response | Template:
    """The periodic report printed (A4 landscape), laid out by the background job: until it is ready a
    page says so and reloads itself; the same figures give the same document."""
    from core.documents import service as documents

    data = await _report_data(request)
    doc = await documents.get_document(await report.request_pdf(data))
    if doc["status"] == "ready":
        body = await anyio.to_thread.run_sync(documents.read_file, doc)
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{report.filename(data, "pdf")}"',
                "ETag": f'"{doc["sha256"]}"',
            },
        )
    response = await page(
        request,
        "stats/report_pending.html",
        {
            "failed": doc["status"] == "failed",
            "data": data,
            "url": f"/thong-ke/bao-cao.pdf?{request.url.query}",
            "back": f"/thong-ke?{request.url.query}",
        },
        status_code=202,
    )
    response.headers["Refresh"] = "3"
    return response


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the procedure's name and times as datetimes (the page's ``dt`` filter)."""
    from datetime import datetime

    from core.catalogue.registry import get_catalogue
    from core.dossiers.states import STATE_LABELS
    from core.identity.labels import ROLE_MSGIDS

    cat = get_catalogue()
    out = []
    for r in rows:
        r = dict(r)
        proc = cat.procedures.get(r["procedure_code"])
        r["procedure"] = proc.name.vi if proc else r["procedure_code"]
        r["state_label"] = _translate(STATE_LABELS[r["state"]]) if r["state"] in STATE_LABELS else r["state"]
        r["late"] = bool(r.get("late"))
        for h in r.get("holders", ()):
            h["role_label"] = _translate(ROLE_MSGIDS[h["role"]]) if h["role"] in ROLE_MSGIDS else h["role"]
            if isinstance(h.get("due_at"), str):
                h["due_at"] = datetime.fromisoformat(h["due_at"])
        for k in ("received_at", "due_at", "extended_due_at", "finished_at"):
            if isinstance(r.get(k), str):
                r[k] = datetime.fromisoformat(r[k])
        out.append(r)
    return out


ROUTES = [dashboard, dossiers, holders, accountability_page, indicators_page, report_xlsx, report_pdf]
