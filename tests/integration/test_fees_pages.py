"""Fee pages: the clerk records a payment (422 at the field when wrong), the applicant sees a VietQR
code and can pay through a gateway plugin; strangers see nothing."""

from __future__ import annotations

import pytest

from core.api import FeeLine, FeeQuote, GatewayResult, L, PaymentGatewaySpec, hookimpl
from core.fees import service as fees
from core.fees.tables import Payment
from core.fees.vietqr import parse_tlv
from core.plugins import get_plugin_manager
from tests.conftest import csrf_from
from tests.fixtures.builders import login_as, make_user
from tests.integration.test_documents_builders import CODE, build_dossier


async def _with_fee() -> dict:
    built = await build_dossier()
    await fees.store_quote(
        built["dossier_id"],
        FeeQuote(lines=(FeeLine("copy_fee", L("Phí chứng thực"), 120000, "Thông tư 226/2016/TT-BTC"),)),
    )
    return built


async def test_clerk_records_a_payment(client):
    built = await _with_fee()
    await login_as(client, built["clerk"])
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert page.status_code == 200 and "120.000 đ" in page.text and 'action="/ho-so/' in page.text
    bad = await client.post(
        f"/ho-so/{CODE}/le-phi/nop",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "100000", "reference": ""},
    )
    assert bad.status_code == 422
    assert "Số tiền chưa đủ: phải nộp đủ 120.000 đồng." in bad.text and 'value="100000"' in bad.text
    ok = await client.post(
        f"/ho-so/{CODE}/le-phi/nop",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "120000", "reference": ""},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/ho-so/{CODE}/le-phi"
    after = await client.get(f"/ho-so/{CODE}/le-phi")
    assert "2026-000001" in after.text and "đã nộp" in after.text and "Ghi nhận khoản nộp" not in after.text
    assert await fees.balance_due(built["dossier_id"]) == 0


async def test_post_without_csrf_is_refused(client):
    built = await _with_fee()
    await login_as(client, built["clerk"])
    resp = await client.post(f"/ho-so/{CODE}/le-phi/nop", data={"method": "cash", "amount": "120000"})
    assert resp.status_code == 403
    assert await fees.balance_due(built["dossier_id"]) == 120000


async def test_applicant_cannot_record_payments_but_sees_vietqr(client, monkeypatch):
    monkeypatch.setenv("MOTCUA_FEE_BANK_BIN", "970415")
    monkeypatch.setenv("MOTCUA_FEE_ACCOUNT", "0011001932418")
    monkeypatch.setenv("MOTCUA_FEE_ACCOUNT_NAME", "KHO BAC NHA NUOC")
    built = await _with_fee()
    await login_as(client, built["applicant"])
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.text and "0011001932418" in page.text
    assert "/le-phi/nop" not in page.text
    resp = await client.post(
        f"/ho-so/{CODE}/le-phi/nop",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "120000"},
    )
    assert resp.status_code == 403


async def test_vietqr_payload_carries_amount_and_code(db, monkeypatch):
    monkeypatch.setenv("MOTCUA_FEE_BANK_BIN", "970415")
    monkeypatch.setenv("MOTCUA_FEE_ACCOUNT", "0011001932418")
    from core.fees.vietqr import build_payload, treasury_account

    fields = parse_tlv(build_payload(treasury_account(), 120000, CODE))
    assert fields["54"] == "120000" and parse_tlv(fields["62"])["08"] == CODE[:25]


