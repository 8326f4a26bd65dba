"""Accessibility: axe-core (tests/e2e/a11y.py) on the public pages at 1366 and 390 px wide, with and
without a form error shown. Fails on any serious or critical WCAG 2.x A/AA violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible, run_axe
from tests.e2e.conftest import lookup_key

pytestmark = pytest.mark.e2e


def test_axe_finds_a_planted_violation(page: Page, live_server):
    """The helper is not blind: an image button without a name is reported as critical."""
    page.goto(live_server + "/")
    page.evaluate("() => { const b = document.createElement('button'); document.body.append(b); }")
    with pytest.raises(AssertionError, match="button-name"):
        assert_accessible(page, "planted", widths=None)
    assert any(v["id"] == "button-name" for v in run_axe(page)["violations"])


def test_public_pages_are_accessible(page: Page, live_server, demo_day, shot):
    page.goto(live_server + "/")
    assert_accessible(page, "home")

    page.goto(live_server + "/thu-tuc?q=khai+sinh")
    expect(page.locator("#results")).to_be_visible()
    assert_accessible(page, "catalogue")

    page.locator("#results").get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    assert_accessible(page, "procedure")
    shot("a11y-procedure")

    page.goto(live_server + "/tra-cuu")
    page.get_by_label("Mã hồ sơ").fill("ABC-123")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "lookup-error")

    code = f"000.30.31.H39-{demo_day}-0003"
    page.goto(live_server + f"/tra-cuu/{code}?k={lookup_key(code)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    assert_accessible(page, "status")

    page.goto(live_server + "/dang-nhap")
    assert_accessible(page, "login")
    page.goto(live_server + "/dang-ky")
    assert_accessible(page, "register")
    page.goto(live_server + "/khong-co-trang-nay")
    assert_accessible(page, "not-found")
