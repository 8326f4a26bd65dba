"""Online payment gateways contributed by plugins (``register_payment_gateways``).

Core ships none: a province installs the plugin of its payment platform. A gateway ``start``s a
pending payment (returns the URL to send the payer to) and ``verify``s what the platform sends back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.catalogue.specs import L

__all__ = ("PaymentGatewaySpec", "GatewayResult", "gateways")


@dataclass(frozen=True, slots=True)
class GatewayResult:
    """What a gateway's ``verify`` found in the platform's callback."""

    payment_id: int
    """The motcua payment the callback is about (passed to the platform by ``start``)."""
    status: str
    """``paid``, ``failed`` or ``pending``."""
    reference: str = ""
    """The platform's transaction reference."""


@dataclass(frozen=True, slots=True)
class PaymentGatewaySpec:
    """An online payment platform."""

    name: str
    """Identifier (``[a-z0-9_]+``), used in URLs and as the payment method ``gateway:<name>``."""
    label: L
    """Name shown to the payer."""
    start: Callable[[Mapping[str, Any]], str | Awaitable[str]]
    """Given the pending payment (``id``, ``dossier_code``, ``amount``, ``return_url``), return the
    URL to redirect the payer to."""
    verify: Callable[[Mapping[str, Any]], GatewayResult | Awaitable[GatewayResult]]
    """Given the callback's parameters, check their signature with the platform and return the result.
    Raise ``ValueError`` for a callback that does not verify."""


def gateways() -> dict[str, PaymentGatewaySpec]:
    """Every registered gateway by name (later registrations cannot replace earlier ones)."""
    from core.plugins import get_plugin_manager

    found: dict[str, PaymentGatewaySpec] = {}
    for specs in get_plugin_manager().hook.register_payment_gateways():
        for spec in specs or ():
            found.setdefault(spec.name, spec)
    return found
