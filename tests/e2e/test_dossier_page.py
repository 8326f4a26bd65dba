"""The staff dossier page at 1366×768 and 390×844 (issue 9): the summary and the actions above the
fold, a failed htmx action that keeps the dossier's address (a reload is the page, not a 405), the
route and the timeline; a stop request recorded at the desk and refused by the commune's leader from
the stop-requests page. Uses the demo commune Định Quán (000.30.34.H39), which no other journey uses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import SHOTS, login

pytestmark = pytest.mark.e2e

AGENCY = "000.30.34.H39"
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _find(page: Page, base: str, day: str, marker: str) -> str:
    """The first demo dossier of the commune whose page (as the signed-in user) contains ``marker``."""
    for n in range(1, 60):
        code = f"{AGENCY}-{day}-{n:04d}"
        r = page.request.get(f"{base}/ho-so/{code}")
        if r.status == 200 and marker in r.text():
            return code
    raise AssertionError(f"no demo dossier at {AGENCY} shows {marker!r}")


def _viewport_shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # what the screen shows, no scrolling
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)


def test_staff_dossier_page_and_a_leaders_stop_decision(page: Page, live_server, demo_day):
    base = live_server
    page.set_viewport_size(WIDE)
    login(page, base, "chuyenvien.dinhquan")
    code = _find(page, base, demo_day, "/thao-tac/complete_step")
    page.goto(f"{base}/ho-so/{code}")

    # Above the fold at 1366×768: the summary (state, due, holder) and the actions.
    summary, actions = page.locator(".dossier-summary"), page.locator("#thao-tac")
    expect(summary).to_contain_text("Hạn trả kết quả")
    expect(summary).to_contain_text("Đang giữ hồ sơ")
    expect(actions.get_by_role("heading", name="Việc bạn có thể làm")).to_be_visible()
    for part in (summary.locator("h1"), summary.locator("dl"), actions.locator("summary").first):
        box = part.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 40) <= WIDE["height"], part
    expect(page.locator("#quy-trinh .route-stage").first).to_be_visible()
    expect(page.locator("#lich-su .timeline li").first).to_be_visible()
    _viewport_shot(page, "dossierpage-01-specialist-1366")

    # A failed action (a suspension needs its reason) swaps in place and keeps the dossier's address.
    suspend = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile("^Tạm dừng"))
    )
    suspend.locator("summary").click()
    with page.expect_response(lambda r: "/thao-tac/suspend" in r.url) as sent:
        suspend.get_by_role("button", name="Tạm dừng").click()
    assert sent.value.status == 422 and sent.value.request.headers.get("hx-request") == "true"
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page).to_have_url(f"{base}/ho-so/{code}")
    page.reload()
    expect(page.locator(".dossier-summary h1")).to_contain_text(code)  # the page again, not a 405
    page.set_viewport_size(PHONE)
    _viewport_shot(page, "dossierpage-02-specialist-390")
    assert_accessible(page, "dossier-page-specialist")
    page.set_viewport_size(WIDE)
    page.context.clear_cookies()

    # The desk records the applicant's stop request.
    login(page, base, "tiepnhan.dinhquan")
    page.goto(f"{base}/ho-so/{code}")
    request = page.locator("details.action").filter(
        has=page.locator("summary", has_text="Người nộp đề nghị dừng giải quyết")
    )
    request.locator("summary").click()
    request.get_by_label("Lý do hoặc ghi chú").fill("Người nộp đã thỏa thuận xong, xin rút hồ sơ")
    request.get_by_role("button", name="Người nộp đề nghị dừng giải quyết").click()
    expect(page.locator(".flash")).to_contain_text("Người nộp đề nghị dừng giải quyết")
    expect(page.locator(".dossier-summary .notice")).to_contain_text("xin rút hồ sơ")
    page.context.clear_cookies()

    # The commune's leader finds it from the menu and refuses it, with the reason.
    login(page, base, "lanhdao.dinhquan")
    page.locator(".site-header").get_by_role("link", name="Yêu cầu dừng giải quyết").click()
    expect(page).to_have_url(f"{base}/can-bo/yeu-cau-dung")
    item = page.locator(".stop-list > li").filter(has_text=code)
    expect(item).to_contain_text("xin rút hồ sơ")
    _viewport_shot(page, "dossierpage-03-stop-requests-1366")
    page.set_viewport_size(PHONE)
    _viewport_shot(page, "dossierpage-04-stop-requests-390")
    assert_accessible(page, "stop-requests")
    page.set_viewport_size(WIDE)
    item.get_by_label("Lý do từ chối yêu cầu").fill(
        "Hồ sơ đã có ý kiến thẩm định, cần người nộp đến làm việc"
    )
    item.get_by_role("button", name="Từ chối yêu cầu dừng").click()
    expect(page).to_have_url(f"{base}/can-bo/yeu-cau-dung")
    expect(page.locator(".flash")).to_contain_text("Từ chối yêu cầu dừng")
    expect(page.locator(".stop-list > li").filter(has_text=code)).to_have_count(0)

    page.goto(f"{base}/ho-so/{code}")
    expect(page.locator(".dossier-summary .notice")).to_have_count(0)
    expect(page.locator("#lich-su")).to_contain_text("cần người nộp đến làm việc")
    _viewport_shot(page, "dossierpage-05-leader-1366")
