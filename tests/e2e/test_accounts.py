"""Account administration journey: the ward's administrator creates a clerk's account, hands over the
one-time password, the clerk chooses their own at the first sign-in; then the administrator issues a
read-only API token (shown once), revokes it, resets the password and deactivates the account.
Every screen is checked with axe (tests/e2e/a11y.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _sign_out(page: Page) -> None:
    page.locator(".site-header").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator(".site-header").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_create_an_account_token_reset_and_deactivate(page: Page, live_server, shot):
    login(page, live_server, "quantri.phuong")
    page.goto(live_server + "/quan-tri/nguoi-dung")
    page.locator("main").get_by_role("link", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạo tài khoản")

    # A mistake first: the messages are at the fields and what was typed stays.
    page.get_by_label("Tên đăng nhập").fill("Tiếp Nhận")
    page.get_by_label("Họ, chữ đệm và tên").fill("Đỗ Thị Hạnh")
    page.get_by_label("Số điện thoại").fill("12345")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Họ, chữ đệm và tên")).to_have_value("Đỗ Thị Hạnh")
    expect(page.locator("#f-phone-error")).to_contain_text("10 chữ số")
    assert_accessible(page, "account-form-errors")
    shot("accounts-01-form-errors")

    page.get_by_label("Tên đăng nhập").fill("tiepnhan.hanh")
    page.get_by_label("Số điện thoại").fill("0912345670")
    page.get_by_label("Cơ quan").select_option(index=1)
    page.get_by_label("Vai trò").select_option("receiver")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã tạo tài khoản")
    password = page.locator("#one-time-password").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert_accessible(page, "account-created")
    shot("accounts-02-one-time-password")

    # The clerk signs in with it and must choose a password before anything else.
    _sign_out(page)
    page.goto(live_server + "/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("tiepnhan.hanh")
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn mật khẩu mới")
    expect(page).to_have_url(re.compile("/doi-mat-khau$"))
    assert_accessible(page, "password-change")
    page.get_by_label("Mật khẩu mới", exact=True).fill("HanhMoi2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("HanhMoi2027")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.locator("#f-password_confirm-error")).to_be_visible()
    shot("accounts-03-password-change-error")
    page.get_by_label("Mật khẩu mới", exact=True).fill("HanhMoi2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("HanhMoi2026")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.locator(".site-header").get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("Đã lưu mật khẩu mới")
    _sign_out(page)

    # The administrator: a read-only token, shown once, then revoked.
    login(page, live_server, "quantri.phuong")
    page.goto(live_server + "/quan-tri/nguoi-dung?q=hanh")
    page.locator("main").get_by_role("link", name="tiepnhan.hanh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đỗ Thị Hạnh")
    page.get_by_label("Tên", exact=True).fill("Hệ thống báo cáo")
    page.get_by_label("Quyền").select_option("read")
    page.get_by_label("Số ngày hiệu lực").fill("30")
    page.get_by_role("button", name="Tạo mã").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã tạo mã truy cập API")
    token = page.locator("#api-token").inner_text().strip()
    assert token.startswith("mc_")
    shot("accounts-04-token-created")
    page.get_by_role("link", name="Xong: quay lại tài khoản").click()
    row = page.locator("#tokens + * tbody tr, .table-scroll tbody tr").filter(has_text="Hệ thống báo cáo")
    expect(row).to_contain_text("Chỉ đọc")
    expect(row).to_contain_text("Còn hiệu lực")
    assert token not in page.content()
    assert_accessible(page, "account-page")
    shot("accounts-05-account-page")
    row.get_by_role("button", name=re.compile("Thu hồi")).click()
    expect(page.locator(".flash")).to_contain_text("Đã thu hồi mã truy cập API")
    expect(page.locator(".table-scroll tbody tr").filter(has_text="Hệ thống báo cáo")).to_contain_text(
        "Đã thu hồi"
    )

    # Reset the password, then deactivate.
    page.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã đặt lại mật khẩu")
    assert page.locator("#one-time-password").inner_text().strip() != password
    page.get_by_role("link", name="Xong: quay lại tài khoản").click()
    expect(page.locator("main")).to_contain_text("Phải đổi mật khẩu")
    page.get_by_role("button", name="Khóa tài khoản").click()
    expect(page.locator(".flash")).to_contain_text("Đã khóa tài khoản")
    expect(page.get_by_role("button", name="Kích hoạt lại tài khoản")).to_be_visible()
    shot("accounts-06-deactivated")
