"""The register of dossiers (form 07, Sổ theo dõi hồ sơ): a queryable view for any period and
agency, with every column of the legal form, exportable as Excel and PDF.

One indexed query per page whatever the table's size (receiving agency + receipt time), plus the
procedure names from the in-memory catalogue.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.contract.errors import InvalidInput
from core.documents.context import RESULT_CHANNEL_LABELS, iso
from core.documents.qr import status_url
from core.dossiers.tables import Dossier
from core.text.templating import VN_TZ

__all__ = ("Period", "parse_period", "register_rows", "register_xlsx", "COLUMNS", "MAX_DAYS")

MAX_DAYS = 366
COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Tên tổ chức, cá nhân",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày nhận hồ sơ",
    "Ngày hẹn trả kết quả",
    "Ngày trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """UTC instants of the first and after-last moment of the period in Vietnam."""
        lo = datetime.combine(self.start, time(0), VN_TZ).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), VN_TZ).astimezone(UTC)
        return lo, hi


def _parse_day(value: str, field: str, errors: list[tuple[str, str]]) -> date | None:
    value = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    label = "Từ ngày" if field == "from" else "Đến ngày"
    errors.append((field, f"{label}: nhập ngày theo dạng ngày/tháng/năm, ví dụ 01/11/2026."))
    return None


def parse_period(start: str, end: str) -> Period:
    """Parse the period typed in the filter; InvalidInput with field errors when it makes no sense."""
    errors: list[tuple[str, str]] = []
    lo, hi = _parse_day(start, "from", errors), _parse_day(end, "to", errors)
    if lo and hi:
        if hi < lo:
            errors.append(("to", "Đến ngày phải bằng hoặc sau Từ ngày."))
        elif (hi - lo).days >= MAX_DAYS:
            errors.append(("to", f"Mỗi lần xem tối đa {MAX_DAYS} ngày; hãy chia thành nhiều kỳ."))
    if errors:
        raise InvalidInput("Kỳ theo dõi chưa hợp lệ.", errors)
    return Period(lo, hi)  # type: ignore[arg-type]


async def register_rows(
    agency_id: int,
    period: Period,
    *,
    domain: str = "",
    procedure: str = "",
    state: str = "",
    late: bool | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The register's rows for dossiers received at ``agency_id`` in ``period``, in receipt order;
    with ``domain``, only that field's (the register is kept per field or group of fields); with
    ``procedure``, ``state`` or ``late`` (True: late ones, False: the others), only those."""
    from core.catalogue.registry import get_catalogue

    lo, hi = period.bounds
    q = (
        Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.lookup_key,
            Dossier.procedure_code,
            Dossier.applicant_name,
            Dossier.applicant_address,
            Dossier.applicant_phone,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.extended_due_at,
            Dossier.returned_at,
            Dossier.result_channel,
            Dossier.state,
            Dossier.receiving_agency.name.as_alias("agency_name"),
            Dossier.procedure_version,
        )
        .where(
            (Dossier.receiving_agency == agency_id)
            & (Dossier.received_at >= lo)
            & (Dossier.received_at < hi)
            & ((Dossier.domain == domain) if domain else (Dossier.id > 0))
            & ((Dossier.procedure_code == procedure) if procedure else (Dossier.id > 0))
            & ((Dossier.state == state) if state else (Dossier.id > 0))
            & ((Dossier.late == late) if late is not None else (Dossier.id > 0))
        )
        .order_by(Dossier.received_at)
        .order_by(Dossier.id)
        .offset(offset)
    )
    if limit is not None:
        q = q.limit(limit)
    catalogue = get_catalogue()
    found = await q
    retired = {
        r["procedure_version"]
        for r in found
        if r["procedure_version"] and not catalogue.procedure(r["procedure_code"])
    }
    snapshot_names = await _names_of_retired_procedures(retired)
    rows = []
    for n, r in enumerate(found, start=offset + 1):
        spec = catalogue.procedure(r["procedure_code"])
        name = spec.name.vi if spec else snapshot_names.get(r["procedure_version"]) or r["procedure_code"]
        rows.append(
            {
                "n": n,
                "code": r["code"] or "",
                "status_url": status_url(r["code"], r["lookup_key"]) if r["code"] else "",
                "procedure": name,
                "applicant": r["applicant_name"],
                "address": r["applicant_address"],
                "phone": r["applicant_phone"],
                "lead_agency": r["agency_name"],
                "received_at": iso(r["received_at"]),
                "due_at": iso(r["extended_due_at"] or r["due_at"]),
                "returned_at": iso(r["returned_at"]),
                "delivery": RESULT_CHANNEL_LABELS.get(r["result_channel"], r["result_channel"])
                if r["returned_at"]
                else "",
            }
        )
    return rows


async def _names_of_retired_procedures(version_ids: set[int]) -> dict[int, str]:
    """Names of procedures no longer in the catalogue (plugin disabled or procedure retired), from the
    version each dossier was received under; one query, and none when every procedure is known."""
    if not version_ids:
        return {}
    from core.catalogue.tables import ProcedureVersion
    from core.documents.context import _json

    rows = await ProcedureVersion.select(ProcedureVersion.id, ProcedureVersion.data).where(
        ProcedureVersion.id.is_in(sorted(version_ids))
    )
    return {r["id"]: ((_json(r["data"]).get("name") or {}).get("vi") or "") for r in rows}


def _vn(value: str | None) -> str:
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def register_xlsx(rows: list[dict[str, Any]], *, agency_name: str, period: Period, group: str = "") -> bytes:
    """The register as an Excel workbook (every column of form 07)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    ws.append(["SỔ THEO DÕI HỒ SƠ (Mẫu số 07)"])
    ws.append(
        [
            f"{agency_name} — từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y}"
            + (f" — lĩnh vực: {group}" if group else "")
        ]
    )
    ws.append(list(COLUMNS))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=13)
    for r in rows:
        ws.append(
            [
                r["n"],
                r["code"],
                r["procedure"],
                r["applicant"],
                ", ".join(x for x in (r["address"], r["phone"]) if x),
                r["lead_agency"],
                _vn(r["received_at"]),
                _vn(r["due_at"]),
                _vn(r["returned_at"]),
                r["delivery"],
                "",
            ]
        )
    for col, width in zip("ABCDEFGHIJK", (6, 28, 40, 26, 34, 30, 17, 17, 17, 24, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A4"
    wb.properties.creator = "motcua"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
