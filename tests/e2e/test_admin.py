"""Province administrator journeys: turn a procedure off at one agency (it leaves that agency's
catalogue), record a new fee amount, add a day off, verify the audit chains, the jobs and outbox pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from core.contract.vntime import vn_today
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

COMMUNE = "000.30.32.H39"  # UBND xã Tân Phú
OTHER_COMMUNE = "000.30.31.H39"  # UBND phường Trấn Biên
BIRTH = "Đăng ký khai sinh"


def _catalogue_names(page: Page, base: str, agency: str) -> list[str]:
    page.goto(f"{base}/thu-tuc?co_quan={agency}")
    page.wait_for_selector("#results")
    return page.locator("#results .card-list li > a").all_inner_texts()


def test_turn_a_procedure_off_at_one_agency(page: Page, live_server, shot):
    assert BIRTH in _catalogue_names(page, live_server, COMMUNE)
    login(page, live_server, "quantri.tinh")
    shot("admin-01-home")
    page.goto(f"{live_server}/quan-tri/thu-tuc?cap=commune")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục tiếp nhận theo cơ quan")
    shot("admin-02-catalogue")

    # The switch in the birth registration row, in the column of the commune.
    column = page.locator("table.matrix thead th").evaluate_all(
        f"(ths) => ths.findIndex((th) => th.title === '{COMMUNE}')"
    )
    assert column > 0
    row = page.locator("table.matrix tbody tr").filter(has=page.get_by_role("link", name=BIRTH, exact=True))
    cell = row.locator("> *").nth(column)
    expect(cell.locator(".tag")).to_have_text("Bật")
    cell.get_by_role("button", name=re.compile("^Tắt")).click()
    expect(cell.locator(".tag")).to_have_text("Tắt")  # swapped in place by htmx
    expect(cell.get_by_role("button")).to_contain_text("Bật")
    shot("admin-03-catalogue-switched")

    assert BIRTH not in _catalogue_names(page, live_server, COMMUNE)
    assert BIRTH in _catalogue_names(page, live_server, OTHER_COMMUNE)
    shot("admin-04-catalogue-without-birth")


def test_record_a_new_fee_amount(page: Page, live_server, shot):
    login(page, live_server, "quantri.tinh")
    page.goto(f"{live_server}/quan-tri/le-phi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mức phí, lệ phí")
    shot("admin-05-fees")
    fee_code = page.locator("#fee-codes option").first.get_attribute("value")
    assert fee_code

    # A wrong amount: the message at the field, the other values kept.
    page.locator("#f-fee_code").fill(fee_code)
    page.locator("#f-amount").fill("năm mươi nghìn")
    page.locator("#f-effective_from").fill("01/01/2027")
    page.locator("#f-legal_basis").fill("Nghị quyết số 15/2026/NQ-HĐND tỉnh Đồng Nai")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#f-amount-error")).to_be_visible()
    expect(page.locator("#f-legal_basis")).to_have_value("Nghị quyết số 15/2026/NQ-HĐND tỉnh Đồng Nai")
    expect(page.locator("#f-fee_code")).to_have_value(fee_code)
    shot("admin-06-fees-error")

    page.locator("#f-amount").fill("65.000")
    page.get_by_role("button", name="Lưu").click()
    recorded = page.locator("table tbody tr").filter(has_text="Nghị quyết số 15/2026/NQ-HĐND")
    expect(recorded).to_have_count(1)
    expect(recorded).to_contain_text(fee_code)
    expect(recorded).to_contain_text("65.000")
    expect(recorded).to_contain_text("01/01/2027")
    shot("admin-07-fees-saved")


def test_add_a_day_off_to_the_working_calendar(page: Page, live_server, shot):
    year = vn_today().year + 1
    login(page, live_server, "quantri.tinh")
    page.goto(f"{live_server}/quan-tri/lich-lam-viec?nam={year}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Lịch làm việc {year}")
    shot("admin-08-calendar")
    off_before = int(page.locator("main p strong").first.inner_text())

    form = page.locator("#override-form")
    form.locator("#f-day").fill(f"15/07/{year}")  # a weekday that is no holiday
    form.locator("#f-kind").select_option("off")
    form.locator("#f-name").fill("Nghỉ bù kỷ niệm thành lập tỉnh")
    form.locator("#f-legal_basis").fill(f"Quyết định số 120/QĐ-UBND ngày 01/06/{year}")
    form.get_by_role("button", name="Lưu").click()

    row = page.locator("table tbody tr").filter(has_text="Nghỉ bù kỷ niệm thành lập tỉnh")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"15/07/{year}")
    expect(row).to_contain_text("Ngày nghỉ")
    expect(row).to_contain_text("Tỉnh điều chỉnh")
    expect(page.locator("main p strong").first).to_have_text(str(off_before + 1))
    shot("admin-09-calendar-saved")

    # A date that is not one: the message at the field.
    form = page.locator("#override-form")
    form.locator("#f-day").fill("31/02/" + str(year))
    form.locator("#f-name").fill("Sai ngày")
    form.locator("#f-legal_basis").fill("Không có")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator("#f-day-error")).to_be_visible()
    expect(page.locator("#f-name")).to_have_value("Sai ngày")
    shot("admin-10-calendar-error")


def test_audit_chain_verifies_and_operations_pages_load(page: Page, live_server, shot):
    login(page, live_server, "quantri.tinh")
    page.goto(f"{live_server}/quan-tri/nhat-ky")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký kiểm toán")
    expect(page.locator("table tbody tr").first).to_be_visible()
    page.get_by_role("button", name="Kiểm tra toàn bộ chuỗi").click()
    expect(page.locator("#audit-verify")).to_contain_text("Mọi chuỗi nhật ký đều toàn vẹn.")
    shot("admin-11-audit")

    for n, path in enumerate(["/quan-tri/tac-vu", "/quan-tri/thu-di"], start=12):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect(page.locator("main h1")).to_be_visible()
        shot(f"admin-{n}-{path.rsplit('/', 1)[1]}")
    for path in ["/quan-tri/co-quan", "/quan-tri/nguoi-dung"]:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        shot(f"admin-14-{path.rsplit('/', 1)[1]}")


def test_admin_pages_are_closed_to_a_citizen(page: Page, live_server, shot):
    login(page, live_server, "nguyenvana")
    response = page.goto(f"{live_server}/quan-tri/thu-tuc")
    assert response.status == 403
    expect(page.locator(".error-page")).to_contain_text("403")
    shot("admin-15-forbidden")


def test_national_portal_page_without_a_connection(page: Page, live_server, shot):
    from tests.e2e.a11y import assert_accessible

    login(page, live_server, "quantri.tinh")
    page.goto(f"{live_server}/quan-tri/dvc-quoc-gia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng Dịch vụ công quốc gia")
    expect(page.locator("#h-connection + p")).to_contain_text(
        "Chưa cấu hình kết nối Cổng Dịch vụ công quốc gia"
    )
    assert_accessible(page, "admin-national")
    shot("admin-16-national-portal")
    page.get_by_role("button", name="Đối soát ngay").click()
    expect(page.locator(".flash-error")).to_contain_text("chưa có gì để đối soát")
    shot("admin-17-national-portal-no-connection")
