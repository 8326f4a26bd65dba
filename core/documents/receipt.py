"""The data printed on an electronic fee receipt (biên lai thu phí, lệ phí)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.contract.errors import NotFound
from core.contract.vntime import VN_TZ
from core.documents import context as ctxmod
from core.documents.numbering import next_number
from core.fees.tables import Payment
from core.fees.words import amount_in_words

__all__ = ("receipt_context",)


async def receipt_context(payment_id: int) -> tuple[int, str, dict[str, Any], datetime]:
    """Allocate the receipt number (inside the caller's transaction) and build what is printed.

    Returns:
        ``(dossier_id, receipt number, context, time of payment)``.
    """
    from core.fees.service import method_label

    p = await Payment.select().where(Payment.id == payment_id).first()
    if p is None or p["kind"] != "payment":
        raise NotFound(f"Không có khoản nộp số {payment_id}.")
    bundle = await ctxmod.dossier_bundle(p["dossier"])
    paid_at = p["paid_at"] or p["created_at"]
    number = p["receipt_number"]
    if not number:
        year = paid_at.astimezone(VN_TZ).year
        seq = await next_number("fee_receipt", bundle["agency"]["code"], year)
        number = f"{year}-{seq:06d}"
        await Payment.update({Payment.receipt_number: number}).where(Payment.id == payment_id)
    d = bundle["dossier"]
    data = ctxmod._json(p["data"])
    recorder = p["recorded_by"]
    officer = ""
    if recorder:
        from core.identity.tables import User

        u = await User.select(User.full_name).where(User.id == recorder).first()
        officer = u["full_name"] if u else ""
    context = {
        "number": number,
        "series": "BL/" + str(paid_at.astimezone(VN_TZ).year),
        "issued_at": paid_at.isoformat(),
        "place": ctxmod.province_place(bundle["chain"]),
        "agency": {
            **bundle["agency"],
            "parent_name": next((a["name"] for a in bundle["chain"][1:] if a.get("name")), ""),
        },
        "code": d["code"] or "",
        "status_url": "",
        "payer": {
            "name": data.get("payer_name") or d["applicant_name"],
            "address": d["applicant_address"],
            "id_number": d["applicant_id_number"],
        },
        "procedure": ctxmod._procedure(bundle),
        "lines": [
            {
                "label": f["label"],
                "amount": f["amount"],
                "legal_basis": f["legal_basis"],
                "exempt_reason": f["exempt_reason"],
            }
            for f in bundle["fees"]
        ],
        "amount": p["amount"],
        "amount_words": amount_in_words(p["amount"]),
        "method": method_label(p["method"]),
        "reference": p["reference"],
        "reference_label": "số biên nhận" if p["method"] == "post" else "mã giao dịch",
        "officer": officer,
    }
    if d["code"]:
        from core.documents.qr import status_url

        context["status_url"] = status_url(d["code"], d.get("lookup_key") or "")
    return p["dossier"], number, context, paid_at
