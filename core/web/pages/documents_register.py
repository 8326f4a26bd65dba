"""The register page (form 07): filters, the table, Excel and PDF exports. Staff only."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Request, get
from litestar.response import Response, Template

from core.contract.errors import InvalidInput, NotAllowed
from core.documents.legal_forms import get_form
from core.documents.register import Period, parse_period, register_rows, register_xlsx
from core.dossiers.states import STATE_LABELS
from core.identity.guards import requires_staff
from core.identity.tables import Agency
from core.text.i18n import gettext as _
from core.text.templating import VN_TZ
from core.web.menu import N_, menu_entry, staff
from core.web.render import page

__all__ = ("register_page", "register_export_xlsx", "register_export_pdf", "PAGE_SIZE", "EXPORT_LIMIT")

PAGE_SIZE = 100
STAFF_ONLY = [requires_staff(message="Sổ theo dõi hồ sơ chỉ dành cho cán bộ, công chức.")]
EXPORT_LIMIT = 20000

menu_entry("/so-theo-doi", N_("Dossier register"), staff, order=40)


async def _agencies_for(user: Any) -> list[dict[str, Any]]:
    if user is None or not user.is_staff:
        raise NotAllowed("Sổ theo dõi hồ sơ chỉ dành cho cán bộ, công chức.")
    q = Agency.select(Agency.id, Agency.code, Agency.name, Agency.parent.name.as_alias("parent_name"))
    if not user.has_role("province_admin"):
        q = q.where(Agency.id.is_in(user.agencies_with(*(r for r in user.roles if r != "citizen"))))
    return await q.order_by(Agency.name)


def _default_period() -> Period:
    today = datetime.now(VN_TZ).date()
    return Period(today.replace(day=1), today)


def _domains() -> dict[str, str]:
    """``{domain code: Vietnamese name}`` of the fields the register can be kept for."""
    from core.catalogue.registry import get_catalogue

    return {code: d.name.vi for code, d in get_catalogue().domains.items()}


def _procedures() -> dict[str, str]:
    """``{procedure code: Vietnamese name}`` of the catalogue."""
    from core.catalogue.registry import get_catalogue

    return {code: p.name.vi for code, p in get_catalogue().procedures.items()}


LATE_CHOICES = {"": None, "1": True, "0": False}
"""The lateness filter's values: every dossier, the late ones, the others."""


def _filters(form: dict[str, str]) -> dict[str, Any]:
    """The filters ``register_rows`` takes besides the agency and the period."""
    return {
        "domain": form["linh_vuc"],
        "procedure": form["thu_tuc"],
        "state": form["trang_thai"],
        "late": LATE_CHOICES.get(form["tre_han"]),
    }


def _query(form: dict[str, str]) -> str:
    return urlencode(
        {
            k: v
            for k, v in (
                ("agency", form["agency"]),
                ("from", form["from"]),
                ("to", form["to"]),
                ("linh_vuc", form["linh_vuc"]),
                ("thu_tuc", form["thu_tuc"]),
                ("trang_thai", form["trang_thai"]),
                ("tre_han", form["tre_han"]),
            )
            if v
        },
        safe="/",
    )


async def _selection(
    request: Request,
) -> tuple[list[dict], dict, Period | None, dict[str, str], dict[str, str]]:
    agencies = await _agencies_for(request.user)
    params = request.query_params
    default = _default_period()
    form = {
        "agency": params.get("agency") or str(agencies[0]["id"]) if agencies else "",
        "from": params.get("from") or f"{default.start:%d/%m/%Y}",
        "to": params.get("to") or f"{default.end:%d/%m/%Y}",
        "linh_vuc": (params.get("linh_vuc") or "").strip()[:64],
        "thu_tuc": (params.get("thu_tuc") or "").strip()[:64],
        "trang_thai": (params.get("trang_thai") or "").strip()[:64],
        "tre_han": (params.get("tre_han") or "").strip()[:8],
    }
    errors: dict[str, str] = {}
    if form["linh_vuc"] and form["linh_vuc"] not in _domains():
        errors["linh_vuc"] = "Chọn một lĩnh vực trong danh sách, hoặc để trống để xem mọi lĩnh vực."
    if form["thu_tuc"] and form["thu_tuc"] not in _procedures():
        errors["thu_tuc"] = "Chọn một thủ tục trong danh sách, hoặc để trống để xem mọi thủ tục."
    if form["trang_thai"] and form["trang_thai"] not in STATE_LABELS:
        errors["trang_thai"] = "Chọn một trạng thái trong danh sách, hoặc để trống để xem mọi trạng thái."
    if form["tre_han"] not in LATE_CHOICES:
        errors["tre_han"] = (
            "Chọn «Chỉ hồ sơ trễ hạn» hoặc «Chỉ hồ sơ không trễ hạn», hoặc để trống để xem tất cả."
        )
    agency = next((a for a in agencies if str(a["id"]) == form["agency"]), None)
    if agency is None:
        errors["agency"] = "Chọn một cơ quan, đơn vị mà bạn được giao quyền."
    period = None
    try:
        period = parse_period(form["from"], form["to"])
    except InvalidInput as exc:
        errors.update({f or "from": m for f, m in exc.errors})
    return agencies, agency or {}, period, form, errors


