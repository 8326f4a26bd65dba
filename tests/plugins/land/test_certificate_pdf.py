"""The certificate print template renders to a one-page A4 PDF with the registry data."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from core.documents.render import render_html, render_pdf

CTX = {
    "code": "000.30.31.H39-261123-0001",
    "agency": {"name": "UBND phường Trấn Biên", "parent_name": "UBND tỉnh Đồng Nai"},
    "place": "Đồng Nai",
    "issued_at": "2026-11-23T09:00:00+07:00",
    "status_url": "http://x/tra-cuu/1",
    "qr": "",
    "number": "CS 00001",
    "serial": "DE 100001",
    "previous_serial": "DA 123456",
    "title": "Giấy chứng nhận",
    "kind": "transfer_new",
    "holders": [
        {
            "name": "Lê Văn Cường",
            "id_number": "075090005678",
            "birth_year": 1990,
            "address": "Ấp 1, xã Tân Phú",
        }
    ],
    "parcel": {
        "commune_code": "000.30.31.H39",
        "map_sheet": 5,
        "parcel_number": 102,
        "address": "Khu phố 3, phường Trấn Biên",
        "area": "95,5",
        "land_use_type": "ONT",
        "term": "Lâu dài",
        "origin": "Nhận chuyển nhượng",
    },
    "issue_date": "2026-11-23",
    "issued_by": "Văn phòng Đăng ký đất đai tỉnh Đồng Nai",
    "signer_title": "GIÁM ĐỐC",
    "header_agency": {"name": "Văn phòng Đăng ký đất đai tỉnh Đồng Nai", "parent_name": ""},
    "changes": [],
}


def test_certificate_html_carries_the_registry_data():
    html = render_html("land/certificate.html", CTX)
    for text in (
        "Số vào sổ cấp GCN: CS 00001",
        "DE 100001",
        "Thửa đất số: <b>102</b>",
        "Lê Văn Cường",
        "Thay thế Giấy chứng nhận số phát hành DA 123456",
        "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI TỈNH ĐỒNG NAI",
    ):
        assert text in html
    endorsed = render_html(
        "land/certificate.html",
        {
            **CTX,
            "kind": "transfer_endorsed",
            "serial": "DA 123456",
            "changes": [{"on": "2026-11-23", "text": "Chuyển nhượng cho ông/bà Lê Văn Cường"}],
        },
    )
    assert "Xác nhận thay đổi" in endorsed and "23/11/2026" in endorsed


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
async def test_certificate_pdf_is_one_a4_page_with_vietnamese_text(tmp_path):
    pdf = await render_pdf(
        "land/certificate.html", CTX, title="GCN", created=datetime(2026, 11, 23, tzinfo=UTC), key="t"
    )
    path = tmp_path / "gcn.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "Lê Văn Cường" in text and "DE 100001" in text and "quyền sử dụng đất" in text.lower()
