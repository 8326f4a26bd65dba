"""Anonymous journeys: home → catalogue search (with and without diacritics) → a procedure's page →
English and back; the public status look-up; the Vietnamese 404 page; the weight of a first load."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import lookup_key

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every journey here runs under the Content-Security-Policy without the browser refusing anything
    (issue 7: no inline script or style, htmx's own style injection off)."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield
    assert not refused, refused


def test_pages_carry_the_security_headers_and_the_theme_colours(page: Page, live_server, shot):
    response = page.goto(live_server + "/")
    headers = response.headers
    assert "server" not in headers, headers.get("server")  # motcua serve: no uvicorn banner
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    primary = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()")
    assert primary == "#9b1c1c"  # the theme's colours arrive through /theme.css
    expect(page.locator(".site-header")).to_be_visible()
    shot("anon-00-csp-home")


def test_find_a_procedure_then_switch_language(page: Page, live_server, shot):
    page.goto(live_server + "/")
    expect(page).to_have_title(re.compile("Trang chủ"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    shot("anon-01-home")

    # Search from the home page, with diacritics.
    page.get_by_label("Tìm thủ tục").fill("đăng ký khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page).to_have_url(re.compile(r"/thu-tuc\?q="))
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Đăng ký khai sinh", exact=True)).to_be_visible()
    shot("anon-02-search-diacritics")

    # The same words without diacritics, typed into the live search (htmx swaps #results).
    query = page.get_by_label("Tên hoặc mã thủ tục")
    query.fill("")
    expect(results).to_contain_text("Đăng ký khai tử")  # an empty query lists every procedure
    query.fill("dang ky khai sinh")
    expect(page).to_have_url(re.compile(r"q=dang(\+|%20)ky(\+|%20)khai(\+|%20)sinh"))
    expect(results.get_by_role("link", name="Đăng ký khai sinh", exact=True)).to_be_visible()
    # Death or marriage registration are not what was asked for.
    expect(results).not_to_contain_text("Đăng ký khai tử")
    shot("anon-03-search-plain")

    # The procedure page: documents, time limit, fees, online level.
    results.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    expect(main).to_contain_text("Giấy chứng sinh")
    expect(main.locator("dl.summary-list")).to_contain_text("Thời hạn giải quyết")
    expect(main.get_by_role("heading", name="Phí, lệ phí")).to_be_visible()
    expect(main).to_contain_text("Miễn lệ phí")
    expect(main).to_contain_text(re.compile("toàn trình", re.I))
    shot("anon-04-procedure")
    procedure_url = page.url

    # English, on the same page, then back to Vietnamese.
    page.locator(".site-header").get_by_role("link", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(procedure_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Birth registration")
    expect(main.get_by_role("heading", name="Documents to submit")).to_be_visible()
    shot("anon-05-procedure-en")
    page.locator(".site-header").get_by_role("link", name="VI").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    shot("anon-05b-procedure-vi-again")


def test_public_status_lookup_shows_no_personal_data(page: Page, live_server, demo_day, shot):
    code = f"000.30.31.H39-{demo_day}-0003"  # a dossier in processing at the demo ward
    page.goto(live_server + "/")
    page.locator(".site-header").get_by_role("link", name="Tra cứu hồ sơ").click()
    shot("anon-06-lookup")

    # A wrong code: the message is at the field and the typed code is kept.
    page.get_by_label("Mã hồ sơ").fill("ABC-123")
    page.get_by_role("button", name="Tra cứu").click()
    field = page.locator(".field-error")
    expect(field.locator(".error-message")).to_contain_text("không phải mã hồ sơ")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value("ABC-123")
    expect(page.locator(".error-summary")).to_be_visible()
    shot("anon-07-lookup-error")

    # The code alone opens nothing (codes are sequential, R36): the look-up key printed beside it is asked.
    page.get_by_label("Mã hồ sơ").fill(code.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.locator(".field-error .error-message")).to_contain_text("Nhập mã tra cứu")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(code)
    shot("anon-07b-lookup-needs-key")

    key = lookup_key(code)
    page.get_by_label("Mã tra cứu").fill(f"{key[:4]}-{key[4:]}".lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page).to_have_url(re.compile(re.escape(f"/tra-cuu/{code}?k={key}") + "$"))
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(main).to_contain_text("Đang giải quyết")
    shot("anon-08-status")

    # No personal data: the staff page of the same dossier shows the applicant; this one must not.
    text = main.inner_text()
    assert "Người nộp hồ sơ" not in text
    assert not re.search(r"\b0\d{9}\b", text), "a phone number is shown on the public page"
    assert not re.search(r"\b\d{12}\b", text), "a personal ID number is shown on the public page"


def test_not_found_page_is_vietnamese(page: Page, live_server, shot):
    response = page.goto(live_server + "/khong-co-trang-nay")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".error-page")).to_contain_text("404")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy")
    expect(page.get_by_role("link", name="Trang chủ")).to_be_visible()
    shot("anon-09-404")

    response = page.goto(live_server + "/thu-tuc/khong.co.thu.tuc")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy")
    shot("anon-10-404-procedure")


@pytest.mark.parametrize("path", ["/", "/thu-tuc", "/tra-cuu", "/dang-nhap"])
def test_first_load_weighs_under_100_kb(browser, live_server, path):
    """A first visit (empty cache) downloads at most 100 KB, compressed, HTML + CSS + JS + fonts."""
    context = browser.new_context()
    page = context.new_page()
    client = context.new_cdp_session(page)
    client.send("Network.enable")
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    client.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
    client.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(live_server + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    loaded = {urls.get(k, k): v for k, v in sizes.items()}
    context.close()
    assert any(u.endswith("motcua.css") for u in loaded) and any(u.endswith(".js") for u in loaded), loaded
    assert any(u.endswith(".woff2") for u in loaded), f"the web font was not used: {loaded}"
    assert total <= 100 * 1024, f"{path}: {total} bytes on the wire: {loaded}"
