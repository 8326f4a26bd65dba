"""Legal forms 01–06 as PDF: requested in the caller's transaction, rendered by the job, stored once,
served byte-identical, with the official title, the number suffix, Vietnamese names and a QR code
that decodes to the dossier's public status page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.db.tx import write_tx
from core.documents import service
from core.documents.legal_forms import FORMS
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.jobs.tables import Outbox
from core.settings import get_settings
from tests.integration.test_documents_builders import (
    CODE,
    KEY,
    assert_a4_embedded,
    build_dossier,
    pdf_text,
    qr_payloads,
)

FORM_EVENTS = {
    "form01": "receive",
    "form02": "supplement",
    "form03": "refuse",
    "form04": "apologise",
    "form05": "stop",
    "form06": "receive",
}
SUFFIX_SHOWN = {
    "form01": "TTPVHCC",
    "form02": "/PBS-",
    "form03": "/PTC-",
    "form04": "/PXL-",
    "form05": "/TBD-",
    "form06": "/PKS-",
}


async def _request(form: str, built: dict) -> int:
    async with write_tx():
        return await service.request_legal_form(form, built["dossier_id"], built["events"][FORM_EVENTS[form]])


async def _render(doc_id: int) -> bytes:
    await render_document({}, document_id=doc_id)
    row = await service.get_document(doc_id)
    assert row["status"] == "ready", row["error"]
    pdf = service.read_file(row)
    if keep := os.environ.get("MOTCUA_KEEP_PDFS"):  # to look at the forms: pdftoppm -png -r 60
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{row['kind']}.pdf").write_bytes(pdf)
    return pdf


@pytest.mark.parametrize("form", sorted(FORM_EVENTS))
async def test_form_pdf_text_and_qr(db, tmp_path, form):
    built = await build_dossier()
    doc_id = await _request(form, built)
    pdf = await _render(doc_id)
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())
    assert FORMS[form].title in flat
    assert CODE in flat
    assert "Nguyễn Thị Hằng" in flat or form == "form06"
    assert SUFFIX_SHOWN[form] in flat
    assert ("Mã tra cứu: K7M2-P9QX" in flat) == (form == "form01"), "the receipt prints the look-up key (R36)"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Đồng Nai, ngày 2" in flat
    assert qr_payloads(pdf, tmp_path) == [f"{get_settings().base_url}/tra-cuu/{CODE}?k={KEY}"]
    assert_a4_embedded(pdf, tmp_path)


async def test_form01_fields(db, tmp_path):
    built = await build_dossier()
    flat = " ".join(pdf_text(await _render(await _request("form01", built)), tmp_path).split())
    assert "Chứng thực bản sao từ bản chính giấy tờ, văn bản" in flat
    assert "Bản sao cần chứng thực" in flat
    assert "09 giờ 05 phút, ngày 23 tháng 11 năm 2026" in flat  # receipt, to the minute (R8)
    assert "16 giờ 30 phút, ngày 25 tháng 11 năm 2026" in flat  # appointment
    assert "2 ngày làm việc" in flat and "01 bộ" in flat
    assert "Quyển số: 2026, Số thứ tự: 7" in flat
    assert "Trần Văn Đức" in flat and "NGƯỜI TIẾP NHẬN HỒ SƠ" in flat


async def test_form02_lists_every_item(db, tmp_path):
    built = await build_dossier()
    flat = " ".join(pdf_text(await _render(await _request("form02", built)), tmp_path).split())
    assert "1 Bản sao giấy tờ tùy thân" in flat and "2 Giấy ủy quyền có chứng thực" in flat
    assert "Lý do: Thiếu bản sao" in flat and "NGƯỜI HƯỚNG DẪN" in flat


async def test_form04_apology_dates_and_unit_at_fault(db, tmp_path):
    built = await build_dossier()
    flat = " ".join(pdf_text(await _render(await _request("form04", built)), tmp_path).split())
    assert "16 giờ 30 phút, ngày 25 tháng 11 năm 2026" in flat  # original appointment
    assert "16 giờ 30 phút, ngày 27 tháng 11 năm 2026" in flat  # new appointment
    assert "Sở Tư pháp xin lỗi" in flat and "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in flat


async def test_form06_one_row_per_handover_with_result(db, tmp_path):
    built = await build_dossier()
    doc_id = await _request("form06", built)
    ctx = (await service.get_document(doc_id))["context"]
    centre, justice = built["tree"]["centre"]["name"], built["tree"]["justice"]["name"]
    assert ctx["lead_agency"] == centre and ctx["co_agencies"] == [justice]  # the last stage decides
    assert [(r["giver"], r["receiver"], r["result"]) for r in ctx["rows"]] == [
        (centre, justice, ""),
        (justice, centre, "Trước hạn"),
        (centre, centre, "Quá hạn"),
    ]
    assert ctx["rows"][-1]["note"] == "Trả kết quả về Bộ phận Một cửa"
    flat = " ".join(pdf_text(await _render(doc_id), tmp_path).split())
    flat_raw = " ".join(pdf_text(await _render(doc_id), tmp_path, layout=False).split())
    assert "Trước hạn (hạn 09:10 24/11/2026)" in flat_raw and "Quá hạn (hạn 11:00 24/11/2026)" in flat_raw
    assert "Sở Tư pháp" in flat and "Lê Thị Loan" in flat


async def test_request_is_idempotent_and_queues_the_render(db):
    built = await build_dossier()
    first = await _request("form01", built)
    assert await _request("form01", built) == first
    rows = await Outbox.select().where(Outbox.task == "render_document").output(load_json=True)
    assert [r["payload"] for r in rows] == [{"document_id": first}]
    row = await GeneratedDocument.select().where(GeneratedDocument.id == first).first()
    # nothing rendered yet: the request only recorded the work
    assert row["status"] == "pending" and row["path"] == "" and row["number"].endswith("/TTPVHCC")


async def test_rerender_is_byte_identical(db):
    built = await build_dossier()
    doc_id = await _request("form01", built)
    first = await _render(doc_id)
    assert await render_document({}, document_id=doc_id) == "ready"  # skipped: already stored
    # render again from scratch: same bytes (no clock in the file)
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == doc_id
    )
    (get_settings().files_dir / (await service.get_document(doc_id))["path"]).unlink()
    assert await _render(doc_id) == first


async def test_failed_render_is_recorded_and_retried(db, monkeypatch):
    built = await build_dossier()
    doc_id = await _request("form03", built)
    from core.documents import render

    async def boom(*a, **k):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(render, "layout_pdf", boom)
    with pytest.raises(RuntimeError):
        await render_document({}, document_id=doc_id)
    row = await service.get_document(doc_id)
    assert row["status"] == "failed" and "font cache unavailable" in row["error"]
    monkeypatch.undo()
    await _render(doc_id)


async def test_pdf_is_a4_with_embedded_fonts(db, tmp_path):
    import subprocess

    built = await build_dossier()
    f = tmp_path / "f.pdf"
    f.write_bytes(await _render(await _request("form01", built)))
    info = subprocess.run(["pdfinfo", str(f)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    assert "Mon Nov 23 02:05:00 2026 UTC" in info  # the event's time (09:05 in Vietnam), never "now"
    fonts = subprocess.run(["pdffonts", str(f)], capture_output=True, text=True, check=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(
        "Motcua-Serif" in line for line in rows
    )  # the shipped @font-face files, not system fonts
    assert all(line.split()[-5] == "yes" for line in rows)  # "emb" column: every font embedded


def test_print_resources_are_local_only():
    from core.documents.render import STATIC_DIR, LocalOnlyFetcher

    fetch = LocalOnlyFetcher()
    font = (STATIC_DIR / "fonts" / "LiberationSerif-Regular.ttf").as_uri()
    assert fetch(font).read(4) == b"\x00\x01\x00\x00"
    for url in (
        "http://example.com/x.css",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        (STATIC_DIR / ".." / "settings.py").resolve().as_uri(),
    ):
        with pytest.raises(ValueError):
            fetch(url)


async def test_the_outbox_runner_renders_requested_documents(db):
    from core.jobs.tasks import run_outbox_row

    built = await build_dossier()
    doc_id = await _request("form05", built)
    [row] = await Outbox.select(Outbox.id).where(Outbox.task == "render_document")
    assert await run_outbox_row(row["id"]) == "done"  # the registered job, as the runner calls it
    assert (await service.get_document(doc_id))["status"] == "ready"


async def test_decomposed_diacritics_are_printed_as_typed(db, tmp_path):
    """A name typed with combining marks (NFD, as some keyboards send it) prints and extracts as the
    composed Vietnamese text: the frozen context is NFC."""
    import unicodedata

    from core.dossiers.tables import Dossier

    built = await build_dossier()
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hằng")
    assert nfd != "Nguyễn Thị Hằng"
    await Dossier.update(
        {
            Dossier.applicant_name: nfd,
            Dossier.applicant_address: unicodedata.normalize("NFD", "Số 5 đường Võ Thị Sáu"),
        }
    ).where(Dossier.id == built["dossier_id"])
    doc_id = await _request("form03", built)
    assert (await service.get_document(doc_id))["context"]["applicant"]["name"] == "Nguyễn Thị Hằng"
    text = pdf_text(await _render(doc_id), tmp_path)
    assert "Nguyễn Thị Hằng" in text and "Số 5 đường Võ Thị Sáu" in text


async def test_dossier_received_under_the_2018_rules_gets_the_2018_form(db, tmp_path):
    from core.dossiers.tables import Dossier
    from tests.integration.test_documents_builders import T

    built = await build_dossier()
    await Dossier.update({Dossier.received_at: T(23, 9, 5).replace(year=2025, month=6)}).where(
        Dossier.id == built["dossier_id"]
    )
    flat = " ".join(pdf_text(await _render(await _request("form04", built)), tmp_path).split())
    assert "Mẫu số 04" in flat and "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in flat
    flat = " ".join(pdf_text(await _render(await _request("form06", built)), tmp_path).split())
    assert "Mẫu số 05" in flat and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in flat
