"""The sandbox gateway plugin: a signed link to its own payment page, the tester's choice (success,
failure, cancellation, late notice), signed results and callbacks; forged or unknown results refused
and logged; a result replayed pays once; the e-receipt reaches the citizen with no clerk involved."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from core.api import FeeLine, FeeQuote, L
from core.audit.tables import AuditEntry
from core.documents.tables import GeneratedDocument
from core.fees import service as fees
from core.fees.gateways import gateways
from core.fees.online import confirm_gateway_payment
from core.fees.tables import Payment
from core.jobs.runner import run_pending_now
from core.plugins import get_plugin_manager
from core.text.i18n import translations
from core.text.templating import build_environment
from plugins import payment_sandbox
from plugins.payment_sandbox import gateway
from tests.conftest import csrf_from
from tests.fixtures.builders import login_as
from tests.integration.test_documents_builders import CODE, build_dossier

RETURN = "/thanh-toan/sandbox/ket-qua"


@pytest.fixture
def sandbox(monkeypatch, request):
    """The sandbox switched on (registered too when the installed package metadata predates its entry
    point); its callbacks are delivered into the app in process. Request it before ``client``."""
    pm = get_plugin_manager()
    added = not pm.has_plugin("payment_sandbox")
    if added:
        pm.register(payment_sandbox, name="payment_sandbox")
        translations.cache_clear()
        build_environment.cache_clear()  # its templates folder
    monkeypatch.setenv("MOTCUA_PAYMENT_SANDBOX_SECRET", "test-secret-khong-dung-that")
    monkeypatch.setenv("MOTCUA_PAYMENT_SANDBOX_DELAY", "0")
    monkeypatch.setattr(gateway, "_transport", httpx.ASGITransport(app=request.getfixturevalue("app")))
    yield
    if added:
        pm.unregister(name="payment_sandbox")
        translations.cache_clear()
        build_environment.cache_clear()


async def _dossier_with_fee() -> dict:
    built = await build_dossier()
    await fees.store_quote(
        built["dossier_id"],
        FeeQuote(lines=(FeeLine("copy_fee", L("Phí chứng thực"), 120000, "Thông tư 226/2016/TT-BTC"),)),
    )
    return built


async def _to_sandbox(client, built) -> str:
    """The applicant starts paying: the address of the sandbox page."""
    await login_as(client, built["applicant"])
    fee_page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert "Cổng thanh toán thử nghiệm" in fee_page.text
    start = await client.post(
        f"/ho-so/{CODE}/le-phi/cong/sandbox", data={"_csrf_token": csrf_from(client)}, follow_redirects=False
    )
    assert start.status_code == 303
    return start.headers["location"]


async def _choose(client, link: str, choice: str) -> httpx.Response:
    form = dict(parse_qsl(urlsplit(link).query))
    return await client.post(
        "/thanh-toan-thu-nghiem",
        data={**form, "choice": choice, "_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )


def _result(resp: httpx.Response) -> dict[str, str]:
    url = urlsplit(resp.headers["location"])
    assert url.path == RETURN
    return dict(parse_qsl(url.query))


async def test_sandbox_is_off_without_a_secret(client, monkeypatch):
    monkeypatch.delenv("MOTCUA_PAYMENT_SANDBOX_SECRET", raising=False)
    assert "sandbox" not in gateways()
    assert (
        await client.get("/thanh-toan-thu-nghiem?ref=1&code=X&amount=1&return=/&sig=x")
    ).status_code == 404


async def test_pay_by_sandbox_success_receipt_for_the_citizen(sandbox, client):
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)
    pay_page = await client.get(link)
    assert pay_page.status_code == 200
    assert CODE in pay_page.text and "120.000" in pay_page.text and "không có tiền thật" in pay_page.text
    # the signed link cannot be altered: a lower amount is refused
    assert (await client.get(link.replace("amount=120000", "amount=1000"))).status_code == 404
    no_choice = await _choose(client, link, "")
    assert no_choice.status_code == 422 and "Chọn kết quả của giao dịch thử nghiệm." in no_choice.text

    answer = await _choose(client, link, "success")
    assert answer.status_code == 303
    result = _result(answer)
    assert result["status"] == "paid" and result["sig"] == gateway.sign(result)
    # the server-to-server callback already settled it (sent in the background of the answer)
    assert await fees.balance_due(built["dossier_id"]) == 0
    back = await client.get(answer.headers["location"], follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"/ho-so/{CODE}/le-phi"
    replay = await client.get(answer.headers["location"], follow_redirects=False)
    assert replay.status_code == 303
    rows = await Payment.select().where(Payment.dossier == built["dossier_id"])
    assert [(r["method"], r["status"], r["amount"], r["reference"]) for r in rows] == [
        ("gateway:sandbox", "paid", 120000, result["txn"])
    ]
    receipts = await GeneratedDocument.select().where(
        (GeneratedDocument.dossier == built["dossier_id"]) & (GeneratedDocument.kind == "fee_receipt")
    )
    assert len(receipts) == 1  # the return, its replay and the callback: one receipt
    assert await AuditEntry.count().where(AuditEntry.action == "fee.gateway_paid") == 1

    # no clerk: the receipt is rendered by the job and the citizen downloads it
    await run_pending_now()
    fee_page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert (
        "Thanh toán thành công" in fee_page.text
        or "Đã nhận" in fee_page.text
        or "2026-000001" in fee_page.text
    )
    pdf = await client.get(f"/ho-so/{CODE}/tai-lieu/{receipts[0]['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f'href="/ho-so/{CODE}/tai-lieu/{receipts[0]["id"]}.pdf"' in fee_page.text
    assert "/le-phi/cong/sandbox" not in fee_page.text  # nothing left to pay


@pytest.mark.parametrize("choice", ["failure", "cancel"])
async def test_failure_or_cancellation_charges_nothing_and_may_be_retried(sandbox, client, choice):
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)
    answer = await _choose(client, link, choice)
    assert _result(answer)["status"] == {"failure": "failed", "cancel": "cancelled"}[choice]
    back = await client.get(answer.headers["location"])
    assert "Giao dịch chưa thành công" in back.text or "không thành công" in back.text
    assert await fees.balance_due(built["dossier_id"]) == 120000
    assert [r["status"] for r in await Payment.select().where(Payment.dossier == built["dossier_id"])] == [
        "failed"
    ]
    again = await _choose(client, await _to_sandbox(client, built), "success")
    await client.get(again.headers["location"])
    assert await fees.balance_due(built["dossier_id"]) == 0


async def test_late_callback_settles_after_the_payer_is_back(sandbox, client, monkeypatch):
    sent: list[tuple] = []

    async def hold(url, params, wait=0.0):  # the platform's callback, held until we let it go
        sent.append((url, dict(params), wait))

    monkeypatch.setattr(gateway, "send_callback", hold)
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)
    answer = await _choose(client, link, "late")
    assert _result(answer)["status"] == "pending"
    back = await client.get(answer.headers["location"])
    assert "chưa xác nhận" in back.text
    assert await fees.balance_due(built["dossier_id"]) == 120000
    [(url, params, wait)] = sent
    assert url.endswith(RETURN) and params["status"] == "paid" and wait == 0
    monkeypatch.undo()  # the real sender again, into the app
    monkeypatch.setenv("MOTCUA_PAYMENT_SANDBOX_SECRET", "test-secret-khong-dung-that")
    monkeypatch.setattr(gateway, "_transport", httpx.ASGITransport(app=client.app))
    assert await gateway.send_callback(url, params) == 303
    assert await gateway.send_callback(url, params) == 303  # the platform retries: paid once
    assert await fees.balance_due(built["dossier_id"]) == 0
    assert await Payment.count().where(Payment.status == "paid") == 1


async def test_forged_or_unknown_results_are_refused_and_logged(sandbox, client, caplog):
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)
    ref = dict(parse_qsl(urlsplit(link).query))["ref"]
    caplog.set_level(logging.WARNING, logger="motcua.fees.gateway")
    forged = gateway.result_params(ref, "120000", "paid")
    forged["sig"] = "0" * 64
    assert (await client.post(RETURN, data=forged, follow_redirects=False)).status_code == 422
    tampered = gateway.result_params(ref, "120000", "failed")
    tampered["status"] = "paid"  # signed as failed, sent as paid
    assert (await client.get(RETURN, params=tampered, follow_redirects=False)).status_code == 422
    unknown = gateway.result_params("987654", "120000", "paid")
    assert (await client.post(RETURN, data=unknown, follow_redirects=False)).status_code == 404
    assert await fees.balance_due(built["dossier_id"]) == 120000
    messages = [r.getMessage() for r in caplog.records]
    assert sum("callback refused" in m for m in messages) == 2
    assert any("unknown payment 987654" in m for m in messages)


async def test_return_and_callback_at_once_pay_once(sandbox, client):
    """The payer's return and the platform's callback racing: one payment, one receipt (both engines)."""
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)
    ref = dict(parse_qsl(urlsplit(link).query))["ref"]
    params = gateway.result_params(ref, "120000", "paid")
    results = await asyncio.gather(*(confirm_gateway_payment("sandbox", params) for _ in range(3)))
    assert {r["status"] for r in results} == {"paid"}
    assert sum(r["document_id"] is not None for r in results) == 1
    assert (
        await GeneratedDocument.count().where(
            (GeneratedDocument.dossier == built["dossier_id"]) & (GeneratedDocument.kind == "fee_receipt")
        )
        == 1
    )
