"""The result documents, issued by the plugin's ``issue`` functions against a real register, render as
one A4 page each with their official title, the registry number (enterprise / household code), the
Vietnamese text intact, and a QR code that decodes to the dossier's public status page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from core.api import AgencyRef, write_tx
from core.documents.qr import qr_svg_data_uri, status_url
from core.documents.render import render_pdf
from plugins.business_reg import procedures, results, taxcode
from tests.fixtures.builders import standard_tree
from tests.plugins.business_reg.registry_fixtures import EXISTING_CODE, EXISTING_REP, seed_register
from tests.plugins.business_reg.test_routes_http import ENTERPRISE_DATA, HOUSEHOLD_DATA

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("zbarimg")),
    reason="poppler-utils and zbar-tools are needed",
)

TODAY = date(2026, 11, 23)
WARD = AgencyRef(7, "000.30.31.H39", "UBND phường Trấn Biên", "commune")
BIZREG = AgencyRef(5, "000.03.01.H39", "Phòng Đăng ký kinh doanh", "department", "business_registry")
TAX = AgencyRef(10, "000.40.01.H39", "Thuế tỉnh Đồng Nai", "sector", "tax")


def _ctx(code: str, procedure: str, data: dict, agency: AgencyRef) -> dict:
    return {
        "dossier": {"id": 1, "code": code, "procedure_code": procedure, "data": data},
        "agency": agency,
        "today": TODAY,
        "step": None,
        "actor": None,
    }


async def _pdf(template: str, printed: dict, code: str, tmp: Path) -> tuple[str, list[str], str]:
    common = {
        "agency": {
            "name": "Trung tâm Phục vụ hành chính công tỉnh Đồng Nai",
            "parent_name": "UBND tỉnh Đồng Nai",
        },
        "code": code,
        "place": "Đồng Nai",
        "issued_at": datetime(2026, 11, 23, 3, tzinfo=UTC),
        "status_url": status_url(code),
        "qr": qr_svg_data_uri(status_url(code)),
    }
    pdf = await render_pdf(
        template, {**common, **printed}, title="t", created=common["issued_at"], key=template
    )
    name = template.rsplit("/", 1)[1].replace(".html", "") + (
        "-" + printed["kind"] if "kind" in printed else ""
    )
    path = tmp / f"{name}.pdf"
    path.write_bytes(pdf)
    if keep := os.environ.get("MOTCUA_KEEP_PDFS"):  # to look at them: pdftoppm -r 60 -png
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path), str(tmp / name)], check=True
    )
    png = sorted(tmp.glob(f"{name}*.png"))[0]
    qr = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True).stdout.split()
    return " ".join(text.split()), qr, info


async def test_household_certificate_and_tax_notice(db, tmp_path):
    code = "000.30.31.H39-261123-0001"
    async with write_tx():
        notice = await results.issue_tax_code(_ctx(code, procedures.HOUSEHOLD, HOUSEHOLD_DATA, TAX))
        cert = await results.issue_household_certificate(
            _ctx(code, procedures.HOUSEHOLD, HOUSEHOLD_DATA, WARD)
        )
    assert taxcode.is_valid(cert["number"]) and cert["number"] == notice["number"]
    text, qr, info = await _pdf("business_reg/household_certificate.html", cert, code, tmp_path)
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info
    assert (
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" in text and f"Mã số hộ kinh doanh: {cert['number']}" in text
    )
    assert "UBND PHƯỜNG TRẤN BIÊN" in text and "PHÒNG KINH TẾ, HẠ TẦNG VÀ" in text
    assert "Hộ kinh doanh Mai Vàng" in text and "Lê Thị Mai" in text and "04/03/1990" in text
    assert "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động" in text and "5630" in text
    assert "80.000.000 đ đồng" not in text and "Tám mươi triệu đồng" in text
    assert qr == [status_url(code)]
    text, qr, info = await _pdf("business_reg/tax_code_notice.html", notice, code, tmp_path)
    assert "THÔNG BÁO MÃ SỐ THUẾ" in text and notice["number"] in text and qr == [status_url(code)]


LONG = {
    "head_office": "Lô B12, đường số 7, khu công nghiệp Amata, phường Long Bình, thành phố Biên Hòa cũ, nay là phường "
    "Trấn Biên, tỉnh Đồng Nai",
    "rep_address": "Số 1234/56 đường Phạm Văn Thuận, khu phố 10, phường Trấn Biên, tỉnh Đồng Nai",
    "company_name_en": "BIEN HOA GREEN ENGINEERING AND TRADING COMPANY LIMITED",
}


@pytest.mark.parametrize("etype", ["dntn", "tnhh1", "tnhh2", "cp"])
async def test_every_enterprise_type_fits_one_page_even_with_long_addresses(db, tmp_path, etype):
    code = "000.00.01.H39-261123-0005"
    name = {"dntn": "Doanh nghiệp tư nhân", "cp": "Công ty cổ phần"}.get(
        etype, "Công ty TNHH"
    ) + " Thương mại Dịch vụ Kỹ thuật Xây dựng Phương Đông Đồng Nai"
    data = {**ENTERPRISE_DATA, **LONG, "enterprise_type": etype, "company_name": name}
    async with write_tx():
        await results.issue_tax_code(_ctx(code, procedures.ENTERPRISE, data, TAX))
        cert = await results.issue_enterprise_certificate(_ctx(code, procedures.ENTERPRISE, data, BIZREG))
    text, qr, info = await _pdf(
        "business_reg/enterprise_certificate.html", {**cert, "kind": etype}, code, tmp_path
    )
    assert re.search(r"Pages:\s+1\n", info), text
    assert "người đại diện theo pháp luật" in text.lower() and qr == [status_url(code)]


async def test_enterprise_certificate(db, tmp_path):
    code = "000.00.01.H39-261123-0002"
    async with write_tx():
        await results.issue_tax_code(_ctx(code, procedures.ENTERPRISE, ENTERPRISE_DATA, TAX))
        cert = await results.issue_enterprise_certificate(
            _ctx(code, procedures.ENTERPRISE, ENTERPRISE_DATA, BIZREG)
        )
    text, qr, info = await _pdf("business_reg/enterprise_certificate.html", cert, code, tmp_path)
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info
    assert "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP" in text and "SỞ TÀI CHÍNH TỈNH ĐỒNG NAI" in text
    assert "CÔNG TY TRÁCH NHIỆM HỮU HẠN MỘT THÀNH VIÊN" in text
    assert f"Mã số doanh nghiệp: {cert['number']}" in text and "Đăng ký lần đầu: ngày 23/11/2026" in text
    assert "CÔNG TY TNHH KỸ THUẬT BIÊN HÒA XANH" in text and "Một tỷ năm trăm triệu đồng" in text
    assert "Thông tin về chủ sở hữu" in text and "Trần Quốc Việt" in text and "12/09/1988" in text
    assert "Đăng ký thay đổi" not in text
    assert qr == [status_url(code)]


async def test_change_reissues_the_certificate_or_confirms_the_lines(db, tmp_path):
    tree = await standard_tree()
    await seed_register(tree)
    base = {"enterprise_code": EXISTING_CODE, "rep_cccd": EXISTING_REP["cccd"]}
    async with write_tx():
        moved = await results.issue_enterprise_certificate(
            _ctx(
                "C-1",
                procedures.CHANGE,
                {**base, "change_kind": "capital", "new_capital": 3_000_000_000},
                BIZREG,
            )
        )
        lines = await results.issue_enterprise_certificate(
            _ctx(
                "C-2", procedures.CHANGE, {**base, "change_kind": "lines", "new_lines": "4632, 5610"}, BIZREG
            )
        )
    text, qr, info = await _pdf(
        "business_reg/enterprise_certificate.html", moved, "000.00.01.H39-261123-0003", tmp_path
    )
    assert re.search(r"Pages:\s+1\n", info)
    assert (
        "Đăng ký thay đổi lần thứ: 1, ngày 23/11/2026" in text and "Đăng ký lần đầu: ngày 06/05/2024" in text
    )
    assert "Ba tỷ đồng" in text and "CÔNG TY TNHH SÔNG ĐỒNG NAI" in text and EXISTING_REP["name"] in text
    text, qr, info = await _pdf(
        "business_reg/enterprise_certificate.html", lines, "000.00.01.H39-261123-0004", tmp_path
    )
    assert "GIẤY XÁC NHẬN" in text and "thay đổi nội dung đăng ký doanh nghiệp" in text.lower()
    assert "Đăng ký thay đổi lần thứ: 2" in text and "Bán buôn thực phẩm" in text and "5610" in text
    assert f"Số: {EXISTING_CODE}/2" in text
    assert qr == [status_url("000.00.01.H39-261123-0004")]
