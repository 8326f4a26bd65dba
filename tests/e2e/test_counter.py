"""A counter day (issue 9): the ward's clerk receives a walk-in birth registration at /quay/tiep-nhan
(procedure found without diacritics, documents ticked), downloads form 01, later hands back a demo
result after recording its fee (scanned by its code), and closes the counter's cash book."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import login, screenshots

pytestmark = pytest.mark.e2e

WIDE = {"width": 1366, "height": 768}


def _look(page: Page, name: str) -> None:
    """A 1366x768 screenshot (the clerk's screen) plus the desktop and mobile full pages."""
    from tests.e2e.conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"))
    screenshots(page, name)
    page.set_viewport_size(WIDE)


def test_counter_day(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport=WIDE, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    try:
        login(page, live_server, "tiepnhan.phuong")
        page.goto(f"{live_server}/quay")
        expect(page.get_by_role("heading", name="Bộ phận tiếp nhận và trả kết quả")).to_be_visible()
        page.get_by_label("Quầy số").fill("2")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator(".flash")).to_contain_text("quầy số 2")
        _look(page, "counter-01-home")
        assert_accessible(page, "counter-home")

        # 1. Walk-in intake: the procedure found without diacritics (htmx search as one types)
        page.get_by_role("link", name="Tiếp nhận hồ sơ trực tiếp").click()
        page.get_by_label("Thủ tục: tên hoặc mã").fill("dang ky khai sinh")
        page.get_by_role("button", name="Tìm").click()
        expect(page.locator("#results")).to_contain_text("Đăng ký khai sinh")
        assert_accessible(page, "counter-pick")
        page.locator("#results").get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
        expect(page.get_by_role("heading", name=re.compile("Tiếp nhận trực tiếp"))).to_be_visible()
        page.locator('[name="applicant.id_number"]').fill("075190001234")
        page.locator('[name="applicant.name"]').fill("Nguyễn Thị Hằng")
        page.locator('[name="applicant.phone"]').fill("0912345678")
        for name, value in {
            "child_full_name": "Trần Gia Bảo",
            "child_birth_date": "01/11/2026",
            "child_birth_place": "Bệnh viện Đa khoa Đồng Nai",
            "child_ethnicity": "Kinh",
            "child_nationality": "Việt Nam",
            "mother_full_name": "Nguyễn Thị Hằng",
            "mother_birth_date": "15/04/1990",
            "mother_cccd": "075190001234",
            "mother_ethnicity": "Kinh",
            "mother_residence": "12 Nguyễn Ái Quốc, phường Trấn Biên",
        }.items():
            page.locator(f'[name="{name}"]').fill(value)
        page.locator('[name="child_gender"][value="nam"]').check()
        page.locator('[name="father_known"][value="khong"]').check()
        page.locator('[name="declarant_relation"]').select_option("me")
        # nothing ticked yet: receiving is refused at the checklist, everything typed is kept
        page.get_by_role("button", name="Tiếp nhận và in giấy tiếp nhận (mẫu 01)").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator('[name="child_full_name"]')).to_have_value("Trần Gia Bảo")
        _look(page, "counter-02-intake-checklist-error")
        assert_accessible(page, "counter-intake-errors")
        checks = page.locator('table input[type="checkbox"]')
        required = page.locator("table tr", has_not=page.locator(".optional")).locator(
            'input[type="checkbox"]'
        )
        for i in range(required.count()):
            required.nth(i).check()
        assert checks.count() > required.count()  # an optional document left unticked
        _look(page, "counter-03-intake-filled")
        page.get_by_role("button", name="Tiếp nhận và in giấy tiếp nhận (mẫu 01)").click()
        expect(page).to_have_url(re.compile(r"/quay/tiep-nhan/xong/"))
        code = page.url.rsplit("/", 1)[-1]
        link = page.get_by_role("link", name=re.compile("Giấy tiếp nhận"))
        expect(link).to_be_visible(timeout=20000)
        _look(page, "counter-04-received")
        assert_accessible(page, "counter-received")
        pdf = page.request.get(live_server + link.get_attribute("href")).body()
        assert pdf.startswith(b"%PDF")

        # 2. Hand back a demo result whose fee is still due: found by its code as a scanner types it
        page.goto(f"{live_server}/quay/tra-ket-qua")
        _look(page, "counter-05-results-waiting")
        assert_accessible(page, "counter-results-waiting")
        hrefs = page.locator("table a[href^='/quay/tra-ket-qua/']").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        pay_name = "Ghi nhận khoản nộp và xuất biên lai điện tử"
        payable, ready = [], []  # fee still due; result ready to hand over (the demo decides which)
        for href in hrefs:
            page.goto(live_server + href)
            if page.get_by_role("button", name=pay_name).count():
                payable.append(href.rsplit("/", 1)[-1])
            if page.get_by_role("button", name="Trả kết quả", exact=True).count():
                ready.append(href.rsplit("/", 1)[-1])
        both = [c for c in ready if c in payable]
        assert payable and ready, f"demo results: fee due {payable}, ready {ready}"
        paying = both[0] if both else payable[0]
        target = both[0] if both else ready[0]
        page.goto(f"{live_server}/quay/tra-ket-qua")
        page.get_by_label("Mã hồ sơ, hoặc quét giấy tiếp nhận").fill(f"{live_server}/tra-cuu/{paying}")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server}/quay/tra-ket-qua/{paying}")
        page.get_by_role("button", name=pay_name).click()
        expect(page.locator(".flash")).to_contain_text("Biên lai số")
        _look(page, "counter-06-paid")
        assert_accessible(page, "counter-return-dossier")
        if target != paying:
            page.goto(f"{live_server}/quay/tra-ket-qua/{target}")
        expect(page.get_by_label("Họ và tên người nhận kết quả")).not_to_have_value(
            ""
        )  # the holder, by default
        page.get_by_label("Tôi đã kiểm tra giấy tờ tùy thân").check()
        page.get_by_role("button", name="Trả kết quả").click()
        expect(page.locator("div.flash")).to_contain_text(f"Đã trả kết quả hồ sơ {target}")
        _look(page, "counter-07-returned")

        # 3. The cash book: the payment is there; the day is closed with the cash counted
        page.goto(f"{live_server}/quay/so-quy")
        expect(page.locator("table")).to_contain_text(paying)
        expected = page.locator("tfoot tr").first.locator("td.num").inner_text()
        page.get_by_label("Tiền mặt kiểm đếm (đồng)").fill(re.sub(r"[^\d]", "", expected))
        _look(page, "counter-08-book")
        page.get_by_role("button", name="Chốt sổ cuối ngày").click()
        expect(page.locator("div.flash")).to_contain_text("Đã chốt sổ quỹ quầy số 2")
        expect(page.get_by_text("khớp", exact=True)).to_be_visible()
        _look(page, "counter-09-closed")
        assert_accessible(page, "counter-book-closed")
        xlsx = page.request.get(
            page.get_by_role("link", name="Tải về dạng Excel (xlsx)").evaluate("a => a.href")
        )
        assert xlsx.ok and xlsx.body()[:2] == b"PK"
        page.goto(f"{live_server}/quay/truc-tuyen")
        assert_accessible(page, "counter-online")
        assert code
    finally:
        context.close()
