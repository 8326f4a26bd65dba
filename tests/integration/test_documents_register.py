"""The register of dossiers (form 07): page with filters, Excel and PDF exports, staff only."""

from __future__ import annotations

import io

from core.dossiers.tables import Dossier
from core.jobs.tables import Outbox
from core.settings import get_settings
from tests.fixtures.builders import login_as
from tests.integration.test_documents_builders import (
    CODE,
    KEY,
    T,
    assert_a4_embedded,
    build_dossier,
    keep_pdf,
    pdf_text,
    qr_payloads,
)

PERIOD = "from=01/11/2026&to=30/11/2026"


async def _more_dossiers(built: dict, n: int) -> None:
    for i in range(n):
        await Dossier(
            code=f"000.00.01.H39-261124-{i + 1:04d}",
            procedure_code="9.000001",
            domain="test",
            receiving_agency=built["tree"]["centre"]["id"],
            applicant_name=f"Đặng Văn Tú {i}",
            applicant_address="Tân Phú",
            data={},
            channel="truc_tuyen",
            state="received",
            received_at=T(24, 8 + i % 8),
            due_at=T(26, 16),
            created_at=T(24, 8),
            updated_at=T(24, 8),
        ).save()


async def test_register_page_lists_the_period(client):
    built = await build_dossier()
    await login_as(client, built["clerk"])
    centre = built["tree"]["centre"]["id"]
    resp = await client.get(f"/so-theo-doi?agency={centre}&{PERIOD}")
    assert resp.status_code == 200
    assert CODE in resp.text and "Nguyễn Thị Hằng" in resp.text
    # a procedure no longer in the catalogue: named as it was when the dossier was received
    assert "Chứng thực bản sao từ bản chính giấy tờ, văn bản" in resp.text
    assert "/so-theo-doi.xlsx?" in resp.text
    outside = await client.get(f"/so-theo-doi?agency={centre}&from=01/10/2026&to=31/10/2026")
    assert CODE not in outside.text


async def test_register_bad_period_is_explained_at_the_field(client):
    built = await build_dossier()
    await login_as(client, built["clerk"])
    centre = built["tree"]["centre"]["id"]
    resp = await client.get(f"/so-theo-doi?agency={centre}&from=32/13/2026&to=30/11/2026")
    assert resp.status_code == 422
    assert "Từ ngày: nhập ngày theo dạng ngày/tháng/năm" in resp.text and 'value="32/13/2026"' in resp.text
    resp = await client.get(f"/so-theo-doi?agency={centre}&from=30/11/2026&to=01/11/2026")
    assert resp.status_code == 422 and "Đến ngày phải bằng hoặc sau Từ ngày" in resp.text
    resp = await client.get(f"/so-theo-doi?agency={built['tree']['tax']['id']}&{PERIOD}")
    assert resp.status_code == 422 and "Chọn một cơ quan" in resp.text


async def test_register_is_kept_per_field(client, tmp_path):
    """Form 07 is kept per field (lĩnh vực): the filter narrows the page and both exports, and names
    the field on them; an unknown field is explained at the field."""
    from openpyxl import load_workbook

    from core.catalogue.registry import get_catalogue

    built = await build_dossier()
    await _more_dossiers(built, 2)
    land = get_catalogue().domains["land"]
    await Dossier.update({Dossier.domain: "land"}).where(Dossier.code == "000.00.01.H39-261124-0002")
    await login_as(client, built["clerk"])
    base = f"/so-theo-doi?agency={built['tree']['centre']['id']}&{PERIOD}"
    everything = await client.get(base)
    assert everything.text.count("Đặng Văn Tú") == 2 and CODE in everything.text
    page = await client.get(f"{base}&linh_vuc=land")
    assert page.status_code == 200 and page.text.count("Đặng Văn Tú") == 1 and CODE not in page.text
    assert "linh_vuc=land" in page.text  # the export links keep the field
    xlsx = await client.get(base.replace("/so-theo-doi?", "/so-theo-doi.xlsx?") + "&linh_vuc=land")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert (
        ws["A2"].value.endswith(f"lĩnh vực: {land.name.vi}") and ws["B4"].value == "000.00.01.H39-261124-0002"
    )
    assert ws["B5"].value is None
    pdf = await _register_pdf(client, base.replace("/so-theo-doi?", "/so-theo-doi.pdf?") + "&linh_vuc=land")
    flat = " ".join(pdf_text(pdf.content, tmp_path, layout=False).split())
    assert f"Lĩnh vực: {land.name.vi}" in flat and "000.00.01.H39-261124-0002" in flat and CODE not in flat
    bad = await client.get(f"{base}&linh_vuc=khong-co")
    assert bad.status_code == 422 and "Chọn một lĩnh vực trong danh sách" in bad.text


