"""The payment-gateway hook: plugins contribute online payment platforms; core ships none."""

from __future__ import annotations

from core.api import L, hookimpl
from core.contract.specs import GatewayResult, PaymentGatewaySpec
from core.fees.gateways import gateways
from core.plugins import get_plugin_manager


class _DemoGateway:
    @hookimpl
    def register_payment_gateways(self):
        return [
            PaymentGatewaySpec(
                name="demo_pay",
                label=L("Cổng thử nghiệm", "Demo gateway"),
                start=lambda payment: f"https://pay.example.vn/start?ref={payment['id']}",
                verify=lambda params: GatewayResult(int(params["ref"]), "paid", params.get("txn", "")),
            )
        ]


def test_core_ships_no_gateway():
    assert gateways() == {}


def test_hook_register_payment_gateways():
    pm = get_plugin_manager()
    pm.register(_DemoGateway(), name="demo-gateway")
    try:
        found = gateways()
        assert list(found) == ["demo_pay"]
        assert found["demo_pay"].start({"id": 7}) == "https://pay.example.vn/start?ref=7"
        assert found["demo_pay"].verify({"ref": "7", "txn": "T1"}) == GatewayResult(7, "paid", "T1")
    finally:
        pm.unregister(name="demo-gateway")
    assert gateways() == {}
