"""Downloading a dossier's documents: who may, and the same bytes every time."""

from __future__ import annotations

from core.db.tx import write_tx
from core.documents import service
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from tests.fixtures.builders import grant, login_as, make_user
from tests.integration.test_documents_builders import CODE, build_dossier


async def _ready_form01(built) -> int:
    async with write_tx():
        doc_id = await service.request_legal_form("form01", built["dossier_id"], built["events"]["receive"])
    await render_document({}, document_id=doc_id)
    return doc_id


async def test_applicant_downloads_the_same_bytes_twice(client):
    built = await build_dossier()
    doc_id = await _ready_form01(built)
    await login_as(client, built["applicant"])
    first = await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")
    second = await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF") and first.content == second.content
    row = await service.get_document(doc_id)
    import hashlib

    assert hashlib.sha256(first.content).hexdigest() == row["sha256"]


async def test_pending_document_is_not_rendered_by_the_request(client):
    built = await build_dossier()
    async with write_tx():
        doc_id = await service.request_legal_form("form03", built["dossier_id"], built["events"]["refuse"])
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == doc_id
    )
    await login_as(client, built["applicant"])
    resp = await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")
    row = await service.get_document(doc_id)
    if row["status"] != "ready":  # the background runner may have rendered it meanwhile; never the request
        assert resp.status_code == 409
        assert "đang được tạo" in resp.text


async def test_staff_of_a_step_agency_may_download(client):
    built = await build_dossier()
    doc_id = await _ready_form01(built)
    await login_as(client, built["specialist"])  # specialist at the justice department, which held a step
    assert (await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")).status_code == 200


async def test_others_are_refused(client):
    built = await build_dossier()
    doc_id = await _ready_form01(built)
    stranger = await make_user("khach", full_name="Phạm Văn Khách")
    await login_as(client, stranger)
    refused = await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")
    unknown = await client.get(f"/ho-so/2099-999999/tai-lieu/{doc_id}.pdf")
    # a caller who may not read the dossier learns nothing: the same 404 as for a code that does not exist
    assert refused.status_code == unknown.status_code == 404
    assert refused.text.replace(CODE, "X") == unknown.text.replace("2099-999999", "X")
    outsider = await make_user("canbo", full_name="Võ Thị Mai")
    await grant(
        outsider, built["tree"]["tax"], "specialist"
    )  # staff, but of an agency the dossier never reached
    await login_as(client, outsider)
    assert (await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf")).status_code == 404


async def test_anonymous_is_refused(client):
    built = await build_dossier()
    doc_id = await _ready_form01(built)
    resp = await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.pdf", follow_redirects=False)
    assert resp.status_code in (303, 401, 403)
    assert not resp.content.startswith(b"%PDF")


async def test_document_of_another_dossier_or_bad_name_is_not_found(client):
    built = await build_dossier()
    doc_id = await _ready_form01(built)
    await login_as(client, built["applicant"])
    assert (await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id}.txt")).status_code == 404
    assert (await client.get(f"/ho-so/{CODE}/tai-lieu/{doc_id + 99}.pdf")).status_code == 404
    assert (await client.get(f"/ho-so/000.00.01.H39-261123-9999/tai-lieu/{doc_id}.pdf")).status_code == 404


async def test_the_qr_code_opens_the_public_status_page(client, tmp_path):
    """Scanning a printed form leads anyone to the dossier's public status page (no login, no personal data)."""
    from core.settings import get_settings
    from tests.integration.test_documents_builders import qr_payloads

    built = await build_dossier()
    doc_id = await _ready_form01(built)
    [url] = qr_payloads(service.read_file(await service.get_document(doc_id)), tmp_path)
    assert url.startswith(get_settings().base_url)
    page = await client.get(url.removeprefix(get_settings().base_url))
    assert page.status_code == 200 and CODE in page.text
    assert "Nguyễn Thị Hằng" not in page.text and "075190001234" not in page.text