async def test_register_is_for_staff_only(client):
    built = await build_dossier()
    await login_as(client, built["applicant"])
    assert (await client.get(f"/so-theo-doi?{PERIOD}")).status_code == 403


async def test_register_exports(client, tmp_path):
    from openpyxl import load_workbook

    built = await build_dossier()
    await login_as(client, built["clerk"])
    centre = built["tree"]["centre"]["id"]
    xlsx = await client.get(f"/so-theo-doi.xlsx?agency={centre}&{PERIOD}")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A3"].value == "STT" and ws["K3"].value == "Ký nhận"
    assert (
        ws["B4"].value == CODE
        and ws["D4"].value == "Nguyễn Thị Hằng"
        and ws["G4"].value == "09:05 23/11/2026"
    )
    pdf = await _register_pdf(client, f"/so-theo-doi.pdf?agency={centre}&{PERIOD}")
    (tmp_path / "register.pdf").write_bytes(pdf.content)
    keep_pdf("form07", pdf.content)
    flat = " ".join(pdf_text(pdf.content, tmp_path, layout=False).split())
    assert "SỔ THEO DÕI HỒ SƠ" in flat and CODE in flat and "Nguyễn Thị Hằng" in flat
    assert "Số: 01/STD-TTPVHCC" in flat  # the register's number suffix (STD-)
    # Each row carries the QR code of its dossier's public status page; the page is landscape A4.
    assert qr_payloads(pdf.content, tmp_path) == [f"{get_settings().base_url}/tra-cuu/{CODE}?k={KEY}"]
    assert_a4_embedded(pdf.content, tmp_path, landscape=True)
    bad = await client.get(f"/so-theo-doi.xlsx?agency={centre}&from=x&to=30/11/2026")
    assert bad.status_code == 422


async def _until_rendered() -> None:
    """Wait for the registers being laid out by the app's own runner (it may have claimed the row
    before ``run_pending_now``): no assertion on time, only on the outcome."""
    import asyncio

    from core.documents.tables import GeneratedDocument

    for _ in range(600):
        if not await GeneratedDocument.exists().where(
            (GeneratedDocument.kind == "form07") & (GeneratedDocument.status != "ready")
        ):
            return
        await asyncio.sleep(0.05)


async def _register_pdf(client, url: str):
    """Ask for the register PDF: a waiting page (202, reloads itself) until the job has laid it out."""
    from core.jobs import runner

    first = await client.get(url)
    if first.status_code == 202:  # the app's own runner may already have rendered it: never the request
        assert first.headers["refresh"] == "3" and "Sổ theo dõi hồ sơ đang được in" in first.text
    await runner.run_pending_now()
    await _until_rendered()
    pdf = await client.get(url)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    return pdf


async def test_register_pdf_is_rendered_by_the_job_and_downloaded_byte_identical(client, monkeypatch):
    from core.documents.tables import GeneratedDocument

    built = await build_dossier()
    await login_as(client, built["clerk"])
    url = f"/so-theo-doi.pdf?agency={built['tree']['centre']['id']}&{PERIOD}"
    # The request never lays out a PDF itself: it queues the job and answers "being printed".
    monkeypatch.setattr("core.jobs.runner.wake", lambda app=None: None)
    waiting = await client.get(url)
    row = await GeneratedDocument.select().where(GeneratedDocument.kind == "form07").first()
    assert await Outbox.exists().where(Outbox.task == "render_document")
    if row["status"] != "ready":  # (unless the app's runner polled meanwhile)
        assert waiting.status_code == 202 and "Sổ theo dõi hồ sơ đang được in" in waiting.text
    first = await _register_pdf(client, url)
    again = await client.get(url)
    assert again.content == first.content, "nothing changed in the period: the same stored file"
    assert await GeneratedDocument.count().where(GeneratedDocument.kind == "form07") == 1
    # A dossier received in the period changes the register: a new document, with the new row.
    await _more_dossiers(built, 1)
    changed = await _register_pdf(client, url)
    assert changed.content != first.content
    assert await GeneratedDocument.count().where(GeneratedDocument.kind == "form07") == 2


async def test_register_queries_do_not_grow_with_rows(client, count_queries):
    built = await build_dossier()
    await login_as(client, built["clerk"])
    url = f"/so-theo-doi?agency={built['tree']['centre']['id']}&{PERIOD}"
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    await _more_dossiers(built, 12)
    with count_queries() as many:
        resp = await client.get(url)
    assert resp.text.count("Đặng Văn Tú") == 12

    def mine(counter):  # the background job runner polls the outbox meanwhile: not this page's queries
        return [q for q in counter.statements if "outbox" not in q and "cron_run" not in q]

    assert len(mine(many)) == len(mine(few)), (mine(few), mine(many))
