"""Clerk and leader journeys on demo dossiers: receive one with JavaScript (htmx) and without, see its
receipt queued, download a rendered receipt (a real PDF), and a second tab acting on a stale version
gets the conflict page. Each test takes a submitted dossier of its own commune."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshots

pytestmark = pytest.mark.e2e


def _receive(page: Page) -> None:
    """Open the "Receive" action on the dossier page and submit it."""
    action = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile("^Tiếp nhận$"))
    )
    action.locator("summary").click()
    action.get_by_role("button", name="Tiếp nhận").click()


def test_clerk_receives_without_javascript(browser, live_server, demo_day):
    code = f"000.30.32.H39-{demo_day}-0001"  # submitted online at the demo commune
    context = browser.new_context(
        java_script_enabled=False, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        login(page, live_server, "tiepnhan.xa")
        page.goto(f"{live_server}/ho-so/{code}")
        summary = page.locator(".dossier-summary")
        expect(summary).to_contain_text("Đã nộp, chờ tiếp nhận")
        screenshots(page, "staff-06-dossier-nojs")

        # A reason is required to refuse: the page comes back with the message at the field.
        refuse = page.locator("details.action").filter(
            has=page.locator("summary", has_text="Từ chối tiếp nhận")
        )
        refuse.locator("summary").click()
        refuse.get_by_role("button", name="Từ chối tiếp nhận").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("details.action[open] .field-error")).to_be_visible()
        expect(summary).to_contain_text("Đã nộp, chờ tiếp nhận")
        screenshots(page, "staff-07-refuse-needs-reason-nojs")

        with page.expect_request(lambda r: r.method == "POST" and "/thao-tac/receive" in r.url) as sent:
            _receive(page)
        assert "hx-request" not in sent.value.headers  # a plain form post
        expect(page).to_have_url(f"{live_server}/ho-so/{code}")
        expect(page.locator(".flash")).to_contain_text("Đã thực hiện: Tiếp nhận")
        expect(summary).not_to_contain_text("Đã nộp, chờ tiếp nhận")
        expect(summary).to_contain_text("Phiên bản 3")
        screenshots(page, "staff-08-received-nojs")
    finally:
        context.close()


def test_a_second_tab_on_a_stale_version_sees_the_conflict(page: Page, live_server, demo_day, shot):
    code = f"000.30.33.H39-{demo_day}-0001"
    login(page, live_server, "tiepnhan.longkhanh")
    page.goto(f"{live_server}/ho-so/{code}")
    other = page.context.new_page()  # the same clerk, a second tab opened on the same dossier
    other.goto(f"{live_server}/ho-so/{code}")
    expect(other.locator(".dossier-summary")).to_contain_text("Phiên bản 2")

    _receive(page)
    expect(page.locator(".flash")).to_contain_text("Đã thực hiện: Tiếp nhận")

    # The second tab still shows version 2 and offers "Receive": acting on it must not apply twice.
    _receive(other)
    expect(other.locator(".error-page")).to_contain_text("409")
    expect(other.get_by_role("heading", name="Những gì đã thay đổi trong lúc đó")).to_be_visible()
    expect(other.locator(".error-page")).to_contain_text("Tiếp nhận")
    shot("staff-09-conflict", of=other)
    other.close()

    page.reload()
    actions = page.locator("#lich-su .timeline-head strong")
    expect(actions.filter(has_text=re.compile("^Tiếp nhận$"))).to_have_count(1)


def test_leader_sees_a_dossier_in_processing(page: Page, live_server, demo_day, shot):
    code = f"000.30.31.H39-{demo_day}-0003"
    login(page, live_server, "lanhdao.phuong")
    shot("staff-10-home-leader")
    page.goto(f"{live_server}/ho-so/{code}")
    expect(page.locator(".dossier-summary")).to_contain_text("Đang giải quyết")
    expect(page.get_by_role("heading", name="Lịch sử xử lý")).to_be_visible()
    shot("staff-11-dossier-leader")


def test_clerk_receives_with_javascript_and_downloads_the_receipt(page: Page, live_server, demo_day, shot):
    code = f"000.30.31.H39-{demo_day}-0001"  # submitted online at the demo ward, waiting for intake
    login(page, live_server, "tiepnhan.phuong")
    shot("staff-01-home-clerk")
    page.goto(f"{live_server}/ho-so/{code}")
    summary = page.locator(".dossier-summary")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(summary).to_contain_text("Đã nộp, chờ tiếp nhận")
    expect(summary).to_contain_text("Phiên bản 2")
    shot("staff-02-dossier-submitted")

    with page.expect_request(lambda r: r.method == "POST" and "/thao-tac/receive" in r.url) as sent:
        _receive(page)
    assert sent.value.headers.get("hx-request") == "true"  # htmx sent it (boosted form), not the browser
    expect(page.locator(".flash")).to_contain_text("Đã thực hiện: Tiếp nhận")
    expect(page).to_have_url(f"{live_server}/ho-so/{code}")
    expect(summary).not_to_contain_text("Đã nộp, chờ tiếp nhận")
    expect(summary).to_contain_text("Phiên bản 3")
    expect(page.locator(".site-header")).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("#lich-su")).to_contain_text("Tiếp nhận")
    shot("staff-03-dossier-received")

    # Receiving queued the receipt and appointment slip (form 01); it is rendered in the background.
    page.goto(f"{live_server}/ho-so/{code}/tai-lieu")
    expect(page.locator("#docs")).to_contain_text("Mẫu số 01")
    shot("staff-04-documents-new")

    # Download a rendered receipt: the one of the dossier the demo received first (its job is the first
    # of the queue; the new receipt waits behind the hundreds of documents the demo queued).
    received = f"000.30.31.H39-{demo_day}-0002"
    page.goto(f"{live_server}/ho-so/{received}/tai-lieu")
    link = page.locator("#docs").get_by_role("link", name=re.compile("tiếp nhận", re.I)).first
    expect(link).to_be_visible(timeout=180_000)  # the page polls (htmx) until the link appears
    shot("staff-04b-documents-ready")
    href = link.get_attribute("href")
    assert href and href.endswith(".pdf")
    response = page.request.get(live_server + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert received in response.headers["content-disposition"]
    body = response.body()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert len(body) > 5_000
    from tests.e2e.conftest import SHOTS

    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "staff-05-receipt.pdf").write_bytes(body)
