"""Paying online through a plugin's gateway: a pending payment, the redirect, the verified callback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from core.audit import chain as audit
from core.contract.errors import Conflict, InvalidInput, NotFound
from core.contract.vntime import VN_TZ
from core.db.tx import write_tx
from core.fees.gateways import gateways
from core.fees.service import _lock_dossier, balance_due, on_payment
from core.fees.tables import Payment
from core.plugins import await_me_maybe
from core.settings import get_settings

__all__ = ("PENDING_WINDOW", "pending_gateway_payment", "start_gateway_payment", "confirm_gateway_payment")

log = logging.getLogger("motcua.fees.gateway")

PENDING_WINDOW = timedelta(minutes=15)
"""How long a started online payment blocks another one: the payer finishes (or cancels) it on the
platform's page meanwhile. Afterwards a new one may be started; a late confirmation of the old one is
still settled, and what it paid twice is owed back (a pending refund)."""


async def pending_gateway_payment(dossier_id: int, *, now: datetime | None = None) -> dict[str, Any] | None:
    """The online payment of the dossier still waiting for its platform within ``PENDING_WINDOW``, with
    ``expires_at``, the ``gateway`` name and the ``url`` of the platform's page (to finish or cancel it
    there); None when there is none."""
    now = now or datetime.now(UTC)
    row = (
        await Payment.select(Payment.id, Payment.method, Payment.amount, Payment.created_at, Payment.data)
        .where(
            (Payment.dossier == dossier_id)
            & (Payment.kind == "payment")
            & (Payment.status == "pending")
            & Payment.method.like("gateway:%")
            & (Payment.created_at > now - PENDING_WINDOW)
        )
        .order_by(Payment.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    if row is None:
        return None
    data = row.pop("data") or {}
    return {
        **row,
        "gateway": row["method"].split(":", 1)[1],
        "expires_at": row["created_at"] + PENDING_WINDOW,
        "url": str(data.get("url") or "") if isinstance(data, dict) else "",
    }


async def start_gateway_payment(dossier_id: int, gateway: str, *, actor: Any = None) -> str:
    """Create a pending payment of the balance due and return the gateway's URL for the payer."""
    spec = gateways().get(gateway)
    if spec is None:
        raise NotFound("Cổng thanh toán này không được cung cấp.")
    async with write_tx():
        d = await _lock_dossier(dossier_id)
        waiting = await pending_gateway_payment(dossier_id)
        if waiting is not None:  # "Pay online" again while a payment is with the platform: not twice
            raise Conflict(
                "Một khoản thanh toán trực tuyến của hồ sơ đang chờ cổng thanh toán xác nhận; hãy hoàn tất "
                "hoặc hủy nó trên trang của cổng, hoặc chờ đến "
                f"{waiting['expires_at'].astimezone(VN_TZ):%H:%M} rồi thanh toán lại."
            )
        due = await balance_due(dossier_id)
        if due <= 0:
            raise InvalidInput(
                "Hồ sơ không còn khoản phí nào phải nộp.",
                [("amount", "Hồ sơ không còn khoản phí, lệ phí nào phải nộp.")],
            )
        row = Payment(
            dossier=dossier_id,
            kind="payment",
            method=f"gateway:{gateway}",
            amount=due,
            status="pending",
            recorded_by=getattr(actor, "id", None),
            created_at=datetime.now(UTC),
        )
        await row.save()
    return_url = f"{get_settings().base_url}/thanh-toan/{gateway}/ket-qua"
    url = await await_me_maybe(
        spec.start({"id": row.id, "dossier_code": d["code"], "amount": due, "return_url": return_url})
    )
    await Payment.update({Payment.data: {"url": str(url)[:2000]}}).where(Payment.id == row.id)
    return url


async def confirm_gateway_payment(gateway: str, params: dict[str, Any]) -> dict[str, Any]:
    """Verify a gateway callback and settle the payment it names (idempotent on repeated callbacks).

    Returns:
        ``{"payment_id", "dossier_id", "status", "document_id"}``.

    Raises:
        NotFound: Unknown gateway or payment.
        InvalidInput: The callback does not verify.
    """
    spec = gateways().get(gateway)
    if spec is None:
        raise NotFound("Cổng thanh toán này không được cung cấp.")
    try:
        result = await await_me_maybe(spec.verify(params))
    except ValueError as exc:
        log.warning("gateway %s: callback refused (%s); parameters %s", gateway, exc, sorted(params))
        raise InvalidInput("Kết quả thanh toán không hợp lệ.", [(None, str(exc))]) from exc
    async with write_tx():
        row = (
            await Payment.select()
            .where((Payment.id == result.payment_id) & (Payment.method == f"gateway:{gateway}"))
            .first()
        )
        if row is None:
            log.warning("gateway %s: callback for unknown payment %s refused", gateway, result.payment_id)
            raise NotFound("Không tìm thấy khoản thanh toán.")
        doc_id = None
        settled: list = []
        if row["status"] == "pending" and result.status in ("paid", "failed"):
            now = datetime.now(UTC)
            due_before = await balance_due(row["dossier"])
            # Only a still-pending row is settled: the payer's return and the platform's callback may
            # arrive at once, and on PostgreSQL both may have read "pending" (one receipt, not two).
            settled = (
                await Payment.update(
                    {
                        Payment.status: result.status,
                        Payment.reference: result.reference[:128],
                        Payment.paid_at: now if result.status == "paid" else None,
                    }
                )
                .where((Payment.id == row["id"]) & (Payment.status == "pending"))
                .returning(Payment.id)
            )
        if settled:
            d = await _lock_dossier(row["dossier"])
            if result.status == "paid":
                doc_id = await on_payment(row["id"], row["dossier"])
                if row["amount"] > due_before:  # paid meanwhile at the counter: the surplus is owed back
                    await Payment(
                        dossier=row["dossier"],
                        kind="refund",
                        method="pending",
                        amount=row["amount"] - due_before,
                        status="pending",
                        created_at=now,
                        note="Nộp trùng qua cổng thanh toán trực tuyến",
                    ).save()
            await audit.append(
                f"fee.gateway_{result.status}",
                chain=f"agency:{d['agency_code']}",
                object_type="dossier",
                object_id=d["code"] or row["dossier"],
                data={
                    "payment_id": row["id"],
                    "gateway": gateway,
                    "amount": row["amount"],
                    "reference": result.reference,
                },
            )
        if settled:
            status = result.status
        elif row["status"] == "pending" and result.status in ("paid", "failed"):  # settled meanwhile
            latest = await Payment.select(Payment.status).where(Payment.id == row["id"]).first()
            status = latest["status"] if latest else row["status"]
        else:
            status = row["status"]
    return {"payment_id": row["id"], "dossier_id": row["dossier"], "status": status, "document_id": doc_id}
