"""axe-core on every citizen portal page at 1366 and 390 px (issue 10), walked as a citizen applying for
someone else would: start (for whom), the applicant-and-authorisation page with its errors, the form's
pages, uploads (with the authorisation's slot), delivery, check your answers, the confirmation, the
dossier page, my dossiers, and the complaint pages with their errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import MOBILE, login
from tests.e2e.test_portal import HOUSEHOLD, _pdf, _shot

pytestmark = pytest.mark.e2e

PRINCIPAL_CCCD = "075190001234"


def _upload(page: Page, slot: str, path) -> None:
    page.locator(f"#f-file-{slot}").set_input_files(str(path))
    page.locator(f"form:has(input[value={slot}])").get_by_role("button", name=re.compile("^Tải lên")).click()


def test_portal_pages_are_accessible(page: Page, live_server, tmp_path):
    page.set_viewport_size(MOBILE)
    login(page, live_server, "nguyenvana")
    page.goto(f"{live_server}/thu-tuc/{HOUSEHOLD}/nop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cơ quan nào tiếp nhận hồ sơ của bạn?")
    assert_accessible(page, "portal-start")
    page.locator("input[name=agency]").first.check()
    page.get_by_label("Nộp thay người khác (tôi là người được ủy quyền)").check()
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn nộp hồ sơ cho ai?")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, "portal-principal-error")
    _shot(page, "portal-a11y-01-principal-error")
    page.get_by_label("Họ, chữ đệm và tên").fill("Trần Thị Bình")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(PRINCIPAL_CCCD)
    page.get_by_label("Văn bản ủy quyền").fill(
        "Giấy ủy quyền số 15/2026 ngày 28/11/2026, chứng thực tại UBND phường"
    )
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Chủ hộ kinh doanh")
    assert_accessible(page, "portal-question")
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(PRINCIPAL_CCCD)
    page.get_by_label("Ngày sinh").fill("04/03/1990")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Nơi cư trú").fill("Số 5 đường Võ Thị Sáu, phường Trấn Biên")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông tin hộ kinh doanh")
    page.get_by_label("Tên hộ kinh doanh").fill("Hộ kinh doanh Bình An")
    page.get_by_label("Địa điểm kinh doanh").fill("Số 9 đường Hà Huy Giáp, phường Trấn Biên")
    page.get_by_label("Ngành, nghề kinh doanh").fill("5610")
    page.get_by_label("Vốn kinh doanh (đồng)").fill("30.000.000")
    page.get_by_label("Số lao động").fill("1")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tải lên thành phần hồ sơ")
    _upload(page, "application", _pdf(tmp_path, "don.pdf", 1))
    expect(page.get_by_role("link", name="don.pdf")).to_be_visible()
    _upload(page, "van_ban_uy_quyen", _pdf(tmp_path, "uy-quyen.pdf", 1))
    expect(page.get_by_role("link", name="uy-quyen.pdf")).to_be_visible()
    assert_accessible(page, "portal-files")
    _shot(page, "portal-a11y-02-files")
    page.get_by_role("link", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn muốn nhận kết quả bằng cách nào?")
    assert_accessible(page, "portal-delivery")
    page.get_by_label("Nhận trực tiếp tại bộ phận một cửa của cơ quan tiếp nhận").check()
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin trước khi nộp")
    expect(page.locator("main")).to_contain_text("Trần Thị Bình")
    assert_accessible(page, "portal-check")
    _shot(page, "portal-a11y-03-check")
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    code = page.locator(".panel strong").inner_text().strip()
    assert_accessible(page, "portal-confirmation")
    page.goto(f"{live_server}/ho-so-cua-toi/{code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    expect(page.locator("main")).to_contain_text("Người được ủy quyền nộp hồ sơ")
    assert_accessible(page, "portal-dossier")
    _shot(page, "portal-a11y-04-dossier")
    page.goto(f"{live_server}/ho-so-cua-toi")
    expect(page.locator("main")).to_contain_text(code)
    assert_accessible(page, "portal-mine")

    page.goto(f"{live_server}/phan-anh")
    assert_accessible(page, "complaints-public")
    page.goto(f"{live_server}/phan-anh/gui")
    assert_accessible(page, "complaint-form")
    page.get_by_role("button", name=re.compile("^Gửi")).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "complaint-form-error")
