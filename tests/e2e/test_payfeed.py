"""Citizen portal journey at 390×844: a clerk receives an online dossier (its fee falls due); the citizen
pays by the sandbox gateway with a late notice (pending on return, paid once the signed callback comes)
and downloads the e-receipt; a finished dossier is rated through the receipt's link; a complaint is
sent (a wrong form first), answered by the agency and published without personal data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import MOBILE, login, lookup_key

pytestmark = pytest.mark.e2e


def _receive(page: Page) -> None:
    action = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile("^Tiếp nhận$"))
    )
    action.locator("summary").click()
    action.get_by_role("button", name="Tiếp nhận").click()


def _sign_out(page: Page) -> None:
    page.locator(".site-header").get_by_role("button", name="Đăng xuất").click()


def test_pay_by_sandbox_rate_and_complain(page: Page, live_server, demo_day, shot):
    page.set_viewport_size(MOBILE)
    code = f"000.30.34.H39-{demo_day}-0001"  # sent online by the demo citizen lethic
    finished = f"000.30.34.H39-{demo_day}-0010"  # a demo dossier whose result was handed back

    login(page, live_server, "tiepnhan.dinhquan")
    page.goto(f"{live_server}/ho-so/{code}")
    _receive(page)
    expect(page.locator(".flash")).to_contain_text("Đã thực hiện: Tiếp nhận")
    _sign_out(page)

    # Pay: the sandbox page, a late notice, the return while pending, then paid.
    login(page, live_server, "lethic")
    page.goto(f"{live_server}/ho-so/{code}/le-phi")
    pay = page.get_by_role("button", name=re.compile("Cổng thanh toán thử nghiệm"))
    expect(pay).to_be_visible()
    shot("payfeed-01-fees-due")
    pay.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thanh toán thử nghiệm")
    expect(page.locator("main")).to_contain_text(code)
    page.get_by_role("button", name="Xác nhận").click()  # nothing chosen
    expect(page.locator("#f-choice-error")).to_contain_text("Chọn kết quả của giao dịch thử nghiệm.")
    shot("payfeed-02-sandbox-error")
    page.get_by_label(re.compile("báo kết quả muộn")).check()
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(f"{live_server}/ho-so/{code}/le-phi")
    expect(page.locator(".flash")).to_contain_text("Cổng thanh toán chưa xác nhận giao dịch")
    shot("payfeed-03-pending")
    receipt = page.locator("main a", has_text=re.compile(r"^\d{4}-\d{6}$"))
    for _ in range(40):  # the signed callback arrives a second later; the receipt renders in the background
        page.reload()
        if receipt.count():
            break
        page.wait_for_timeout(500)
    expect(receipt).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Cổng thanh toán thử nghiệm"))).to_have_count(0)
    shot("payfeed-04-paid")
    pdf = page.request.get(live_server + receipt.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    _sign_out(page)

    # Rate a finished dossier through the receipt's link (no account needed).
    page.goto(f"{live_server}/danh-gia/{finished}?k={lookup_key(finished)}")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_label(re.compile("^Góp ý")).fill("Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.")
    shot("payfeed-05-rate")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".flash")).to_contain_text("Cảm ơn bạn đã đánh giá")
    expect(page.locator("main")).to_contain_text("Bạn đã đánh giá hồ sơ này")
    shot("payfeed-06-rated")

    # A complaint: a wrong form first (messages at the fields, values kept), then sent.
    page.goto(f"{live_server}/phan-anh")
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    page.locator("#f-subject").fill("Chờ lâu tại quầy tiếp nhận")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-subject")).to_have_value("Chờ lâu tại quầy tiếp nhận")
    shot("payfeed-07-complaint-errors")
    page.locator("#f-dossier_code").fill(code)
    page.locator("#f-content").fill(
        "Sáng thứ Hai tôi chờ hơn một giờ mới được tiếp nhận; đề nghị bố trí thêm quầy. Lê Thị C, 0912345678."
    )
    page.locator("#f-sender_name").fill("Lê Thị C")
    page.locator("#f-sender_phone").fill("0912345678")
    page.locator("#f-consent_publish").check()
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nhận phản ánh, kiến nghị")
    number = page.locator(".panel strong").inner_text()
    assert re.fullmatch(r"PAKN-\d{4}-\d{6}", number)
    shot("payfeed-08-complaint-sent")

    # The agency answers and publishes it without personal data.
    login(page, live_server, "tiepnhan.dinhquan")
    page.goto(f"{live_server}/can-bo/phan-anh")
    page.get_by_role("link", name=number).click()
    page.locator("#f-answer").fill("Từ tháng sau, sáng thứ Hai mở thêm một quầy tiếp nhận.")
    page.locator("#f-publish").check()
    page.locator("#f-public_question").fill("Người dân chờ hơn một giờ tại quầy sáng thứ Hai.")
    shot("payfeed-09-answer")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator(".flash")).to_contain_text("Đã ghi nhận trả lời")
    page.goto(f"{live_server}/phan-anh")
    main = page.locator("main")
    expect(main).to_contain_text("mở thêm một quầy tiếp nhận")
    expect(main).not_to_contain_text("0912345678")
    expect(main).not_to_contain_text(code)
    shot("payfeed-10-published")
