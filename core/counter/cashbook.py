"""The cash book of a counter: its lines for a day, the totals by method, closing the day (cash counted
against the book, once, audited), and the book as an Excel workbook."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from core.audit import chain as audit
from core.contract.errors import InvalidInput
from core.contract.vntime import VN_TZ
from core.counter.tables import CashBookClosing, CashBookEntry
from core.db.tx import raw, write_tx

__all__ = (
    "BOOK_METHODS",
    "COUNTER_MAX",
    "NOTE_MAX",
    "record",
    "refund",
    "refuse_closed",
    "lines",
    "totals",
    "closing",
    "close_day",
    "book_xlsx",
    "parse_counter",
    "seat_counter",
)

BOOK_METHODS = {"cash": "Tiền mặt", "bank_transfer": "Chuyển khoản", "post": "Qua bưu điện"}
"""Methods a clerk records at the counter, in the book's column order (gateways pay online: no clerk)."""
COUNTER_MAX = 99
NOTE_MAX = 500


def parse_counter(raw_value: Any) -> int | None:
    """A counter number typed or stored (1–99), or None when it is not one."""
    text = str(raw_value if raw_value is not None else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= COUNTER_MAX:
        return None
    return int(text)


def seat_counter(session: Any) -> int:
    """The counter number a clerk chose at ``/quay`` (kept in their session), else counter 1, the
    number the counter pages assume until one is chosen."""
    chosen = (session or {}).get("counter") if isinstance(session, dict) else None
    return parse_counter((chosen or {}).get("no") if isinstance(chosen, dict) else None) or 1


async def record(payment_id: int, dossier_id: int) -> int | None:
    """Write the book's line for a payment a clerk recorded (inside the payment's transaction).

    Online payments (a gateway, nobody at a counter) and payments without a clerk are not the
    counter's: they get no line. A payment already in the book is left alone (idempotent).

    Returns:
        The line's id, or None when the payment is not the counter's.
    """
    rows = await raw(
        "SELECT p.method, p.amount, p.recorded_by, p.data, p.paid_at, p.status, d.code, d.receiving_agency "
        "FROM payment p JOIN dossier d ON d.id = p.dossier WHERE p.id = {}",
        payment_id,
    )
    if not rows:
        return None
    p = rows[0]
    if p["method"] not in BOOK_METHODS or p["recorded_by"] is None or p["status"] != "paid":
        return None
    if await CashBookEntry.exists().where(CashBookEntry.payment == payment_id):
        return None
    data = p["data"]
    if isinstance(data, str):
        import json

        data = json.loads(data or "{}")
    counter = parse_counter((data or {}).get("counter")) or 0
    paid_at = _aware(p["paid_at"])
    day = paid_at.astimezone(VN_TZ).date()
    await refuse_closed(p["receiving_agency"], counter, day, field="amount")
    row = CashBookEntry(
        payment=payment_id,
        agency=p["receiving_agency"],
        counter=counter,
        day=day,
        method=p["method"],
        amount=p["amount"],
        dossier_code=p["code"] or "",
        recorded_by=p["recorded_by"],
        recorded_at=paid_at,
    )
    await row.save()
    return None  # the hook's answer is the receipt's document id (core's documents): not ours


def _aware(value: Any) -> datetime:
    at = value or datetime.now(UTC)
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


async def refuse_closed(agency_id: int, counter: int, day: date, *, field: str) -> None:
    """Raise ``InvalidInput`` (at ``field``) when this counter's book for ``day`` is closed: a
    reconciled day takes no new line, in nor out."""
    if await CashBookClosing.exists().where(CashBookClosing.key == _key(agency_id, counter, day)):
        raise InvalidInput(
            "Sổ quỹ ngày này đã chốt.",
            [
                (
                    field,
                    f"Sổ quỹ quầy {counter} ngày {day:%d/%m/%Y} đã chốt: không ghi thêm khoản thu "
                    "hay hoàn trả nào vào ngày này. Ghi tại một quầy chưa chốt sổ.",
                )
            ],
        )


async def refund(
    refund_id: int, *, actor: Any, counter: int, method: str, reference: str = ""
) -> dict[str, Any]:
    """Pay back a refund owed (``core.fees.service.complete_refund``) at a counter and write it in
    that counter's book as money out (a negative line), in one transaction.

    Raises:
        InvalidInput: As ``complete_refund``; or the counter's book for today is closed (``method``).

    Returns:
        The refund row, paid.
    """
    from core.fees import service as fees

    async with write_tx():
        done = await fees.complete_refund(refund_id, actor=actor, method=method, reference=reference)
        rows = await raw(
            "SELECT p.amount, p.paid_at, d.code, d.receiving_agency FROM payment p "
            "JOIN dossier d ON d.id = p.dossier WHERE p.id = {}",
            refund_id,
        )
        p = rows[0]
        paid_at = _aware(p["paid_at"])
        day = paid_at.astimezone(VN_TZ).date()
        await refuse_closed(p["receiving_agency"], counter, day, field="method")
        await CashBookEntry(
            payment=refund_id,
            agency=p["receiving_agency"],
            counter=counter,
            day=day,
            method=method,
            amount=-int(p["amount"]),
            dossier_code=p["code"] or "",
            recorded_by=getattr(actor, "id", None),
            recorded_at=paid_at,
        ).save()
    return done


async def lines(agency_id: int, counter: int, day: date) -> list[dict[str, Any]]:
    """The book's lines of one counter on one day, in the order they were recorded (one query)."""
    rows = (
        await CashBookEntry.select(
            *CashBookEntry.all_columns(),
            CashBookEntry.recorded_by.full_name.as_alias("clerk"),
            CashBookEntry.payment.receipt_number.as_alias("receipt_number"),
            CashBookEntry.payment.reference.as_alias("reference"),
        )
        .where(
            (CashBookEntry.agency == agency_id)
            & (CashBookEntry.counter == counter)
            & (CashBookEntry.day == day)
        )
        .order_by(CashBookEntry.id)
    )
    for i, r in enumerate(rows, 1):
        r["n"] = i
        label = BOOK_METHODS.get(r["method"], r["method"])
        r["refund"] = r["amount"] < 0
        r["method_label"] = f"Hoàn trả — {label.lower()}" if r["refund"] else label
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of the lines by method, the grand total and the number of lines (a refund paid back
    is a negative line: it takes its amount out of its method's total)."""
    by_method = {m: sum(r["amount"] for r in rows if r["method"] == m) for m in BOOK_METHODS}
    return {"by_method": by_method, "total": sum(by_method.values()), "count": len(rows)}


async def closing(agency_id: int, counter: int, day: date) -> dict[str, Any] | None:
    """The day's closing of this counter, with the name of who closed it, or None while it is open."""
    return (
        await CashBookClosing.select(
            *CashBookClosing.all_columns(), CashBookClosing.closed_by.full_name.as_alias("closed_by_name")
        )
        .where(CashBookClosing.key == _key(agency_id, counter, day))
        .first()
    )


def _key(agency_id: int, counter: int, day: date) -> str:
    return f"{agency_id}:{counter}:{day.isoformat()}"


def _parse_cash(value: Any) -> int:
    text = str(value or "").strip().replace(".", "").replace(",", "").replace(" ", "").removesuffix("đ")
    if not text:
        raise InvalidInput(
            "Chưa nhập số tiền mặt đếm được.", [("counted", "Nhập số tiền mặt đã đếm, đơn vị đồng.")]
        )
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput(
            "Số tiền không hợp lệ.",
            [("counted", "Nhập số tiền mặt bằng chữ số, đơn vị đồng (ví dụ 1.250.000).")],
        )
    return int(text)


async def close_day(
    agency: dict[str, Any], counter: int, day: date, *, counted: Any, actor: Any, note: str = ""
) -> dict[str, Any]:
    """Close a counter's day: the cash counted against the cash the book expects; recorded and audited.

    Args:
        agency: The agency (``id``, ``code``).
        counter: The counter number.
        day: The day in Vietnam.
        counted: The cash the clerk counted, as typed (``"1.250.000"``) or an int.
        actor: The clerk (``id``).
        note: Why the cash differs, when it does.

    Raises:
        InvalidInput: ``counted`` not a sum of money; ``note`` too long or missing when the cash
            differs; the day already closed (``counted``).

    Returns:
        The closing row.
    """
    value = _parse_cash(counted)
    note = str(note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("Ghi chú quá dài.", [("note", f"Ghi chú tối đa {NOTE_MAX} ký tự.")])
    async with write_tx():
        if await closing(agency["id"], counter, day) is not None:
            raise InvalidInput(
                "Sổ quỹ ngày này đã chốt.",
                [
                    (
                        "counted",
                        f"Sổ quỹ quầy {counter} ngày {day:%d/%m/%Y} đã được chốt, không chốt lại được.",
                    )
                ],
            )
        rows = await lines(agency["id"], counter, day)
        sums = totals(rows)
        expected = sums["by_method"]["cash"]
        if value != expected and not note:
            raise InvalidInput(
                "Tiền mặt đếm được lệch so với sổ.",
                [("note", "Tiền mặt lệch so với sổ: ghi rõ lý do chênh lệch trước khi chốt.")],
            )
        now = datetime.now(UTC)
        row = CashBookClosing(
            key=_key(agency["id"], counter, day),
            agency=agency["id"],
            counter=counter,
            day=day,
            expected_cash=expected,
            counted_cash=value,
            difference=value - expected,
            totals={**sums["by_method"], "total": sums["total"], "count": sums["count"]},
            note=note,
            closed_by=getattr(actor, "id", None),
            closed_at=now,
        )
        await row.save()
        await audit.append(
            "cashbook.close",
            chain=f"agency:{agency['code']}",
            actor_id=getattr(actor, "id", None),
            object_type="cashbook",
            object_id=row.key,
            data={
                "counter": counter,
                "day": day.isoformat(),
                "expected_cash": expected,
                "counted_cash": value,
                "difference": value - expected,
                "total": sums["total"],
                "lines": sums["count"],
            },
        )
    return {**row.to_dict(), "closed_at": now}


def book_xlsx(
    rows: list[dict[str, Any]],
    sums: dict[str, Any],
    closed: dict[str, Any] | None,
    *,
    agency_name: str,
    counter: int,
    day: date,
) -> bytes:
    """The counter's book for a day as an Excel workbook: lines, totals by method, the closing."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "So quy"
    ws.append(["SỔ QUỸ THU PHÍ, LỆ PHÍ TẠI QUẦY"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"{agency_name} — quầy số {counter} — ngày {day:%d/%m/%Y}"])
    header = [
        "STT",
        "Giờ",
        "Mã hồ sơ",
        "Số biên lai",
        "Hình thức",
        "Mã giao dịch",
        "Số tiền (đồng)",
        "Người thu",
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in rows:
        at = r["recorded_at"]
        ws.append(
            [
                r["n"],
                at.astimezone(VN_TZ).strftime("%H:%M") if at else "",
                r["dossier_code"],
                r.get("receipt_number") or "",
                r["method_label"],
                r.get("reference") or "",
                r["amount"],
                r.get("clerk") or "",
            ]
        )
    ws.append([])
    for method, label in BOOK_METHODS.items():
        ws.append(["", "", "", "", f"Cộng {label.lower()}", "", sums["by_method"][method]])
    ws.append(["", "", "", "", "Tổng cộng", "", sums["total"]])
    if closed:
        ws.append([])
        ws.append(["", "", "", "", "Tiền mặt theo sổ", "", closed["expected_cash"]])
        ws.append(["", "", "", "", "Tiền mặt kiểm đếm", "", closed["counted_cash"]])
        ws.append(["", "", "", "", "Chênh lệch", "", closed["difference"]])
        if closed.get("note"):
            ws.append(["", "", "", "", "Lý do chênh lệch", closed["note"]])
    for col, width in zip("ABCDEFGH", (6, 8, 26, 14, 18, 22, 16, 24), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=4, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "#,##0"
    wb.properties.creator = "motcua"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
