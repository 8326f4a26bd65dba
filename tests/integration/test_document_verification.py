"""Public verification of issued documents (issue 10): ``/xac-minh/{id}`` with an unguessable id, no
personal data, a PDF compared byte for byte, revoke and supersede by the issuing agency (audited), and
the verification QR on every issued result."""

from __future__ import annotations

import hashlib
import re

import pytest

from core.audit.tables import AuditEntry
from core.db.tx import write_tx
from core.documents import service
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.settings import get_settings
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user
from tests.integration.test_documents_builders import CODE, build_dossier, qr_payloads
from tests.integration.test_documents_results import plugin_templates  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("plugin_templates")


async def _issue(built: dict, result_id: str = "demo_result", number: str = "CT-2026-00042") -> dict:
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            result_id,
            {"title": "Bản sao có chứng thực", "number": number, "content": "Bản sao từ bản chính"},
            built["events"]["receive"],
            "demo/result.html",
        )
    await render_document({}, document_id=doc_id)
    return await service.get_document(doc_id)


def _upload(client, public_id: str, content: bytes, name: str = "ban-sao.pdf"):
    return client.post(
        f"/xac-minh/{public_id}",
        files={"file": (name, content, "application/pdf")},
        data={"_csrf_token": csrf_from(client)},
    )


async def test_public_page_upload_check_and_qr(db, client, tmp_path):
    """Rule: an issued result gets an unguessable verification id printed as a QR; its public page shows
    title, number, agency, date, SHA-256 and validity, and no personal data; the very PDF is recognised
    byte for byte, a tampered one is not; ids that are not issued ones are a 404."""
    built = await build_dossier()
    row = await _issue(built)
    public_id = row["public_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", public_id) and not public_id.isdigit()
    pdf = service.read_file(row)
    url = f"{get_settings().base_url}/xac-minh/{public_id}"
    assert url in qr_payloads(pdf, tmp_path)

    page = await client.get(f"/xac-minh/{public_id}")
    assert page.status_code == 200
    text = page.text
    for shown in ("Bản sao có chứng thực", "CT-2026-00042", "Trung tâm", row["sha256"], "Còn hiệu lực"):
        assert shown in text, shown
    assert row["sha256"] == hashlib.sha256(pdf).hexdigest()
    for personal in ("Nguyễn Thị Hằng", "075190001234", CODE, "0912345678", "hang@example.vn"):
        assert personal not in text, personal

    for unknown in (str(row["id"]), "A" * 24, "../etc/passwd", "x" * 200):
        assert (await client.get(f"/xac-minh/{unknown}")).status_code == 404

    same = await _upload(client, public_id, pdf)
    assert same.status_code == 200 and "giống hệt" in same.text
    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    changed = await _upload(client, public_id, tampered)
    assert changed.status_code == 200 and "KHÔNG phải" in changed.text
    longer = await _upload(client, public_id, pdf + b"\n%%EOF\n")
    assert "KHÔNG phải" in longer.text

    not_pdf = await _upload(client, public_id, b"MZ\x90\x00 an executable", "ban-sao.pdf")
    assert not_pdf.status_code == 422 and "không phải PDF" in not_pdf.text
    empty = await client.post(f"/xac-minh/{public_id}", data={"_csrf_token": csrf_from(client)})
    assert empty.status_code == 422 and "Chọn tệp PDF" in empty.text


async def test_revoke_and_supersede_by_the_issuing_agency_are_audited(db, client):
    """Rule: only the issuing agency's approvers/administrators (or a province administrator) revoke or
    supersede, with a reason; others get a 404; the public page then says so, and links to the
    corrected document; every change is in the audit log."""
    built = await build_dossier()
    first = await _issue(built)
    second = await _issue(built, "demo_result_v2", "CT-2026-00043")
    citizen = await make_user("dan")
    await login_as(client, citizen)
    page = await client.get(f"/xac-minh/{first['public_id']}")
    assert "Thu hồi" not in page.text
    refused = await client.post(
        f"/xac-minh/{first['public_id']}/trang-thai",
        data={"action": "revoke", "reason": "x", "_csrf_token": csrf_from(client)},
    )
    assert refused.status_code == 404

    leader = await make_user("lanhdao")
    from core.dossiers.tables import Dossier

    dossier = await Dossier.select(Dossier.receiving_agency).where(Dossier.id == built["dossier_id"]).first()
    await grant(leader, {"id": dossier["receiving_agency"]}, "approver")
    client.cookies.clear()
    await login_as(client, leader)
    page = await client.get(f"/xac-minh/{first['public_id']}")
    assert "Thu hồi văn bản" in page.text

    no_reason = await client.post(
        f"/xac-minh/{first['public_id']}/trang-thai",
        data={
            "action": "supersede",
            "reason": "  ",
            "replacement": second["public_id"],
            "_csrf_token": csrf_from(client),
        },
    )
    assert no_reason.status_code == 422 and "lý do" in no_reason.text
    assert second["public_id"] in no_reason.text  # what was typed is kept
    bad_rep = await client.post(
        f"/xac-minh/{first['public_id']}/trang-thai",
        data={
            "action": "supersede",
            "reason": "Sai chính tả",
            "replacement": "khong-co",
            "_csrf_token": csrf_from(client),
        },
    )
    assert bad_rep.status_code == 422 and "Không tìm thấy văn bản thay thế" in bad_rep.text

    done = await client.post(
        f"/xac-minh/{first['public_id']}/trang-thai",
        data={
            "action": "supersede",
            "reason": "Sai chính tả tên người được cấp",
            "replacement": f"{get_settings().base_url}/xac-minh/{second['public_id']}",
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    public = await client.get(f"/xac-minh/{first['public_id']}")
    assert "Đã được thay thế" in public.text and f'href="/xac-minh/{second["public_id"]}"' in public.text
    assert "Sai chính tả" not in public.text  # the reason is for staff and the audit log

    revoked = await client.post(
        f"/xac-minh/{second['public_id']}/trang-thai",
        data={"action": "revoke", "reason": "Cấp nhầm hồ sơ", "_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert "Đã bị thu hồi" in (await client.get(f"/xac-minh/{second['public_id']}")).text
    again = await client.post(
        f"/xac-minh/{second['public_id']}/trang-thai",
        data={"action": "revoke", "reason": "lần hai", "_csrf_token": csrf_from(client)},
    )
    assert again.status_code == 409

    entries = await AuditEntry.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action.is_in(["document_superseded", "document_revoked"])
    )
    assert sorted(e["action"] for e in entries) == ["document_revoked", "document_superseded"]
    assert all(e["actor_id"] == leader["id"] for e in entries)
    rows = {r["id"]: r for r in await GeneratedDocument.select()}
    assert (
        rows[first["id"]]["validity"] == "superseded" and rows[first["id"]]["superseded_by"] == second["id"]
    )
    assert (
        rows[second["id"]]["validity"] == "revoked"
        and rows[second["id"]]["validity_changed_by"] == leader["id"]
    )


async def test_an_issued_result_re_renders_to_the_same_bytes(db):
    """Rule: the verification QR is data frozen with the document: rendering again gives the same file
    (the hash the public page shows stays true)."""
    built = await build_dossier()
    row = await _issue(built)
    path = get_settings().files_dir / row["path"]
    before = path.read_bytes()
    path.unlink()
    await render_document({}, document_id=row["id"])
    assert path.read_bytes() == before