async def test_vietqr_image_on_the_page_decodes_to_a_valid_payload(client, monkeypatch, tmp_path):
    """The QR image shown to the payer scans (zbarimg) to a NAPAS payload whose CRC checks out."""
    import re
    import shutil
    import subprocess
    from datetime import UTC, datetime

    from core.documents.render import html_to_pdf
    from core.fees.vietqr import crc16_ccitt_false

    monkeypatch.setenv("MOTCUA_FEE_BANK_BIN", "970415")
    monkeypatch.setenv("MOTCUA_FEE_ACCOUNT", "0011001932418")
    built = await _with_fee()
    await login_as(client, built["applicant"])
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    svg = re.search(r'src="(data:image/svg\+xml[^"]+)"', page.text).group(1).replace("&amp;", "&")
    pdf = html_to_pdf(
        f'<img src="{svg}" style="width:60mm;height:60mm">',
        title="qr",
        created=datetime(2026, 1, 1, tzinfo=UTC),
        key="qr",
    )
    (tmp_path / "qr.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(tmp_path / "qr.pdf"), str(tmp_path / "qr")], check=True
    )
    out = subprocess.run(
        [shutil.which("zbarimg") or "zbarimg", "--raw", "-q", *map(str, tmp_path.glob("qr*.png"))],
        capture_output=True,
        check=True,
    )
    payload = out.stdout.decode().strip()
    assert crc16_ccitt_false(payload[:-4]) == payload[-4:]
    fields = parse_tlv(payload)
    assert fields["54"] == "120000" and fields["53"] == "704" and parse_tlv(fields["62"])["08"] == CODE
    assert parse_tlv(parse_tlv(fields["38"])["01"]) == {"00": "970415", "01": "0011001932418"}


async def test_stranger_sees_no_fees(client):
    await _with_fee()
    stranger = await make_user("la", full_name="Người Lạ")
    await login_as(client, stranger)
    refused = await client.get(f"/ho-so/{CODE}/le-phi")
    unknown = await client.get("/ho-so/2099-999999/le-phi")
    assert refused.status_code == unknown.status_code == 404  # same answer as a code that does not exist
    assert refused.text.replace(CODE, "X") == unknown.text.replace("2099-999999", "X")


class _Gateway:
    @hookimpl
    def register_payment_gateways(self):
        return [
            PaymentGatewaySpec(
                name="demo_pay",
                label=L("Cổng thử nghiệm"),
                start=lambda p: f"https://pay.example.vn/start?ref={p['id']}&amount={p['amount']}",
                verify=self.verify,
            )
        ]

    @staticmethod
    def verify(params):
        if params.get("sig") != "ok":
            raise ValueError("chữ ký không hợp lệ")
        return GatewayResult(int(params["ref"]), params.get("status", "paid"), params.get("txn", ""))


@pytest.fixture
def gateway():
    pm = get_plugin_manager()
    pm.register(_Gateway(), name="demo-gateway")
    yield
    pm.unregister(name="demo-gateway")


async def test_applicant_pays_online(client, gateway):
    built = await _with_fee()
    await login_as(client, built["applicant"])
    page = await client.get(f"/ho-so/{CODE}/le-phi")
    assert "Cổng thử nghiệm" in page.text
    start = await client.post(
        f"/ho-so/{CODE}/le-phi/cong/demo_pay", data={"_csrf_token": csrf_from(client)}, follow_redirects=False
    )
    assert start.status_code == 303 and start.headers["location"].startswith(
        "https://pay.example.vn/start?ref="
    )
    ref = start.headers["location"].split("ref=")[1].split("&")[0]
    forged = await client.get(f"/thanh-toan/demo_pay/ket-qua?ref={ref}&sig=bad", follow_redirects=False)
    assert forged.status_code == 422
    assert await fees.balance_due(built["dossier_id"]) == 120000
    back = await client.get(f"/thanh-toan/demo_pay/ket-qua?ref={ref}&sig=ok&txn=T77", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"/ho-so/{CODE}/le-phi"
    again = await client.get(f"/thanh-toan/demo_pay/ket-qua?ref={ref}&sig=ok&txn=T77", follow_redirects=False)
    assert again.status_code == 303  # repeated callback: settled once
    assert await fees.balance_due(built["dossier_id"]) == 0
    rows = await Payment.select().where(Payment.dossier == built["dossier_id"])
    assert [(r["method"], r["status"], r["reference"]) for r in rows] == [("gateway:demo_pay", "paid", "T77")]
    assert rows[0]["receipt_number"] == "2026-000001"
