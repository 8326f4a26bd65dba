"""Fee quotes, payments and refunds of a dossier (integer VND).

* ``quote`` asks the procedure's plugin (``compute_fee``) with the province's amounts in force;
* ``store_quote`` freezes the quote on the dossier (``DossierFee`` lines);
* ``balance_due`` is what still has to be paid (the engine refuses to return a result while > 0);
* ``record_payment`` takes exactly the balance, audited, and queues the electronic receipt;
* ``refund`` records money owed back when a paid dossier ends refused or stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from core.audit import chain as audit
from core.contract.errors import InvalidInput, NotFound
from core.contract.specs import FeeQuote, ProcedureSpec
from core.contract.vntime import vn_today
from core.db.tx import is_postgres, raw, write_tx
from core.fees.tables import DossierFee, Payment
from core.plugins import await_me_maybe, get_plugin_manager

__all__ = (
    "METHODS",
    "quote",
    "store_quote",
    "fee_lines",
    "balance_due",
    "totals",
    "payments",
    "record_payment",
    "on_payment",
    "refund",
    "complete_refund",
    "method_label",
)

METHODS: dict[str, str] = {
    "cash": "Tiền mặt tại Bộ phận Một cửa",
    "bank_transfer": "Chuyển khoản (VietQR)",
    "post": "Nộp qua bưu điện",
}
"""Payment methods recorded by staff; online gateways add ``gateway:<name>``."""


def method_label(method: str) -> str:
    if method.startswith("gateway:"):
        from core.fees.gateways import gateways

        gw = gateways().get(method.split(":", 1)[1])
        name = gw.label.vi if gw else method.split(":", 1)[1]
        return name if name.lower().startswith("cổng thanh toán") else f"Cổng thanh toán {name}"
    return METHODS.get(method, method)


def _today_vn() -> date:
    return vn_today()


async def _fee_table(procedure_code: str, on: date) -> dict[str, tuple[int, str]]:
    """``{fee_code: (amount, legal basis)}`` in force on ``on`` for the procedure (one query)."""
    from core.catalogue.service import fee_rows

    return {code: (f.amount, f.legal_basis) for code, f in (await fee_rows(procedure_code, on)).items()}


async def quote(
    procedure: ProcedureSpec,
    data: Mapping[str, Any],
    agency: Any = None,
    channel: str = "counter",
    on: date | None = None,
) -> FeeQuote:
    """The fees for an application, from the owning plugin's rule and the province's fee table.

    Args:
        procedure: The procedure applied for.
        data: The application's answers.
        agency: The receiving agency (``AgencyRef`` or a mapping), passed to the plugin.
        channel: ``counter``, ``post`` or ``online`` (some fees are waived online).
        on: The date whose amounts apply (today in Vietnam by default).

    Returns:
        The plugin's quote, or an empty quote when no plugin prices the procedure.
    """
    on = on or _today_vn()
    table = await _fee_table(procedure.code, on)
    ctx = {
        "fees": {code: amount for code, (amount, _basis) in table.items()},
        "channel": channel,
        "today": on,
        "agency": agency,
    }
    result = await await_me_maybe(
        get_plugin_manager().hook.compute_fee(procedure=procedure, application=dict(data), ctx=ctx)
    )
    if result is None:
        return FeeQuote(lines=())
    for line in result.lines:
        if not isinstance(line.amount, int) or isinstance(line.amount, bool) or line.amount < 0:
            raise ValueError(
                f"Phí '{line.code}' của thủ tục {procedure.code} phải là số nguyên VND không âm."
            )
    # A line without its own legal basis cites the province's fee-table row it was priced from.
    return FeeQuote(
        lines=tuple(
            replace(line, legal_basis=table[line.code][1])
            if not line.legal_basis and line.code in table
            else line
            for line in result.lines
        )
    )


async def store_quote(dossier_id: int, fee_quote: FeeQuote) -> int:
    """Freeze ``fee_quote`` as the dossier's fee lines (replacing unpaid earlier ones); returns the total.

    Joins the caller's transaction. Lines cannot change once something was paid.
    """
    async with write_tx():
        paid = await _paid(dossier_id)
        if paid:
            existing = await DossierFee.select(DossierFee.amount).where(DossierFee.dossier == dossier_id)
            if sum(r["amount"] for r in existing) != fee_quote.total:
                raise InvalidInput(
                    "Hồ sơ đã nộp phí; không thể thay đổi mức phí.",
                    [("fees", "Hồ sơ đã nộp phí; không thể thay đổi mức phí.")],
                )
            return fee_quote.total
        await DossierFee.delete().where(DossierFee.dossier == dossier_id)
        if fee_quote.lines:
            await DossierFee.insert(
                *[
                    DossierFee(
                        dossier=dossier_id,
                        code=ln.code,
                        label=ln.label.vi,
                        amount=ln.amount,
                        legal_basis=ln.legal_basis,
                        exempt_reason=ln.exempt_reason.vi if ln.exempt_reason else "",
                    )
                    for ln in fee_quote.lines
                ]
            )
    return fee_quote.total


async def fee_lines(dossier_id: int) -> list[dict[str, Any]]:
    return await DossierFee.select().where(DossierFee.dossier == dossier_id).order_by(DossierFee.id)


async def _paid(dossier_id: int) -> int:
    rows = await raw(
        "SELECT COALESCE(SUM(amount), 0) AS s FROM payment WHERE dossier = {} AND kind = 'payment' "
        "AND status = 'paid'",
        dossier_id,
    )
    return int(rows[0]["s"])


async def totals(dossier_id: int) -> dict[str, int]:
    """``fees``, ``paid``, ``refunded``, ``refund_owed`` and ``due`` of a dossier (one query)."""
    rows = await raw(
        "SELECT (SELECT COALESCE(SUM(amount), 0) FROM dossier_fee WHERE dossier = {}) AS fees, "
        "(SELECT COALESCE(SUM(amount), 0) FROM payment"
        " WHERE dossier = {} AND kind = 'payment' AND status = 'paid') AS paid, "
        "(SELECT COALESCE(SUM(amount), 0) FROM payment"
        " WHERE dossier = {} AND kind = 'refund' AND status = 'paid') AS refunded, "
        "(SELECT COALESCE(SUM(amount), 0) FROM payment"
        " WHERE dossier = {} AND kind = 'refund' AND status = 'pending') AS owed",
        dossier_id,
        dossier_id,
        dossier_id,
        dossier_id,
    )
    r = {k: int(v) for k, v in rows[0].items()}
    return {
        "fees": r["fees"],
        "paid": r["paid"],
        "refunded": r["refunded"],
        "refund_owed": r["owed"],
        "due": max(0, r["fees"] - r["paid"]),
    }


async def dues(dossier_ids: list[int]) -> dict[int, int]:
    """What is still to pay on each of ``dossier_ids`` (only those with something due), in two
    queries whatever their number (a citizen's list of dossiers)."""
    if not dossier_ids:
        return {}
    fees = await DossierFee.select(DossierFee.dossier, DossierFee.amount).where(
        DossierFee.dossier.is_in(list(dossier_ids))
    )
    paid = await Payment.select(Payment.dossier, Payment.amount).where(
        Payment.dossier.is_in(list(dossier_ids)) & (Payment.kind == "payment") & (Payment.status == "paid")
    )
    out: dict[int, int] = {}
    for r in fees:
        out[r["dossier"]] = out.get(r["dossier"], 0) + int(r["amount"])
    for r in paid:
        out[r["dossier"]] = out.get(r["dossier"], 0) - int(r["amount"])
    return {k: v for k, v in out.items() if v > 0}


async def balance_due(dossier_id: int) -> int:
    """What the applicant still has to pay, in VND (0 when nothing is due)."""
    return (await totals(dossier_id))["due"]


async def payments(dossier_id: int) -> list[dict[str, Any]]:
    """Payments and refunds of the dossier, oldest first, with who recorded them."""
    return (
        await Payment.select(
            *Payment.all_columns(), Payment.recorded_by.full_name.as_alias("recorded_by_name")
        )
        .where(Payment.dossier == dossier_id)
        .order_by(Payment.id)
    )


def _actor_id(actor: Any) -> int | None:
    if actor is None or isinstance(actor, int):
        return actor
    return getattr(actor, "id", None) or (actor.get("id") if isinstance(actor, Mapping) else None)


async def _lock_dossier(dossier_id: int) -> dict[str, Any]:
    lock = " FOR UPDATE" if is_postgres() else ""
    rows = await raw(
        "SELECT d.id, d.code, a.code AS agency_code FROM dossier d "  # noqa: S608 - the id is a bound parameter
        f"JOIN agency a ON a.id = d.receiving_agency WHERE d.id = {{}}{lock}",
        dossier_id,
    )
    if not rows:
        raise NotFound("Không tìm thấy hồ sơ.")
    return rows[0]


def _parse_amount(amount: Any) -> int:
    if isinstance(amount, int) and not isinstance(amount, bool):
        return amount
    text = str(amount or "").strip().replace(".", "").replace(",", "").replace(" ", "").removesuffix("đ")
    if not text.lstrip("-").isdigit():
        raise InvalidInput(
            "Số tiền không hợp lệ.", [("amount", "Nhập số tiền bằng chữ số, đơn vị đồng (ví dụ 150000).")]
        )
    return int(text)


async def on_payment(payment_id: int, dossier_id: int) -> int | None:
    """Call every plugin's ``on_payment`` for a payment just settled, inside the caller's transaction.

    Returns:
        The id of the receipt's document (what core's documents returns: it issues the receipt), or None.
    """
    found = None
    for result in get_plugin_manager().hook.on_payment(payment_id=payment_id, dossier_id=dossier_id):
        value = await await_me_maybe(result)
        if found is None:
            found = value
    return found


async def record_payment(
    dossier_id: int,
    *,
    actor: Any,
    method: str,
    amount: Any,
    reference: str = "",
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Record a payment of exactly the balance due; audited; the electronic receipt is queued by core's
    documents, which implements the ``on_payment`` hook called inside the same transaction.

    Args:
        dossier_id: The dossier.
        actor: Who recorded it (a user view, a mapping with ``id``, an id, or None for a gateway).
        method: ``cash``, ``bank_transfer``, ``post`` or ``gateway:<name>``.
        amount: VND, as an int or as typed (``"150.000"``).
        reference: Bank transaction id, postal receipt number or gateway reference (required
            except for cash).
        data: Extra data kept with the payment (payer name when not the applicant…).

    Raises:
        InvalidInput: With field errors (``amount``, ``method``, ``reference``).

    Returns:
        The payment row (with ``receipt_number`` and ``document_id`` of the receipt).
    """
    from core.fees.gateways import gateways

    errors: list[tuple[str | None, str]] = []
    gateway_ok = method.startswith("gateway:") and method.split(":", 1)[1] in gateways()
    if method not in METHODS and not gateway_ok:
        errors.append(("method", "Chọn hình thức nộp: tiền mặt, chuyển khoản hoặc bưu điện."))
    reference = (reference or "").strip()
    if method != "cash" and not reference:
        errors.append(("reference", "Nhập mã giao dịch (chuyển khoản) hoặc số biên nhận của bưu điện."))
    try:
        value = _parse_amount(amount)
    except InvalidInput as exc:
        errors += exc.errors
        value = None
    async with write_tx():
        d = await _lock_dossier(dossier_id)
        due = await balance_due(dossier_id)
        if value is not None:
            if due == 0:
                errors.append(("amount", "Hồ sơ không còn khoản phí, lệ phí nào phải nộp."))
            elif value <= 0:
                errors.append(("amount", "Số tiền phải lớn hơn 0 đồng."))
            elif value > due:
                errors.append(("amount", f"Số tiền vượt quá số phải nộp ({due:,} đồng).".replace(",", ".")))
            elif value < due:
                errors.append(("amount", f"Số tiền chưa đủ: phải nộp đủ {due:,} đồng.".replace(",", ".")))
        if errors:
            raise InvalidInput("Thông tin nộp phí chưa hợp lệ.", errors)
        now = datetime.now(UTC)
        row = Payment(
            dossier=dossier_id,
            kind="payment",
            method=method,
            amount=value,
            status="paid",
            reference=reference[:128],
            data=dict(data or {}),
            recorded_by=_actor_id(actor),
            created_at=now,
            paid_at=now,
        )
        await row.save()
        doc_id = await on_payment(row.id, dossier_id)
        await audit.append(
            "fee.payment",
            chain=f"agency:{d['agency_code']}",
            actor_id=_actor_id(actor),
            object_type="dossier",
            object_id=d["code"] or dossier_id,
            data={"payment_id": row.id, "method": method, "amount": value, "reference": reference},
        )
        paid = await Payment.select(Payment.receipt_number).where(Payment.id == row.id).first()
        number = paid["receipt_number"] if paid else None
    return {
        "id": row.id,
        "dossier": dossier_id,
        "kind": "payment",
        "method": method,
        "amount": value,
        "status": "paid",
        "reference": reference,
        "receipt_number": number,
        "document_id": doc_id,
        "paid_at": now,
    }


async def refund(dossier_id: int, *, actor: Any = None, reason: str = "") -> dict[str, Any] | None:
    """Record that paid fees are owed back (a dossier refused or stopped after payment).

    Creates one pending refund row for what was paid and not yet refunded; None when nothing is owed
    (idempotent: a second call finds the pending row). Audited.
    """
    async with write_tx():
        d = await _lock_dossier(dossier_id)
        t = await totals(dossier_id)
        owed = t["paid"] - t["refunded"] - t["refund_owed"]
        if owed <= 0:
            return None
        now = datetime.now(UTC)
        row = Payment(
            dossier=dossier_id,
            kind="refund",
            method="pending",
            amount=owed,
            status="pending",
            note=reason[:2000],
            recorded_by=_actor_id(actor),
            created_at=now,
        )
        await row.save()
        await audit.append(
            "fee.refund_owed",
            chain=f"agency:{d['agency_code']}",
            actor_id=_actor_id(actor),
            object_type="dossier",
            object_id=d["code"] or dossier_id,
            data={"payment_id": row.id, "amount": owed, "reason": reason},
        )
    return {
        "id": row.id,
        "dossier": dossier_id,
        "kind": "refund",
        "amount": owed,
        "status": "pending",
        "note": reason,
    }


async def complete_refund(refund_id: int, *, actor: Any, method: str, reference: str = "") -> dict[str, Any]:
    """Mark a pending refund as paid back (cash at the counter or bank transfer); audited."""
    errors: list[tuple[str, str]] = []
    if method not in ("cash", "bank_transfer"):
        errors.append(("method", "Chọn hình thức hoàn trả: tiền mặt hoặc chuyển khoản."))
    if method == "bank_transfer" and not reference.strip():
        errors.append(("reference", "Nhập mã giao dịch chuyển khoản hoàn trả."))
    if errors:
        raise InvalidInput("Thông tin hoàn trả chưa hợp lệ.", errors)
    async with write_tx():
        row = await Payment.select().where((Payment.id == refund_id) & (Payment.kind == "refund")).first()
        if row is None:
            raise NotFound("Không tìm thấy khoản hoàn trả.")
        if row["status"] != "pending":
            raise InvalidInput("Khoản này đã được hoàn trả.", [("method", "Khoản này đã được hoàn trả.")])
        d = await _lock_dossier(row["dossier"])
        now = datetime.now(UTC)
        await Payment.update(
            {
                Payment.status: "paid",
                Payment.method: method,
                Payment.reference: reference.strip()[:128],
                Payment.paid_at: now,
            }
        ).where(Payment.id == refund_id)
        await audit.append(
            "fee.refunded",
            chain=f"agency:{d['agency_code']}",
            actor_id=_actor_id(actor),
            object_type="dossier",
            object_id=d["code"] or row["dossier"],
            data={"payment_id": refund_id, "amount": row["amount"], "method": method},
        )
    return {**row, "status": "paid", "method": method, "reference": reference, "paid_at": now}
