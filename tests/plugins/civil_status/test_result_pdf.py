"""The result documents render as PDF with their official title and the registry number."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from core.api import write_tx
from core.documents.render import render_pdf
from plugins.civil_status import results
from tests.plugins.civil_status import samples

TODAY = date(2026, 11, 23)
WARD = {"id": 7, "code": "000.30.31.H39", "name": "UBND phường Trấn Biên"}
POLICE = {"id": 9, "code": "000.40.02.H39", "name": "Công an tỉnh Đồng Nai"}
BHXH = {"id": 10, "code": "000.40.03.H39", "name": "Bảo hiểm xã hội tỉnh Đồng Nai"}


def _ctx(code, data, agency=WARD):
    return {
        "dossier": {"id": 1, "code": code, "data": data, "receiving_agency": WARD},
        "agency": agency,
        "today": TODAY,
        "step": None,
        "actor": None,
    }


async def _text(template: str, printed: dict) -> str:
    common = {
        "agency": {"name": printed.get("registering_agency"), "parent_name": "TỈNH ĐỒNG NAI"},
        "code": "000.30.31.H39-261123-0001",
        "place": "Đồng Nai",
        "issued_at": datetime(2026, 11, 23, 3, tzinfo=UTC),
        "status_url": "http://127.0.0.1:8000/tra-cuu/000.30.31.H39-261123-0001",
    }
    pdf = await render_pdf(
        template, {**common, **printed}, title="t", created=common["issued_at"], key=template
    )
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
async def test_every_result_renders(db):
    async with write_tx():
        birth = await results.issue_birth(_ctx("L-1", samples.birth_linked(TODAY)))
        marriage = await results.issue_marriage(_ctx("M-1", samples.marriage(TODAY)))
        death = await results.issue_death(_ctx("D-1", samples.death(TODAY)))
        residence = await results.issue_residence(_ctx("L-1", samples.birth_linked(TODAY), POLICE))
        card = await results.issue_health_insurance(_ctx("L-1", samples.birth_linked(TODAY), BHXH))
    text = await _text("civil_status/birth_extract.html", birth)
    assert "TRÍCH LỤC KHAI SINH" in text and "Quyển số: 01/2026" in text and "Nguyễn Minh Khang" in text
    text = await _text("civil_status/marriage_certificate.html", marriage)
    assert "GIẤY CHỨNG NHẬN KẾT HÔN" in text and "Quyển số: 01/2026" in text and "Phạm Ngọc Anh" in text
    text = await _text("civil_status/death_extract.html", death)
    assert "TRÍCH LỤC KHAI TỬ" in text and "Số: " in text and death["number"] in _flat(text)
    text = await _text("civil_status/residence_confirmation.html", residence)
    assert "đăng ký thường trú" in text and residence["number"] in _flat(text)
    text = await _text("civil_status/health_insurance_card.html", card)
    assert "THẺ BẢO HIỂM Y TẾ" in text and card["number"] in _flat(text)
