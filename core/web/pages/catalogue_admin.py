"""Province administration of the catalogue: the procedures × agencies activation matrix with a
switch per domain and agency (``/quan-tri/thu-tuc``), and the fee table (``/quan-tri/le-phi``).
Only a province administrator may open them; every change is audited by the service."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from core.catalogue import service
from core.catalogue.details import fee_code_labels
from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput
from core.contract.specs import AGENCY_LEVELS
from core.identity.guards import requires_permission
from core.identity.service import clean_text
from core.identity.tables import Agency
from core.text.formats import parse_date, parse_money
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("activation_page", "activation_toggle", "fees_page", "fees_add")

CONFIGURE = [
    requires_permission(
        "catalogue.configure", message="Chỉ quản trị viên cấp tỉnh được cấu hình danh mục thủ tục và lệ phí."
    )
]
"""The guard of these pages: configuring procedures and fees (held by the province administrator)."""


def _filters(source) -> dict[str, str]:
    cat = get_catalogue()
    domain = source.get("linh_vuc") or ""
    level = source.get("cap") or ""
    return {
        "linh_vuc": domain if domain in cat.domains else "",
        "cap": level if level in AGENCY_LEVELS else "",
    }


async def _matrix_context(filters: dict[str, str]) -> dict:
    cat = get_catalogue()
    query = Agency.select(Agency.id, Agency.code, Agency.name, Agency.short_name, Agency.level).where(
        Agency.active.eq(True)
    )
    if filters["cap"]:
        query = query.where(Agency.level == filters["cap"])
    agencies = await query.order_by(Agency.level).order_by(Agency.name)
    domains = [d for d in cat.domains.values() if not filters["linh_vuc"] or d.code == filters["linh_vuc"]]
    groups = [(d, [p for p in cat.procedures.values() if p.domain == d.code]) for d in domains]
    return {
        "filters": filters,
        "agencies": agencies,
        "groups": groups,
        "state": await service.activation_rows(a["id"] for a in agencies),
        "all_domains": sorted(cat.domains.values(), key=lambda d: d.name.vi),
        "levels": AGENCY_LEVELS,
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }


@get("/quan-tri/thu-tuc", include_in_schema=False, name="admin_catalogue", guards=CONFIGURE)
async def activation_page(request: Request) -> Template:
    """The matrix: one row per procedure (grouped by domain), one column per agency."""
    return await page(request, "admin/catalogue.html", await _matrix_context(_filters(request.query_params)))


@post(
    "/quan-tri/thu-tuc",
    include_in_schema=False,
    name="admin_catalogue_toggle",
    status_code=200,
    guards=CONFIGURE,
)
async def activation_toggle(request: Request) -> Response:
    """Switch one procedure, or one whole domain, on or off at one agency."""
    user = request.user
    form = await request.form()
    target = form.get("target") or ""
    enabled = form.get("enabled") == "1"
    try:
        agency_id = int(form.get("agency_id") or "")
    except ValueError:
        raise InvalidInput("Thiếu cơ quan cần bật/tắt.", [("agency_id", "Chọn cơ quan.")]) from None
    kind, _sep, code = target.partition(":")
    if kind == "domain":
        await service.set_domain_enabled(code, agency_id, enabled, actor_id=user.id)
    elif kind == "procedure":
        await service.set_enabled(code, agency_id, enabled, actor_id=user.id)
    else:
        raise InvalidInput(
            "Không rõ cần bật/tắt thủ tục hay lĩnh vực.", [("target", "Giá trị không hợp lệ.")]
        )
    if getattr(request, "htmx", None):
        if kind == "domain":  # every procedure cell of the domain changes meaning: reload the matrix
            return Response(content="", status_code=200, headers={"HX-Refresh": "true"})
        state = await service.activation_rows([agency_id])
        return Template(
            template_name="admin/catalogue_cell.html",
            context={
                "agency_id": agency_id,
                "target": target,
                "state": state,
                "kind": kind,
                "code": code,
                "domain": get_catalogue().procedures[code].domain,
                "query": "",
            },
        )
    filters = _filters(form)
    message = _("Saved: the change applies to new dossiers from now on.")
    flash(request, message)
    query = urlencode({k: v for k, v in filters.items() if v})
    return Redirect(f"/quan-tri/thu-tuc{'?' + query if query else ''}", status_code=303)


async def _fees_context(values: dict | None = None, errors: dict | None = None) -> dict:
    cat = get_catalogue()
    return {
        "fees": await service.list_fees(),
        "fee_codes": await fee_code_labels(),
        "procedure_choices": [(p.code, f"{p.code} — {p.name.vi}") for p in cat.procedures.values()],
        "values": values or {},
        "errors": errors or {},
    }


@get("/quan-tri/le-phi", include_in_schema=False, name="admin_fees", guards=CONFIGURE)
async def fees_page(request: Request) -> Template:
    """The fee table (newest first) and the form to add an amount from a date."""
    return await page(request, "admin/catalogue_fees.html", await _fees_context())


@post("/quan-tri/le-phi", include_in_schema=False, name="admin_fees_add", status_code=200, guards=CONFIGURE)
async def fees_add(request: Request) -> Response:
    """Add a fee amount; bad input comes back at the field with status 422, values kept."""
    user = request.user
    form = await request.form()
    values = {
        k: clean_text(form.get(k) or "").strip()
        for k in ("fee_code", "procedure_code", "amount", "effective_from", "effective_to", "legal_basis")
    }
    errors: dict[str, str] = {}
    amount = effective_from = effective_to = None
    if not values["fee_code"]:
        errors["fee_code"] = (
            "Nhập mã khoản phí, lệ phí (chọn trong danh sách gợi ý hoặc theo quy tắc tính phí của thủ tục)."
        )
    if values["procedure_code"] and get_catalogue().procedure(values["procedure_code"]) is None:
        errors["procedure_code"] = "Chọn thủ tục trong danh sách, hoặc để trống để áp dụng cho mọi thủ tục."
    if not values["amount"]:
        errors["amount"] = "Nhập số tiền bằng đồng (ví dụ 50.000); nhập 0 nếu miễn."
    else:
        try:
            amount = parse_money(values["amount"])
        except ValueError:
            errors["amount"] = "Số tiền là số nguyên không âm, tính bằng đồng, chỉ gồm chữ số (ví dụ 50.000)."
    if not values["effective_from"]:
        errors["effective_from"] = "Nhập ngày bắt đầu áp dụng (ngày/tháng/năm)."
    else:
        try:
            effective_from = parse_date(values["effective_from"])
        except ValueError:
            errors["effective_from"] = "Ngày bắt đầu áp dụng phải là ngày có thật, dạng ngày/tháng/năm."
    if values["effective_to"]:
        try:
            effective_to = parse_date(values["effective_to"])
        except ValueError:
            errors["effective_to"] = "Ngày hết hiệu lực phải là ngày có thật, dạng ngày/tháng/năm."
    if not values["legal_basis"]:
        errors["legal_basis"] = "Nhập căn cứ pháp lý (ví dụ: Nghị quyết số 12/2025/NQ-HĐND)."
    if not errors and amount is not None and effective_from is not None:  # both set when no error
        try:
            await service.set_fee(
                values["fee_code"],
                amount,
                effective_from=effective_from,
                procedure_code=values["procedure_code"],
                legal_basis=values["legal_basis"],
                effective_to=effective_to,
                actor_id=user.id,
            )
        except InvalidInput as exc:
            errors.update({f or "fee_code": m for f, m in exc.errors})
    if errors:
        order = ["fee_code", "procedure_code", "amount", "effective_from", "effective_to", "legal_basis"]
        errors = {k: errors[k] for k in order if k in errors}
        return await page(
            request,
            "admin/catalogue_fees.html",
            await _fees_context(values, errors),
            block="fee_form",
            status_code=422,
        )
    flash(request, _("Fee amount saved. Dossiers already received keep the fees of their version."))
    return Redirect("/quan-tri/le-phi", status_code=303)
