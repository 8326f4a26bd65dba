"""A leader's statistics journey on the demo province at 1366×768: the province administrator opens
/thong-ke from the menu, reads the cards and the charts, groups by procedure, opens the dossiers
behind a number, who holds the overdue ones and the Decision 766 index; a ward leader sees only the
ward. Screenshots under test-results/ (looked at); axe finds no serious violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import login, screenshots

pytestmark = pytest.mark.e2e


def test_leader_reads_the_statistics(browser, live_server):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        login(page, live_server, "quantri.tinh")
        page.locator(".site-header").get_by_role("link", name="Thống kê").click()
        expect(page).to_have_url(re.compile(r"/thong-ke$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Thống kê giải quyết hồ sơ")
        expect(page.locator(".stat-cards")).to_contain_text("Hồ sơ tiếp nhận")
        expect(page.locator("svg[role=img]")).to_have_count(2)
        screenshots(page, "stats-01-dashboard")
        assert_accessible(page, "stats-dashboard")

        # group by procedure: the table's first column names procedures
        page.get_by_label("Nhóm số liệu theo").select_option("procedure")
        page.get_by_role("button", name="Xem").click()
        expect(page).to_have_url(re.compile(r"nhom=procedure"))
        expect(page.locator("table.stats-table thead")).to_contain_text("Thủ tục")
        screenshots(page, "stats-02-by-procedure")

        # the received card opens the dossiers behind it; as many rows as the number says (≤ one page)
        card = page.locator(".stat-card").filter(has_text="Hồ sơ tiếp nhận").first
        number = int(card.locator(".stat-value").inner_text().replace(".", ""))
        card.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hồ sơ tiếp nhận")
        rows = page.locator("main table tbody tr")
        if number:
            expect(rows).to_have_count(min(number, 50))
            expect(rows.first.get_by_role("link")).to_have_attribute("href", re.compile(r"^/ho-so/"))
        screenshots(page, "stats-03-drilldown")

        page.get_by_role("link", name="Quay lại trang thống kê").click()
        page.get_by_role("link", name="Ai đang giữ hồ sơ quá hạn").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ai đang giữ hồ sơ quá hạn")
        screenshots(page, "stats-04-holders")
        assert_accessible(page, "stats-holders")

        page.get_by_role("link", name="Chỉ số theo Quyết định 766").click()
        expect(page.locator("main")).to_contain_text("Tiến độ giải quyết")
        expect(page.locator("main")).to_contain_text("Quyết định số 766/QĐ-TTg")
        screenshots(page, "stats-05-index-766")
        assert_accessible(page, "stats-766")

        # bad input: the message at the field, what was typed kept
        page.get_by_label("Từ ngày").fill("32/13/2026")
        page.get_by_role("button", name="Xem").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.get_by_label("Từ ngày")).to_have_value("32/13/2026")
        screenshots(page, "stats-06-bad-date")
    finally:
        context.close()

    # a ward leader sees the ward only
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        login(page, live_server, "lanhdao.phuong")
        page.goto(f"{live_server}/thong-ke")
        expect(page.get_by_role("heading", level=1)).to_contain_text("UBND phường Trấn Biên")
        expect(page.locator("table.stats-table tbody")).not_to_contain_text("UBND xã Tân Phú")
        screenshots(page, "stats-07-ward-leader")
    finally:
        context.close()
