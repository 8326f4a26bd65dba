"""Online payment gateways contributed by plugins (``register_payment_gateways``).

Core ships none: a province installs the plugin of its payment platform. A gateway ``start``s a
pending payment (returns the URL to send the payer to) and ``verify``s what the platform sends back.
"""

from __future__ import annotations

from core.contract.specs import PaymentGatewaySpec

__all__ = ("gateways",)


def gateways() -> dict[str, PaymentGatewaySpec]:
    """Every registered gateway by name (later registrations cannot replace earlier ones)."""
    from core.plugins import get_plugin_manager

    found: dict[str, PaymentGatewaySpec] = {}
    for specs in get_plugin_manager().hook.register_payment_gateways():
        for spec in specs or ():
            found.setdefault(spec.name, spec)
    return found
