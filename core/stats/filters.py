"""Reading the dashboard's filters (period, agency, field, procedure, grouping) from a query string,
with a Vietnamese message at each field that makes no sense; what was typed is kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from core.contract.errors import InvalidInput
from core.db.tx import raw
from core.dossiers.timing import VN_TZ
from core.stats.scope import Scope
from core.stats.service import GROUPS, Selection

__all__ = ("read_filters", "agency_choices", "query_of", "FILTER_KEYS", "today")

FILTER_KEYS = ("from", "to", "agency", "linh_vuc", "thu_tuc", "nhom")
GROUP_LABELS = {"agency": "Cơ quan, đơn vị", "procedure": "Thủ tục", "domain": "Lĩnh vực"}


def today() -> date:
    return datetime.now(UTC).astimezone(VN_TZ).date()


async def agency_choices(scope: Scope) -> list[dict[str, Any]]:
    """The agencies the user may pick (one query): all of the province's, or their own."""
    if scope.province:
        return await raw("SELECT id, code, name FROM agency ORDER BY name")
    marks = ", ".join("{}" for _ in scope.agencies)
    return await raw(
        f"SELECT id, code, name FROM agency WHERE id IN ({marks}) ORDER BY name", *scope.agencies
    )


def read_filters(
    params: Mapping[str, str], scope: Scope, agencies: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, str], Selection | None]:
    """The form as typed, its errors (field → message) and the selection (None when in error)."""
    from core.catalogue.registry import get_catalogue
    from core.documents.register import parse_period

    cat = get_catalogue()
    t = today()
    form = {k: (params.get(k) or "").strip()[:80] for k in FILTER_KEYS}
    form["from"] = form["from"] or f"{t.replace(day=1):%d/%m/%Y}"
    form["to"] = form["to"] or f"{t:%d/%m/%Y}"
    form["nhom"] = form["nhom"] or ("agency" if scope.province or len(scope.agencies) > 1 else "procedure")
    errors: dict[str, str] = {}
    period = None
    try:
        period = parse_period(form["from"], form["to"])
    except InvalidInput as exc:
        errors.update({f or "from": m for f, m in exc.errors})
    agency: int | None = None
    if form["agency"]:
        ids = {str(a["id"]): a["id"] for a in agencies}
        if form["agency"] not in ids or not scope.allows(ids[form["agency"]]):
            errors["agency"] = "Chọn một cơ quan, đơn vị trong danh sách (cơ quan bạn được xem thống kê)."
        else:
            agency = ids[form["agency"]]
    if form["linh_vuc"] and form["linh_vuc"] not in cat.domains:
        errors["linh_vuc"] = "Chọn một lĩnh vực trong danh sách, hoặc để trống để xem mọi lĩnh vực."
    if form["thu_tuc"] and form["thu_tuc"] not in cat.procedures:
        errors["thu_tuc"] = "Chọn một thủ tục trong danh sách, hoặc để trống để xem mọi thủ tục."
    if form["nhom"] not in GROUPS:
        errors["nhom"] = "Chọn cách nhóm số liệu: theo cơ quan, theo thủ tục hoặc theo lĩnh vực."
    if errors or period is None:
        return form, errors, None
    sel = Selection(
        start=period.start,
        end=period.end,
        agency=agency,
        domain=form["linh_vuc"],
        procedure=form["thu_tuc"],
        group=form["nhom"],
    )
    return form, errors, sel


def query_of(form: Mapping[str, str], **override: str) -> str:
    """The filters as a query string (empty ones left out), with ``override`` applied."""
    merged = {**{k: form.get(k, "") for k in FILTER_KEYS}, **override}
    return urlencode({k: v for k, v in merged.items() if v}, safe="/")
