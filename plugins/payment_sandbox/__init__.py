"""Sandbox payment gateway: a payment page on our own server where a tester chooses success, failure
or cancellation, answered by HMAC-signed callbacks (also a late one, after the payer is back).

Off unless ``MOTCUA_PAYMENT_SANDBOX_SECRET`` is set: it moves no money, so a production site must not
set it. Hook implementations only; the gateway lives in ``gateway.py``, its page in ``controllers.py``.
"""

from __future__ import annotations

from core.api import L, PaymentGatewaySpec, hookimpl
from plugins.payment_sandbox import gateway


@hookimpl
def register_payment_gateways():
    if not gateway.enabled():
        return []
    return [
        PaymentGatewaySpec(
            name=gateway.NAME,
            label=L("Cổng thanh toán thử nghiệm (không thu tiền thật)", "Sandbox gateway (no real money)"),
            start=gateway.start,
            verify=gateway.verify,
        )
    ]


@hookimpl
def register_routes():
    from plugins.payment_sandbox.controllers import ROUTES

    return ROUTES
