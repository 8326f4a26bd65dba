"""The public progress board on a hall screen (1920×1080) and on a phone: codes and colours, no personal
data, accessible (axe); it polls itself with htmx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import SHOTS

pytestmark = pytest.mark.e2e

WARD = "000.30.31.H39"  # UBND phường Trấn Biên, the demo ward with dossiers in progress


def test_the_hall_screen_board(page: Page, live_server, demo_day, shot):
    page.goto(live_server + "/bang-theo-doi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng theo dõi tiến độ")
    page.locator("main").get_by_role("link", name=re.compile("Trấn Biên")).first.click()
    expect(page).to_have_url(re.compile(re.escape(f"/bang-theo-doi/{WARD}") + "$"))
    board = page.locator("#board")
    expect(board).to_contain_text(f"{WARD}-{demo_day}-")
    expect(board.locator(".kiosk-counts")).to_contain_text("Trong hạn")
    text = board.inner_text()
    assert not re.search(r"\b0\d{9}\b", text), "a phone number is on the public board"
    assert not re.search(r"\b\d{12}\b", text), "a personal ID number is on the public board"
    assert_accessible(page, "board", widths=(1920, 1366, 390))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(SHOTS / "board-01-hall-1920.png"), full_page=True)
    shot("board-02")
    # htmx swaps the board in place on its own (the poll), the page stays.
    with page.expect_response(re.compile(re.escape(f"/bang-theo-doi/{WARD}") + "$"), timeout=45_000) as poll:
        pass
    assert poll.value.status == 200 and poll.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#board")).to_be_visible()
