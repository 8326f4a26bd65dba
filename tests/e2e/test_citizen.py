"""Citizen journeys: register (a wrong CCCD first: the message at the field, typed values kept), the
"registration received" page, sign in, the account page, sign out; the lockout message after
repeated wrong passwords."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def test_register_with_a_wrong_cccd_then_a_right_one(page: Page, live_server, shot):
    page.goto(live_server + "/")
    page.locator(".site-header").get_by_role("link", name="Đăng ký tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản công dân")
    shot("citizen-01-register")

    page.get_by_label("Họ, chữ đệm và tên").fill("Phạm Thị Thu Trang")
    page.locator("#f-birth_date").fill("12/05/1995")
    page.locator("#f-sex").select_option(label="Nữ")
    page.get_by_label("Số CCCD").fill("07519500432")  # 11 digits
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Thư điện tử").fill("thutrang@example.vn")
    page.get_by_label("Tên đăng nhập").fill("phamthutrang")
    page.get_by_label("Mật khẩu", exact=True).fill("ThuTrang2026")
    page.get_by_label("Nhập lại mật khẩu").fill("ThuTrang2026")
    page.get_by_role("button", name="Tạo tài khoản").click()

    # The message sits at the CCCD field, in Vietnamese, and what was typed is still there.
    error = page.locator("#f-cccd-error")
    expect(error).to_contain_text("phải gồm đúng 12 chữ số")
    shot("citizen-02-register-error")
    expect(error).to_contain_text("11")
    expect(page.locator(".error-summary")).to_contain_text("12 chữ số")
    expect(page.get_by_label("Họ, chữ đệm và tên")).to_have_value("Phạm Thị Thu Trang")
    expect(page.locator("#f-cccd")).to_have_value("07519500432")
    expect(page.locator("#f-birth_date")).to_have_value("12/05/1995")
    expect(page.locator("#f-sex option:checked")).to_have_text("Nữ")
    expect(page.locator("#f-cccd")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Số điện thoại di động")).to_have_value("0912 345 678")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("phamthutrang")
    expect(page.locator(".error-summary li")).to_have_count(1)
    expect(page.locator(".field-error")).to_have_count(1)

    page.locator("#f-cccd").fill("075195004329")
    page.get_by_label("Mật khẩu", exact=True).fill("ThuTrang2026")
    page.get_by_label("Nhập lại mật khẩu").fill("ThuTrang2026")
    page.get_by_role("button", name="Tạo tài khoản").click()

    # The outcome page says the registration was received (the same page whether or not the CCCD
    # or e-mail already had an account: nobody learns that here); then the citizen signs in.
    expect(page).to_have_url(re.compile(r"/dang-ky/da-tiep-nhan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã tiếp nhận đăng ký")
    shot("citizen-02b-registered")
    login(page, live_server, "phamthutrang", "ThuTrang2026")
    page.goto(live_server + "/tai-khoan")
    header = page.locator(".site-header")
    expect(header).to_contain_text("Phạm Thị Thu Trang")
    account = page.locator("dl.summary-list")
    expect(account).to_contain_text("phamthutrang")
    expect(account).to_contain_text("075195004329")
    expect(account).to_contain_text("0912345678")
    shot("citizen-03-account")

    header.get_by_role("button", name="Đăng xuất").click()
    expect(header.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(header).not_to_contain_text("Phạm Thị Thu Trang")
    shot("citizen-04-signed-out")

    # The account page now asks to sign in; signing in again works.
    page.goto(live_server + "/tai-khoan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    login(page, live_server, "phamthutrang", "ThuTrang2026")


def test_repeated_wrong_passwords_lock_the_account(page: Page, live_server, shot):
    page.goto(live_server + "/dang-nhap")
    shot("citizen-05-login")
    # The account registered above: the demo's citizens are signed in by other journeys on this server.
    for attempt in range(1, 6):
        page.get_by_label("Tên đăng nhập").fill("phamthutrang")
        page.get_by_label("Mật khẩu").fill(f"sai-mat-khau-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/dang-nhap") and r.request.method == "POST"):
            page.locator("main").get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_label("Mật khẩu")).to_have_value("")  # the form was swapped in again
        summary = page.locator(".error-summary")
        if attempt < 5:
            expect(summary).to_contain_text("không đúng")
            expect(page.get_by_label("Tên đăng nhập")).to_have_value("phamthutrang")
    expect(page.locator(".error-summary")).to_contain_text("tạm bị khóa")
    expect(page.locator("#f-username-error")).to_contain_text("5 lần liên tiếp")
    shot("citizen-06-locked")

    # Even the right password is refused while the lock lasts.
    page.get_by_label("Mật khẩu").fill("ThuTrang2026")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#f-username-error")).to_contain_text("Vui lòng thử lại sau")
    expect(page.locator(".site-header").get_by_role("link", name="Đăng nhập")).to_be_visible()
