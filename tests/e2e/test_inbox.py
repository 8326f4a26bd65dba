"""A specialist's day starts at ``/can-bo``: sign in, arrive on the inbox, read the counts by colour,
filter (kept in the address), follow a count, open a dossier; the staff menu leads to the register."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import SHOTS, login

pytestmark = pytest.mark.e2e

SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}


def shots(page: Page, name: str) -> None:
    """Full-page screenshots at 1366×768 and 390×844 under test-results/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"inbox-{name}-{label}.png"), full_page=True)
    if before:
        page.set_viewport_size(before)


def test_specialist_starts_on_the_inbox_filters_and_opens_a_dossier(page: Page, live_server):
    page.set_viewport_size(SIZES["1366"])
    login(page, live_server, "chuyenvien.phuong")
    expect(page).to_have_url(f"{live_server}/can-bo")
    nav = page.get_by_role("navigation", name="Danh mục chính")
    expect(nav.get_by_role("link", name="Hồ sơ cần xử lý")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Sổ theo dõi hồ sơ")).to_be_visible()
    counts = page.locator("#inbox-counts")
    expect(counts).to_contain_text("Quá hạn")
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() >= 2
    total = int(re.search(r"\d+", counts.locator("a").last.inner_text()).group())
    shots(page, "01-list")
    assert_accessible(page, "inbox-list")

    # Filter by state: the address keeps the filter, every row is in that state, the form shows it.
    page.locator("details.inbox-filters summary").click()
    page.get_by_label("Trạng thái").select_option("received")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page).to_have_url(re.compile(r"/can-bo\?.*trang_thai=received"))
    expect(page.get_by_label("Trạng thái")).to_have_value("received")
    states = page.locator('table.inbox tbody tr td[data-label="Trạng thái"]').all_inner_texts()
    assert states and all(s.strip() == "Đã tiếp nhận" for s in states), states
    filtered_total = int(re.search(r"\d+", counts.locator("a").last.inner_text()).group())
    assert 0 < filtered_total <= total
    shots(page, "02-filtered")

    # A count is a link: "due within a working day" keeps the state filter and adds the colour.
    page.locator("a.count-yellow").click()
    expect(page).to_have_url(re.compile(r"mau=yellow"))
    expect(page).to_have_url(re.compile(r"trang_thai=received"))
    for row_class in page.locator("table.inbox tbody tr").evaluate_all("rs => rs.map(r => r.className)"):
        assert row_class in ("row-yellow", ""), row_class

    # Clear the filters, open the first (most urgent) dossier.
    page.goto(f"{live_server}/can-bo")
    first = page.locator("table.inbox tbody tr").first.locator("th a")
    code = first.inner_text().strip()
    first.click()
    expect(page).to_have_url(f"{live_server}/ho-so/{code}")
    expect(page.locator("main")).to_contain_text(code)
    shots(page, "03-dossier")

    # The menu leads to the form-07 register.
    page.get_by_role("navigation", name="Danh mục chính").get_by_role(
        "link", name="Sổ theo dõi hồ sơ"
    ).click()
    expect(page).to_have_url(re.compile(r"/so-theo-doi"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ theo dõi")
