"""Queue journey: a citizen takes a number at the ward's kiosk (a printable ticket with a QR code), the
receiving clerk calls it to counter 2, the hall screen (1920 wide, read from 5 m) shows it; a second
call of the same number from another counter is refused with a clear message. axe on every screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import SHOTS, login

pytestmark = pytest.mark.e2e

WARD = "000.30.31.H39"


def test_take_a_number_call_it_and_see_it_on_the_hall_screen(page: Page, browser, live_server, shot):
    page.goto(f"{live_server}/lay-so?co_quan={WARD}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lấy số thứ tự")
    assert_accessible(page, "queue-kiosk")
    shot("queue-01-kiosk")
    page.locator(".kiosk-group").first.click()
    number = page.locator("#ticket-number").inner_text().strip()
    assert re.fullmatch(r"A\d{3}", number)
    expect(page.locator(".queue-qr")).to_be_visible()
    assert_accessible(page, "queue-ticket")
    shot("queue-02-ticket")
    ticket_url = page.url.split("?")[0]

    screen = browser.new_page(viewport={"width": 1920, "height": 1080})
    screen.goto(f"{live_server}/man-hinh/quay?co_quan={WARD}")

    login(page, live_server, "tiepnhan.phuong")
    page.goto(f"{live_server}/goi-so")
    page.get_by_label("Quầy số").fill("2")
    page.get_by_role("button", name="Gọi số tiếp theo").click()
    expect(page.locator(".flash")).to_contain_text("tới quầy 2")
    called = page.locator("#current-number").inner_text().strip()
    assert_accessible(page, "queue-caller")
    shot("queue-03-caller")

    # The hall screen updates itself (htmx polling every 5 s).
    expect(screen.locator("#calls tbody tr").first).to_contain_text(called, timeout=30_000)
    assert_accessible(screen, "queue-screen", widths=(1920, 1366, 390))
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.screenshot(path=str(SHOTS / "queue-04-hall-screen-1920.png"), full_page=True)
    size = screen.locator("#calls tbody td").first.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 60, f"the number is {size}px high on a 1920 screen: too small to read from 5 m"

    # Calling the same number from another counter: a clear message.
    page.get_by_label("Quầy số").fill("4")
    page.get_by_label("Gọi một số cụ thể").fill(called)
    page.get_by_role("button", name="Gọi số này").click()
    expect(page.locator(".error-summary")).to_contain_text(f"Số {called} đã được gọi tới quầy 2")
    shot("queue-05-called-twice")

    page.goto(ticket_url)
    if called == number:
        expect(page.locator(".queue-state")).to_contain_text("Mời bạn đến quầy số 2")
    screen.close()
