"""While an online payment waits for its platform, the fee page does not offer "Pay online" again: it
shows the pending payment, until when it blocks another, and the way back to the platform's page to
finish or cancel it; starting a second one meanwhile is refused (one payment, not two)."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from core.fees.online import PENDING_WINDOW
from core.fees.tables import Payment
from tests.conftest import csrf_from
from tests.integration.test_documents_builders import CODE
from tests.plugins.payment_sandbox.test_sandbox_gateway import (  # noqa: F401 (fixture)
    _choose,
    _dossier_with_fee,
    _to_sandbox,
    sandbox,
)


async def test_pending_payment_blocks_a_second_one_until_it_ends_or_expires(sandbox, client):  # noqa: F811
    built = await _dossier_with_fee()
    link = await _to_sandbox(client, built)  # the payer left the platform's page without choosing
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert "/le-phi/cong/sandbox" not in page.text, "no second 'Pay online' while one is pending"
    assert "đang chờ xác nhận" in page.text and "120.000" in page.text, page.text
    assert f'href="{link}"' in unescape(page.text).replace("&", "&amp;") or link in unescape(page.text)
    again = await client.post(
        f"/ho-so/{CODE}/le-phi/cong/sandbox", data={"_csrf_token": csrf_from(client)}, follow_redirects=False
    )
    assert again.status_code == 303 and again.headers["location"] == f"/ho-so/{CODE}/le-phi"
    assert "đang chờ cổng thanh toán xác nhận" in (await client.get(again.headers["location"])).text
    assert await Payment.count().where(Payment.dossier == built["dossier_id"]) == 1
    # cancelled on the platform's page: nothing charged, pay again at once
    cancelled = await _choose(client, link, "cancel")
    assert cancelled.status_code == 303
    await client.get(cancelled.headers["location"])
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert "/le-phi/cong/sandbox" in page.text and "đang chờ xác nhận" not in page.text
    # a payment abandoned longer than the window no longer blocks (a late confirmation still settles)
    await _to_sandbox(client, built)
    assert "/le-phi/cong/sandbox" not in (await client.get(f"/ho-so/{CODE}/le-phi")).text
    old = await Payment.select(Payment.id, Payment.created_at).where(Payment.status == "pending").first()
    await Payment.update(
        {Payment.created_at: old["created_at"] - PENDING_WINDOW - timedelta(minutes=1)}
    ).where(Payment.id == old["id"])
    assert "/le-phi/cong/sandbox" in (await client.get(f"/ho-so/{CODE}/le-phi")).text
    await _to_sandbox(client, built)
    assert await Payment.count().where(Payment.dossier == built["dossier_id"]) == 3
