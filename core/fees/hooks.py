"""Core plugin for core.fees: fee pages, refunds owed when a paid dossier ends refused or stopped."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl

REFUND_STATES = frozenset({"refused", "result_refused", "stopped"})
"""A dossier that ends here after payment is owed its fees back."""


@hookimpl
def register_payment_gateways():
    return []  # core ships no gateway: a province installs its payment platform's plugin


@hookimpl
async def on_dossier_event(event, dossier, ctx):
    if event.get("to_state") not in REFUND_STATES or event.get("from_state") == event.get("to_state"):
        return None
    from core.fees.service import refund

    await refund(dossier["id"], actor=None, reason=f"Hồ sơ kết thúc ({event.get('to_state')}) sau khi đã nộp phí.")
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
    return [Panel(title=L("Phí, lệ phí", "Fees"), template="fees/_panel.html",
                  context={"totals": t, "code": dossier["code"]}, order=40)]
