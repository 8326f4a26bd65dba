"""Fee pages: the dossier's fees, payments and refunds; recording a payment at the counter; paying
online through a gateway; the VietQR code for a bank transfer."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.contract.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.counter import cashbook
from core.documents.access import dossier_for_user
from core.documents.tables import GeneratedDocument
from core.fees import service
from core.fees.gateways import gateways
from core.fees.online import confirm_gateway_payment, pending_gateway_payment, start_gateway_payment
from core.fees.vietqr import build_payload, transfer_purpose, treasury_account
from core.identity.guards import public, reads_dossier
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("ROUTES",)

COLLECTOR_ROLES = ("receiver", "agency_admin", "postal_agent")


def _can_collect(user: Any, dossier: dict[str, Any]) -> bool:
    return user is not None and any(user.has_role(r, dossier["receiving_agency"]) for r in COLLECTOR_ROLES)


async def _context(request: Request, code: str) -> dict[str, Any]:
    from core.documents.qr import qr_svg_data_uri

    user = request.user
    d = await dossier_for_user(user, code)
    totals = await service.totals(d["id"])
    pays = await service.payments(d["id"])
    receipts = {
        r["key"].split(":", 1)[1]: r
        for r in await GeneratedDocument.select(
            GeneratedDocument.id, GeneratedDocument.key, GeneratedDocument.status
        ).where((GeneratedDocument.dossier == d["id"]) & (GeneratedDocument.kind == "fee_receipt"))
    }
    for p in pays:
        p["method_label"] = service.method_label(p["method"]) if p["method"] != "pending" else ""
        p["receipt"] = receipts.get(str(p["id"]))
    account = treasury_account()
    vietqr = None
    if account and totals["due"] > 0:
        payload = build_payload(account, totals["due"], transfer_purpose(code))
        vietqr = {"payload": payload, "svg": qr_svg_data_uri(payload), "account": account}
    return {
        "d": d,
        "code": code,
        "lines": await service.fee_lines(d["id"]),
        "totals": totals,
        "payments": pays,
        "can_collect": _can_collect(user, d),
        "methods": list(service.METHODS.items()),
        "vietqr": vietqr,
        "gateways": list(gateways().values()) if user is not None and d["applicant"] == user.id else [],
        "pending": await pending_gateway_payment(d["id"]),
        "gateway_labels": {g.name: g.label for g in gateways().values()},
        "form": {"method": "cash", "amount": str(totals["due"]), "reference": ""},
        "errors": {},
        "refund_form": {},
        "refund_errors": {},
        "refund_id": None,
    }


@get("/ho-so/{code:str}/le-phi", include_in_schema=False, name="dossier_fees", guards=[reads_dossier])
async def fees_page(request: Request, code: str) -> Template:
    """Fees, what is due, payments with their receipts, refunds; VietQR and gateways for the payer."""
    return await page(request, "fees/dossier.html", await _context(request, code))


@post("/ho-so/{code:str}/le-phi/nop", include_in_schema=False, name="record_payment", guards=[reads_dossier])
async def record_payment(request: Request, code: str) -> Template | Redirect:
    """A clerk records a payment (cash, bank transfer, post): exactly the balance, or 422 at the field."""
    ctx = await _context(request, code)
    if not ctx["can_collect"]:
        raise NotAllowed("Chỉ cán bộ tiếp nhận của cơ quan nhận hồ sơ được ghi nhận nộp phí.")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("method", "amount", "reference")}
    try:
        paid = await service.record_payment(
            ctx["d"]["id"],
            actor=request.user,
            method=values["method"],
            amount=values["amount"],
            reference=values["reference"],
            data={"counter": cashbook.seat_counter(request.session)},  # the clerk's counter's book
        )
    except InvalidInput as exc:
        ctx.update(form=values, errors={f or "amount": m for f, m in exc.errors})
        return await page(request, "fees/dossier.html", ctx, status_code=422)
    flash(request, _("Payment recorded. Receipt number %(number)s.", number=paid["receipt_number"]))
    return Redirect(f"/ho-so/{code}/le-phi", status_code=303)


@post(
    "/ho-so/{code:str}/le-phi/hoan-tra/{refund_id:int}",
    include_in_schema=False,
    name="complete_refund",
    guards=[reads_dossier],
)
async def complete_refund(request: Request, code: str, refund_id: int) -> Template | Redirect:
    ctx = await _context(request, code)
    if not ctx["can_collect"] or not any(
        p["id"] == refund_id and p["kind"] == "refund" for p in ctx["payments"]
    ):
        raise NotAllowed("Bạn không được ghi nhận hoàn trả cho khoản này.")
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("method", "reference")}
    try:
        # paid back at the clerk's counter: a line out of that counter's book
        await cashbook.refund(
            refund_id, actor=request.user, counter=cashbook.seat_counter(request.session), **values
        )
    except InvalidInput as exc:
        ctx.update(
            refund_form=values,
            refund_errors={f or "method": m for f, m in exc.errors},
            refund_id=refund_id,
            errors={f"refund-{refund_id}-{f or 'method'}": m for f, m in exc.errors},
        )
        return await page(request, "fees/dossier.html", ctx, status_code=422)
    flash(request, _("Refund recorded."))
    return Redirect(f"/ho-so/{code}/le-phi", status_code=303)


@post(
    "/ho-so/{code:str}/le-phi/cong/{gateway:str}",
    include_in_schema=False,
    name="pay_online",
    guards=[reads_dossier],
)
async def pay_online(request: Request, code: str, gateway: str) -> Redirect:
    user = request.user
    d = await dossier_for_user(user, code)
    if d["applicant"] != user.id:
        raise NotAllowed("Chỉ người nộp hồ sơ thanh toán trực tuyến cho hồ sơ của mình.")
    try:
        url = await start_gateway_payment(d["id"], gateway, actor=user)
    except (Conflict, InvalidInput) as exc:  # one still pending, or nothing left to pay: say so on the page
        flash(request, exc.message, "error")
        return Redirect(f"/ho-so/{code}/le-phi", status_code=303)
    return Redirect(url, status_code=303)


async def _gateway_return(request: Request, gateway: str) -> Redirect:
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    result = await confirm_gateway_payment(gateway, params)
    from core.dossiers.tables import Dossier

    row = await Dossier.select(Dossier.code).where(Dossier.id == result["dossier_id"]).first()
    if result["status"] == "paid":
        flash(request, _("Payment received. Your electronic receipt is being prepared."))
    elif result["status"] == "failed":
        flash(request, _("The payment did not go through. Nothing was charged; you may try again."), "error")
    elif result["status"] == "pending":
        flash(
            request,
            _("The payment platform has not confirmed the payment yet. This page shows it once it does."),
            "info",
        )
    if row is None:  # the gateway answered for a dossier that is gone
        raise NotFound("Không tìm thấy hồ sơ.")
    return Redirect(f"/ho-so/{row['code']}/le-phi", status_code=303)


@get(
    "/thanh-toan/{gateway:str}/ket-qua",
    include_in_schema=False,
    name="gateway_return",
    opt=public(
        "the payment platform returns the payer and notifies the result; the gateway plugin verifies its signature"
    ),
)
async def gateway_return(request: Request, gateway: str) -> Redirect:
    """Where the payment platform sends the payer back (its parameters are verified by the plugin)."""
    return await _gateway_return(request, gateway)


@post(
    "/thanh-toan/{gateway:str}/ket-qua",
    include_in_schema=False,
    name="gateway_callback",
    exclude_from_csrf=True,
    opt=public(
        "the payment platform returns the payer and notifies the result; the gateway plugin verifies its signature"
    ),
)
async def gateway_callback(request: Request, gateway: str) -> Redirect:
    """Server-to-server notification of the platform (not CSRF-protected: the plugin verifies its signature)."""
    return await _gateway_return(request, gateway)


ROUTES = [fees_page, record_payment, complete_refund, pay_online, gateway_return, gateway_callback]
