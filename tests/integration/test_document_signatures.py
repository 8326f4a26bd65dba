"""Digital signatures of issued documents (issue 13, R8, R11, R31, R33): a result is signed in the
document job by the approver with a PAdES signature from the software key store, the signed bytes are kept
(a re-render serves the same file; signing again is a new version), the verification page validates the
signature against the trust roots, and an independent validator (poppler's ``pdfsig``) agrees."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from core.contract.signing import DocumentSigner
from core.db.tx import write_tx
from core.documents import service, signing
from core.documents.keystore import CA_NAME, SoftwareSigner
from core.documents.tables import DocumentSignature, GeneratedDocument
from core.documents.tasks import render_document
from core.settings import get_settings
from tests.conftest import csrf_from
from tests.integration.test_documents_builders import build_dossier, pdf_text
from tests.integration.test_documents_results import plugin_templates  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("plugin_templates")


async def _issue(built: dict) -> dict:
    async with write_tx():
        doc_id = await service.request_result_document(
            built["dossier_id"],
            "demo_result",
            {"title": "Bản sao có chứng thực", "number": "CT-2026-00042", "content": "Bản sao từ bản chính"},
            built["events"]["receive"],
            "demo/result.html",
        )
    await render_document({}, document_id=doc_id)
    return await service.get_document(doc_id)


def _pdfsig(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False)
    return done.stdout + done.stderr


async def test_hook_document_signer(db, client, tmp_path):
    """Rule: a result is signed by the officer of the event that issued it, with a certificate of the key
    store's CA; the stored file is the signed one, starting with the deterministic rendering; the
    verification page shows the signer, the signing time and a trusted chain; pyHanko and pdfsig agree."""
    built = await build_dossier()
    row = await _issue(built)
    assert row["context"]["_sign"]["role"] == "approver"
    pdf = service.read_file(row)
    assert row["sha256"] == hashlib.sha256(pdf).hexdigest()
    sigs = await signing.signatures_of(row["id"])
    assert len(sigs) == 1 and sigs[0]["version"] == 1 and sigs[0]["signer_name"] == "Trần Văn Đức"
    assert sigs[0]["sha256"] == row["sha256"] and sigs[0]["service"] == "software"

    service_ = await signing.signer_service()
    assert isinstance(service_, DocumentSigner) and isinstance(service_, SoftwareSigner)
    unsigned = await service.render_unsigned(row)
    assert pdf.startswith(unsigned) and len(pdf) > len(unsigned)  # an incremental update over the rendering
    assert hashlib.sha256(unsigned).hexdigest() == sigs[0]["unsigned_sha256"]
    # The text is unchanged by the signature.
    assert "Bản sao từ bản chính" in " ".join(pdf_text(pdf, tmp_path).split())

    checks = await signing.validate_pdf(pdf)
    assert len(checks) == 1
    check = checks[0]
    assert check.valid and check.intact and check.trusted and check.covers_file, check
    assert "Trần Văn Đức" in check.signer and check.signed_at is not None

    # Trusting nothing: intact but not trusted.
    alone = await signing.validate_pdf(pdf, roots=[])
    assert alone[0].intact and not alone[0].trusted and not alone[0].valid

    # Keys are kept encrypted in the data folder, never in the clear.
    folder = get_settings().data_dir / "signing"
    assert (folder / "ca.pem").is_file()
    assert b"ENCRYPTED PRIVATE KEY" in (folder / "ca-key.pem").read_bytes()
    assert (folder / "ca-key.pem").stat().st_mode & 0o077 == 0

    page = await client.get(f"/xac-minh/{row['public_id']}")
    assert page.status_code == 200
    text = page.text
    assert "Trần Văn Đức" in text and "Chữ ký số hợp lệ" in text and CA_NAME in text

    # The signed file uploaded: identical, signature valid; a tampered copy: invalid.
    same = await client.post(
        f"/xac-minh/{row['public_id']}",
        files={"file": ("kq.pdf", pdf, "application/pdf")},
        data={"_csrf_token": csrf_from(client)},
    )
    assert "giống hệt" in same.text and "Chữ ký số hợp lệ" in same.text
    at = len(unsigned) // 2
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    bad = await client.post(
        f"/xac-minh/{row['public_id']}",
        files={"file": ("kq.pdf", tampered, "application/pdf")},
        data={"_csrf_token": csrf_from(client)},
    )
    assert bad.status_code == 200 and "KHÔNG phải" in bad.text and "Chữ ký số không hợp lệ" in bad.text
    assert not (await signing.validate_pdf(tampered))[0].intact

    if shutil.which("pdfsig"):
        out = _pdfsig(pdf, tmp_path)
        assert "Signature is Valid" in out and "Trần Văn Đức" in out, out
        out = _pdfsig(tampered, tmp_path)
        assert "Signature is Valid" not in out, out


async def test_signed_document_rerenders_byte_identical_and_signing_again_is_a_new_version(db):
    built = await build_dossier()
    row = await _issue(built)
    first = service.read_file(row)
    # The served file is lost: the job renders again and serves the kept signed version, same bytes.
    (get_settings().files_dir / row["path"]).unlink()
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == row["id"]
    )
    await render_document({}, document_id=row["id"])
    again = await service.get_document(row["id"])
    assert service.read_file(again) == first
    assert await DocumentSignature.count().where(DocumentSignature.document == row["id"]) == 1

    version = await signing.sign_again(row["id"])
    assert version == 2
    latest = await service.get_document(row["id"])
    second = service.read_file(latest)
    assert second != first and latest["sha256"] == hashlib.sha256(second).hexdigest()
    unsigned = await service.render_unsigned(latest)
    assert first.startswith(unsigned) and second.startswith(unsigned)
    sigs = await signing.signatures_of(row["id"])
    assert [s["version"] for s in sigs] == [1, 2]
    # Both versions stay on disk, each as signed.
    for s in sigs:
        assert hashlib.sha256((get_settings().files_dir / s["path"]).read_bytes()).hexdigest() == s["sha256"]
    assert (await signing.validate_pdf(second))[0].valid
