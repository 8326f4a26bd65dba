"""The sandbox's payment page (``/thanh-toan-thu-nghiem``): shows what is paid, lets the tester choose
the outcome, returns the payer with a signed result and sends the signed server-to-server callback."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import Redirect, Template

from core.api import NotFound, gettext, page, public
from plugins.payment_sandbox import gateway

__all__ = ("ROUTES",)

LINK_KEYS = ("ref", "code", "amount", "return", "sig")


def _choice_labels() -> list[tuple[str, str]]:
    _ = gettext
    return [
        ("success", _("Payment succeeds")),
        ("failure", _("Payment fails (refused by the bank)")),
        ("cancel", _("The payer cancels the payment")),
        ("late", _("Payment succeeds, the gateway notifies the result late (after the payer is back)")),
    ]


def _link(values: Any) -> dict[str, str]:
    """The signed link's parameters, or 404 when the sandbox is off or the link was altered."""
    link = {k: str(values.get(k, "")) for k in LINK_KEYS}
    if not gateway.enabled() or not gateway.check(link):
        raise NotFound("Liên kết thanh toán thử nghiệm không hợp lệ hoặc cổng thử nghiệm chưa được bật.")
    return link


def _context(link: dict[str, str], choice: str = "", error: str = "") -> dict[str, Any]:
    return {
        "link": link,
        "amount": int(link["amount"]) if link["amount"].isdigit() else 0,
        "choices": _choice_labels(),
        "choice": choice,
        "errors": {"choice": error} if error else {},
    }


@get(
    "/thanh-toan-thu-nghiem",
    include_in_schema=False,
    name="payment_sandbox_page",
    opt=public("the sandbox gateway's own payment page, reached by a signed link; off unless configured"),
)
async def sandbox_page(request: Request) -> Template:
    """The payment page the payer is sent to."""
    link = _link(request.query_params)
    return await page(request, "payment_sandbox/pay.html", _context(link))


@post(
    "/thanh-toan-thu-nghiem",
    include_in_schema=False,
    name="payment_sandbox_answer",
    status_code=200,
    opt=public("the sandbox gateway's own payment page, reached by a signed link; off unless configured"),
)
async def sandbox_answer(request: Request) -> Template | Redirect:
    """The tester's choice: back to the site with a signed result, and the callback in the background."""
    form = await request.form()
    link = _link(form)
    choice = str(form.get("choice", ""))
    if choice not in gateway.STATUS:
        ctx = _context(link, error=gettext("Choose the outcome of the test payment."))
        return await page(request, "payment_sandbox/pay.html", ctx, status_code=422)
    back = gateway.result_params(link["ref"], link["amount"], gateway.STATUS[choice])
    if choice == "late":  # the platform confirms later, by its server-to-server callback only
        later = gateway.result_params(link["ref"], link["amount"], "paid", txn=back["txn"])
        task = BackgroundTask(gateway.send_callback, link["return"], later, gateway.delay())
    else:  # the notification a real platform sends besides the payer's return (settled once)
        task = BackgroundTask(gateway.send_callback, link["return"], back)
    query = "&".join(f"{k}={v}" for k, v in back.items())
    return Redirect(f"{link['return']}?{query}", status_code=303, background=task)


ROUTES = [sandbox_page, sandbox_answer]
