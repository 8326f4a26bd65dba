"""The periodic statistics report (báo cáo thống kê) for any period: the figures by group, the totals
and the Decision 766 index, as an Excel workbook (openpyxl) and as a PDF laid out by the documents'
render job (WeasyPrint, like the legal forms)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.stats import indicators, service
from core.stats.scope import Scope

__all__ = ("ReportData", "collect", "to_xlsx", "request_pdf", "filename", "COLUMNS", "TEMPLATE")

TEMPLATE = "stats/report_print.html"
GROUP_NAMES = {"agency": "Cơ quan, đơn vị", "procedure": "Thủ tục hành chính", "domain": "Lĩnh vực"}

COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", "Tiếp nhận"),
    ("received_online", "Trong đó trực tuyến"),
    ("resolved", "Đã giải quyết"),
    ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"),
    ("resolved_late", "Quá hạn"),
    ("in_progress", "Đang giải quyết cuối kỳ"),
    ("overdue_now", "Đang quá hạn"),
    ("paid", "Lượt nộp phí"),
    ("paid_online", "Nộp phí trực tuyến"),
)
"""The report's columns (the figures of ``core.stats.service.FIGURE_KEYS`` a report carries)."""


@dataclass(frozen=True, slots=True)
class ReportData:
    scope_name: str
    sel: service.Selection
    group_name: str
    rows: list[dict[str, Any]]
    """``{"name", figures…, "on_time_share", "online_share", "online_payment_share"}`` per group."""
    total: dict[str, Any]
    index: dict[str, Any]
    """``{"source", "score", "max", "groups": [{"name", "max", "score", "why", "indicators": [...]}]}``."""


def _shares(row: service.Row) -> dict[str, Any]:
    return {
        "name": row.name,
        **{k: row.n[k] for k, _ in COLUMNS},
        "on_time_share": row.on_time_share,
        "online_share": row.online_share,
        "online_payment_share": row.online_payment_share,
        "rated": row.n["rated"],
        "satisfaction_share": row.satisfaction,
    }


async def collect(scope: Scope, sel: service.Selection, *, scope_name: str) -> ReportData:
    """Everything the report prints, read from the counters."""
    rows, total = await service.figures(scope, sel)
    env = await service.indicator_env(scope, sel, total)
    computed = indicators.compute(env)
    index = {
        "source": computed["source"],
        "score": round(computed["score"], 2),
        "max": computed["max"],
        "groups": [
            {
                "name": g["group"].name,
                "max": g["group"].max,
                "measured": g["group"].measured,
                "why": g["group"].why,
                "score": None if g["score"] is None else round(g["score"], 2),
                "indicators": [
                    {
                        "name": i["indicator"].name,
                        "formula": i["indicator"].formula,
                        "why": i["indicator"].why,
                        "max": i["indicator"].max,
                        "value": None if i["value"] is None else round(i["value"], 2),
                    }
                    for i in g["indicators"]
                ],
            }
            for g in computed["groups"]
        ],
    }
    return ReportData(
        scope_name=scope_name,
        sel=sel,
        group_name=GROUP_NAMES[sel.group],
        rows=[_shares(r) for r in rows],
        total=_shares(total),
        index=index,
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + " %"


def _subtitle(data: ReportData) -> str:
    sel = data.sel
    return f"{data.scope_name} — từ ngày {sel.start:%d/%m/%Y} đến ngày {sel.end:%d/%m/%Y}"


def to_xlsx(data: ReportData) -> bytes:
    """The report as an Excel workbook: a sheet of figures by group and a sheet of the 766 index."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So lieu"
    ws.append(["BÁO CÁO THỐNG KÊ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"])
    ws.append([_subtitle(data)])
    header = [
        data.group_name,
        *(label for _, label in COLUMNS),
        "Tỷ lệ đúng hạn",
        "Tỷ lệ trực tuyến",
        "Lượt đánh giá",
        "Tỷ lệ hài lòng",
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=13)
    for r in [*data.rows, {**data.total, "name": "Tổng cộng"}]:
        ws.append(
            [
                r["name"],
                *(r[k] for k, _ in COLUMNS),
                _pct(r["on_time_share"]),
                _pct(r["online_share"]),
                r["rated"],
                _pct(r["satisfaction_share"]),
            ]
        )
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 44
    for col in "BCDEFGHIJKLMNO":
        ws.column_dimensions[col].width = 13
    ws.freeze_panes = "B4"
    ix = wb.create_sheet("Chi so 766")
    ix.append([f"BỘ CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP ({data.index['source']})"])
    ix.append([_subtitle(data)])
    ix.append(["Nhóm chỉ số", "Chỉ số", "Công thức", "Điểm tối đa", "Điểm"])
    for cell in ix[3]:
        cell.font = Font(bold=True)
    for g in data.index["groups"]:
        ix.append([g["name"], "", "" if g["measured"] else g["why"], g["max"], g["score"]])
        ix[ix.max_row][0].font = Font(bold=True)
        for i in g["indicators"]:
            ix.append(["", i["name"], i["formula"] or f"Chưa đo được: {i['why']}", i["max"], i["value"]])
    ix.append(["Tổng điểm các nhóm đo được", "", "", data.index["max"], data.index["score"]])
    for col, width in zip("ABCDE", (32, 44, 52, 12, 10), strict=True):
        ix.column_dimensions[col].width = width
    wb.properties.creator = "motcua"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(data: ReportData, ext: str) -> str:
    return f"bao-cao-thong-ke-{data.sel.start:%Y%m%d}-{data.sel.end:%Y%m%d}.{ext}"


async def request_pdf(data: ReportData) -> int:
    """Queue the report's PDF (the documents' render job lays it out); the same figures for the same
    selection return the same document."""
    from core.documents.service import request_print

    sel = data.sel
    context = {
        "agency": {"name": data.scope_name, "parent_name": ""},
        "title": "Báo cáo thống kê kết quả giải quyết thủ tục hành chính",
        "subtitle": _subtitle(data),
        "group_name": data.group_name,
        "columns": [list(c) for c in COLUMNS],
        "rows": [{**r, **_pct_fields(r)} for r in data.rows],
        "total": {**data.total, **_pct_fields(data.total)},
        "index": data.index,
        "issued_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "_template": TEMPLATE,
        "_title": f"Báo cáo thống kê {sel.start:%d/%m/%Y}–{sel.end:%d/%m/%Y}",
    }
    digest_src = {k: v for k, v in context.items() if k != "issued_at"}
    digest = hashlib.sha256(json.dumps(digest_src, sort_keys=True, ensure_ascii=False, default=str).encode())
    key = f"stats:{sel.start:%Y%m%d}-{sel.end:%Y%m%d}:{digest.hexdigest()[:32]}"
    return await request_print(key, "stats_report", context)


def _pct_fields(r: dict[str, Any]) -> dict[str, str]:
    return {
        "on_time_pct": _pct(r["on_time_share"]),
        "online_pct": _pct(r["online_share"]),
        "online_payment_pct": _pct(r["online_payment_share"]),
        "satisfaction_pct": _pct(r["satisfaction_share"]),
    }
