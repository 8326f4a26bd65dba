"""The citizen portal on a phone (390×844): a household business registration applied for online,
page by page, with uploads, check your answers, submit, the confirmation and the dossier in "my dossiers";
then the same journey with JavaScript disabled."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfWriter

from tests.e2e.conftest import MOBILE, SHOTS

pytestmark = pytest.mark.e2e

HOUSEHOLD = "2.000720"


def _pdf(tmp_path, name: str, pages: int = 2):
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return path


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _journey(page: Page, base: str, tmp_path, *, username: str, cccd: str, birth: str, prefix: str) -> str:
    from core.demo import DEMO_PASSWORD

    page.goto(f"{base}/thu-tuc/{HOUSEHOLD}")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    # anonymous: sign in first, then back to where the citizen was going
    expect(page).to_have_url(re.compile(r"/dang-nhap\?next="))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(rf"/thu-tuc/{re.escape(HOUSEHOLD)}/nop$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cơ quan nào tiếp nhận hồ sơ của bạn?")
    _shot(page, f"{prefix}-01-agency")
    page.get_by_role("button", name="Tiếp tục").click()
    if page.locator(".error-summary").count():  # several agencies: choose the first
        expect(page.locator(".error-summary")).to_be_focused()
        page.locator("input[name=agency]").first.check()
        page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Chủ hộ kinh doanh")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn A")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(cccd)
    page.get_by_label("Ngày sinh").fill("31/02/" + birth[-4:])  # no such day
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Nơi cư trú").fill("Số 1 đường Võ Thị Sáu, phường Trấn Biên")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Ngày sinh")
    expect(summary).to_be_focused()
    expect(page.locator("#f-owner_birth_date-error")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Văn A")
    expect(page.locator("#f-owner_birth_date")).to_have_value("31/02/" + birth[-4:])
    _shot(page, f"{prefix}-02-owner-error")
    page.locator("#f-owner_birth_date").fill(birth)
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin hộ kinh doanh")
    page.get_by_label("Tên hộ kinh doanh").fill("Hộ kinh doanh Bánh Mì Sáu")
    page.get_by_label("Địa điểm kinh doanh").fill("Số 8 đường Phan Chu Trinh, phường Trấn Biên")
    page.get_by_label("Ngành, nghề kinh doanh").fill("5610")
    page.get_by_label("Vốn kinh doanh (đồng)").fill("50.000.000")
    page.get_by_label("Số lao động").fill("2")
    _shot(page, f"{prefix}-03-business")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tải lên thành phần hồ sơ")
    # a renamed file that is no PDF is refused at its slot
    fake = tmp_path / "don-gia.pdf"
    fake.write_bytes(b"MZ" + b"\x00" * 300)
    page.locator("#f-file-application").set_input_files(str(fake))
    page.locator("form:has(input[value=application])").get_by_role(
        "button", name=re.compile("^Tải lên")
    ).click()
    expect(page.locator("#f-file-application-error")).to_contain_text("Chỉ nhận tệp PDF, JPEG hoặc PNG")
    _shot(page, f"{prefix}-04-upload-error")
    page.locator("#f-file-application").set_input_files(str(_pdf(tmp_path, "giay-de-nghi.pdf", 2)))
    page.locator("form:has(input[value=application])").get_by_role(
        "button", name=re.compile("^Tải lên")
    ).click()
    expect(page.get_by_role("link", name="giay-de-nghi.pdf")).to_be_visible()
    expect(page.locator("main")).to_contain_text("2 trang")
    _shot(page, f"{prefix}-05-uploaded")
    page.get_by_role("link", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn muốn nhận kết quả bằng cách nào?")
    page.get_by_label("Nhận trực tiếp tại bộ phận một cửa của cơ quan tiếp nhận").check()
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin trước khi nộp")
    main = page.locator("main")
    expect(main).to_contain_text("Hộ kinh doanh Bánh Mì Sáu")
    expect(main).to_contain_text("50.000.000 đ")
    expect(main).to_contain_text(birth)
    expect(main).to_contain_text("giay-de-nghi.pdf")
    expect(main).to_contain_text("Phí, lệ phí")
    _shot(page, f"{prefix}-06-check")
    # change one answer from check-answers: back to check-answers
    page.get_by_role("link", name="Thay đổi Số lao động").click()
    page.get_by_label("Số lao động").fill("3")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin trước khi nộp")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    code = page.locator(".panel strong").inner_text().strip()
    assert re.fullmatch(r"[0-9.]+\.H39-\d{6}-\d{4}", code), code
    _shot(page, f"{prefix}-07-confirmation")
    link = page.get_by_role("link", name="Tải biên nhận nộp hồ sơ trực tuyến (PDF)")
    pdf = page.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.get_by_role("link", name="Hồ sơ của tôi").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    expect(page.locator("main")).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("Chờ cơ quan kiểm tra, tiếp nhận hồ sơ")
    _shot(page, f"{prefix}-08-mine")
    return code


def test_apply_online_on_a_phone(browser, live_server, tmp_path):
    ctx = browser.new_context(viewport=MOBILE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = ctx.new_page()
    try:
        _journey(
            page,
            live_server,
            tmp_path,
            username="nguyenvana",
            cccd="075089001234",
            birth="15/06/1989",
            prefix="portal",
        )
    finally:
        ctx.close()


def test_apply_online_without_javascript(browser, live_server, tmp_path):
    ctx = browser.new_context(
        viewport=MOBILE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=False
    )
    page = ctx.new_page()
    try:
        _journey(
            page,
            live_server,
            tmp_path,
            username="tranthib",
            cccd="075195004321",
            birth="20/10/1995",
            prefix="portal-nojs",
        )
    finally:
        ctx.close()
