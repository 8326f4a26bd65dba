"""The sandbox gateway: signed links to its payment page, signed results, and the callback sender.

Every message the sandbox sends carries ``sig``: HMAC-SHA256 (hex) with the configured secret over the
other parameters, sorted by name and joined as ``name=value&…`` (what a real platform such as VNPAY
does with its hash secret). ``verify`` refuses a missing or wrong signature and any parameter it does
not expect, so a result cannot be forged from the payer's browser.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from core.api import GatewayResult

__all__ = (
    "NAME",
    "CHOICES",
    "enabled",
    "sign",
    "check",
    "start",
    "verify",
    "result_params",
    "send_callback",
)

NAME = "sandbox"
"""Recorded as the payment method ``gateway:sandbox``; returns to ``/thanh-toan/sandbox/ket-qua``."""

CHOICES = ("success", "failure", "cancel", "late")
"""What the tester may choose on the payment page: paid, refused by the bank, cancelled by the payer,
or paid with the result notified only later (the payer comes back while it is still pending)."""

STATUS = {"success": "paid", "failure": "failed", "cancel": "cancelled", "late": "pending"}
RESULT_KEYS = frozenset({"ref", "status", "txn", "amount", "ts", "sig"})
log = logging.getLogger("motcua.payment_sandbox")
_transport: Any = None
"""An httpx transport for the callbacks (tests route them into the app in process); None: the network."""


def _secret() -> bytes:
    return os.environ.get("MOTCUA_PAYMENT_SANDBOX_SECRET", "").encode()


def enabled() -> bool:
    """Whether the sandbox is configured (a secret is set)."""
    return bool(_secret())


def delay() -> float:
    """Seconds before the late callback is sent (``MOTCUA_PAYMENT_SANDBOX_DELAY``, default 3)."""
    try:
        return max(0.0, min(float(os.environ.get("MOTCUA_PAYMENT_SANDBOX_DELAY", "3")), 600.0))
    except ValueError:
        return 3.0


def sign(params: Mapping[str, Any]) -> str:
    """The HMAC-SHA256 of ``params`` (without ``sig``), hex."""
    message = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sig")
    return hmac.new(_secret(), message.encode(), hashlib.sha256).hexdigest()


def check(params: Mapping[str, Any]) -> bool:
    """Whether ``params`` carry a valid signature (constant-time comparison)."""
    given = str(params.get("sig", ""))
    return bool(given) and enabled() and hmac.compare_digest(given, sign(params))


def start(payment: Mapping[str, Any]) -> str:
    """The sandbox page for a pending payment: a signed link, so its amount and code cannot be altered."""
    params = {
        "ref": str(payment["id"]),
        "code": str(payment["dossier_code"] or ""),
        "amount": str(payment["amount"]),
        "return": str(payment["return_url"]),
    }
    params["sig"] = sign(params)
    return f"/thanh-toan-thu-nghiem?{urlencode(params)}"


def verify(params: Mapping[str, Any]) -> GatewayResult:
    """Check a result (the payer's return or the server-to-server callback) and read it.

    Raises:
        ValueError: Missing, unexpected or unsigned parameters, or an unknown status.
    """
    keys = set(params)
    if keys != RESULT_KEYS:
        raise ValueError("Thiếu hoặc thừa tham số trong kết quả thanh toán.")
    if not check(params):
        raise ValueError("Chữ ký của kết quả thanh toán không đúng.")
    status = str(params["status"])
    if status not in ("paid", "failed", "cancelled", "pending"):
        raise ValueError("Trạng thái thanh toán không xác định.")
    try:
        ref = int(str(params["ref"]))
    except ValueError as exc:
        raise ValueError("Mã giao dịch không hợp lệ.") from exc
    # a cancelled payment ends like a failed one: nothing was charged, the payer may start again
    return GatewayResult(ref, "failed" if status == "cancelled" else status, str(params["txn"])[:64])


def result_params(ref: str, amount: str, status: str, txn: str | None = None) -> dict[str, str]:
    """A signed result for ``ref``."""
    params = {
        "ref": ref,
        "status": status,
        "txn": txn or "SBX" + secrets.token_hex(6).upper(),
        "amount": amount,
        "ts": datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
    }
    params["sig"] = sign(params)
    return params


async def send_callback(url: str, params: Mapping[str, str], wait: float = 0.0) -> int | None:
    """POST the signed result to the site's callback address (after ``wait`` seconds); the HTTP status,
    or None when it could not be delivered (logged: a real platform would retry)."""
    import httpx

    if wait:
        await asyncio.sleep(wait)
    try:
        async with httpx.AsyncClient(timeout=15.0, transport=_transport) as client:
            resp = await client.post(url, data=dict(params), follow_redirects=False)
    except httpx.HTTPError as exc:
        log.warning("sandbox callback to %s for payment %s failed: %s", url, params.get("ref"), exc)
        return None
    log.info("sandbox callback for payment %s: HTTP %s", params.get("ref"), resp.status_code)
    return resp.status_code