@get("/so-theo-doi", include_in_schema=False, name="register_page", guards=STAFF_ONLY)
async def register_page(request: Request, trang: int = 1) -> Template:
    """The register for a period and an agency; 422 with the filter's errors when they make no sense.
    ``trang`` is declared so that the app's integer bounds apply to it (a page no database can skip to)."""
    agencies, agency, period, form, errors = await _selection(request)
    page_no = max(1, trang)
    rows: list[dict] = []
    if not errors and period is not None:
        rows = await register_rows(
            agency["id"],
            period,
            **_filters(form),
            offset=(page_no - 1) * PAGE_SIZE,
            limit=PAGE_SIZE + 1,
        )
    more = len(rows) > PAGE_SIZE
    query = _query(form)
    return await page(
        request,
        "documents/register.html",
        {
            "agency_choices": [(str(a["id"]), a["name"]) for a in agencies],
            "form": form,
            "errors": errors,
            "domain_choices": [("", "Tất cả lĩnh vực"), *sorted(_domains().items(), key=lambda kv: kv[1])],
            "procedure_choices": sorted(_procedures().items(), key=lambda kv: kv[1]),
            "state_choices": [(k, _(v)) for k, v in STATE_LABELS.items() if k != "draft"],
            "late_choices": [("1", _("Late only")), ("0", _("Not late"))],
            "filtered": any(form[k] for k in ("linh_vuc", "thu_tuc", "trang_thai", "tre_han")),
            "rows": [_shown(r) for r in rows[:PAGE_SIZE]],
            "page_no": page_no,
            "more": more,
            "query": query,
            "title": get_form("form07").title,
        },
        block="main",
        status_code=422 if errors else 200,
    )


async def _export_rows(request: Request) -> tuple[dict, Period, list[dict], str]:
    """Agency, period, rows and the field's name ("" for every field) of an export."""
    _agencies, agency, period, form, errors = await _selection(request)
    if errors or period is None:
        raise InvalidInput(_("Please correct the information"), list(errors.items()))
    rows = await register_rows(agency["id"], period, **_filters(form), limit=EXPORT_LIMIT)
    return agency, period, rows, _domains().get(form["linh_vuc"], "")


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """Times as datetimes for the page's ``dt`` filter."""
    out = dict(row)
    for k in ("received_at", "due_at", "returned_at"):
        out[k] = datetime.fromisoformat(row[k]) if row[k] else None
    return out


def _filename(agency: dict, period: Period, ext: str, domain: str = "") -> str:
    field = f"-{domain}" if domain else ""
    return f"so-theo-doi-{agency['code']}{field}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{ext}"


@get("/so-theo-doi.xlsx", include_in_schema=False, name="register_xlsx", guards=STAFF_ONLY)
async def register_export_xlsx(request: Request) -> Response:
    agency, period, rows, group = await _export_rows(request)
    domain = request.query_params.get("linh_vuc", "").strip()
    body = await anyio.to_thread.run_sync(
        functools.partial(register_xlsx, rows, agency_name=agency["name"], period=period, group=group)
    )
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(agency, period, "xlsx", domain)}"'
        },
    )


@get("/so-theo-doi.pdf", include_in_schema=False, name="register_pdf", guards=STAFF_ONLY)
async def register_export_pdf(request: Request) -> Response | Template:
    """The register printed (landscape A4). The PDF is laid out by the background job, never in the
    request: until it is ready a page says so and reloads itself (``Refresh``), then the stored file
    is served — the same bytes as long as nothing in the period changed."""
    from core.documents import service

    agency, period, rows, group = await _export_rows(request)
    domain = request.query_params.get("linh_vuc", "").strip()
    doc = await service.get_document(
        await service.request_register(agency, period.start, period.end, rows, group=group, domain=domain)
    )
    if doc["status"] == "ready":
        body = await anyio.to_thread.run_sync(service.read_file, doc)
        return Response(
            body,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{_filename(agency, period, "pdf", domain)}"',
                "ETag": f'"{doc["sha256"]}"',
            },
        )
    response = await page(
        request,
        "documents/register_pending.html",
        {
            "title": get_form("form07").title,
            "agency": agency,
            "period": period,
            "failed": doc["status"] == "failed",
            "url": f"/so-theo-doi.pdf?{request.url.query}",
            "back": f"/so-theo-doi?{request.url.query}",
        },
        status_code=202,
    )
    response.headers["Refresh"] = "3"
    return response
