"""Core plugin for core.fees: fee pages, the fee quote frozen at receipt and the fees owed before the
result is handed over (``after_transition``), refunds owed when a paid dossier ends refused or stopped."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl

REFUND_STATES = frozenset({"refused", "result_refused", "stopped"})
"""A dossier that ends here after payment is owed its fees back."""


@hookimpl
def register_payment_gateways():
    return []  # core ships no gateway: a province installs its payment platform's plugin


FEE_CHANNEL = {"truc_tuyen": "online", "truc_tiep": "counter", "buu_chinh": "post"}
"""Dossier channel → the ``channel`` fee rules know (``compute_fee`` ctx)."""


@hookimpl
async def after_transition(transition):
    """In the transition's transaction: on receipt, freeze the fee quote of the application (the
    event records its total; form 01 prints it); before the result is handed over, refuse while fees
    are still owed (the transition rolls back)."""
    from core.fees import service

    if transition.action == "receive":
        from core.dossiers.timing import VN_TZ

        dossier = transition.dossier
        quote = await service.quote(
            transition.procedure,
            dossier["data"],
            await transition.receiving_agency(),
            FEE_CHANNEL.get(dossier["channel"], "counter"),
            transition.at.astimezone(VN_TZ).date(),
        )
        await service.store_quote(transition.dossier_id, quote)
        return {"fee_total": quote.total}
    if transition.action == "return_result":
        due = await service.balance_due(transition.dossier_id)
        if due > 0:
            from core.contract.errors import NotAllowed
            from core.text.templating import format_vnd

            raise NotAllowed(
                f"Người nộp còn {format_vnd(due)} phí, lệ phí chưa nộp: thu đủ trước khi trả kết quả."
            )
    return None


@hookimpl
async def on_dossier_event(event, dossier, ctx):
    if event.get("to_state") not in REFUND_STATES or event.get("from_state") == event.get("to_state"):
        return None
    from core.fees.service import refund

    await refund(
        dossier["id"], actor=None, reason=f"Hồ sơ kết thúc ({event.get('to_state')}) sau khi đã nộp phí."
    )
    return None


@hookimpl
async def dossier_panels(dossier, user, request):
    from core.contract.specs import L, Panel
    from core.fees.service import totals

    if not dossier.get("code"):
        return []
    t = await totals(dossier["id"])
    if not (t["fees"] or t["paid"] or t["refund_owed"]):
        return []
    return [
        Panel(
            title=L("Phí, lệ phí", "Fees"),
            template="fees/_panel.html",
            context={"totals": t, "code": dossier["code"]},
            order=40,
        )
    ]
