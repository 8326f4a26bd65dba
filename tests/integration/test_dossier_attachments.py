"""Uploads into the document slots of a dossier (``/api/v1/dossiers/{code}/attachments``): the online
channel's upload slots. Only real PDF/JPEG/PNG, only into a slot of the procedure's checklist, only by
the applicant (draft, supplement) or the receiving desk; stored by content, listed in one query."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

from pypdf import PdfWriter

from core.dossiers.tables import Attachment
from core.settings import get_settings
from plugins.land import procedures
from tests.plugins.land.test_routes_http import API, BUYER, TRANSFER_DATA, WARD


def _pdf(pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password:
        writer.encrypt(password)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _png(width: int, height: int, rows: int | None = None) -> bytes:
    """A grey PNG claiming ``width``×``height``; with ``rows``, only that many rows of pixel data follow
    (a decoder that trusted the header would go on to allocate the whole image)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    pixels = zlib.compress(b"\x00" * (width + 1) * (height if rows is None else rows))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


PDF = _pdf()


async def _draft(client, a) -> dict:
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.TRANSFER,
            "agency_code": WARD,
            "applicant": BUYER,
            "data": TRANSFER_DATA,
            "channel": "truc_tuyen",
        },
        headers=a.h("buyer"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def _ref(d: dict) -> str:
    return d["code"] or str(d["id"])


async def _upload(client, a, who: str, d: dict, slot: str, name: str, content: bytes):
    return await client.post(
        f"{API}/{_ref(d)}/attachments",
        data={"document_code": slot},
        files={"file": (name, content, "application/octet-stream")},
        headers=a.h(who),
    )


def _errors(r) -> dict[str, str]:
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_applicant_uploads_into_a_slot_and_the_file_is_kept_by_content(client, world):
    a = world["actors"]
    d = await _draft(client, a)
    slot = next(
        x["code"]
        for x in (await client.get(f"/api/v1/procedures/{procedures.TRANSFER}")).json()["documents"]
        if x.get("upload", True)
    )
    r = await _upload(client, a, "buyer", d, slot, "hop-dong.pdf", PDF)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["document_code"] == slot and body["content_type"] == "application/pdf"
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest() and body["size"] == len(PDF)
    row = await Attachment.select().where(Attachment.id == body["id"]).first()
    assert (get_settings().files_dir / row["path"]).read_bytes() == PDF
    listed = await client.get(f"{API}/{_ref(d)}/attachments", headers=a.h("buyer"))
    assert [x["id"] for x in listed.json()] == [body["id"]]
    got = await client.get(f"{API}/{_ref(d)}/attachments/{body['id']}", headers=a.h("buyer"))
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert (
        await client.get(f"{API}/{_ref(d)}/attachments/{body['id'] + 99}", headers=a.h("buyer"))
    ).status_code == 404
    assert (
        await client.get(f"{API}/{_ref(d)}/attachments/{body['id']}", headers=a.h("seller"))
    ).status_code == 404
    # another citizen can neither list nor add
    assert (await client.get(f"{API}/{_ref(d)}/attachments", headers=a.h("seller"))).status_code == 404
    assert (await _upload(client, a, "seller", d, slot, "x.pdf", PDF)).status_code == 404
    # anonymous: 401
    r = await client.post(
        f"{API}/{_ref(d)}/attachments",
        data={"document_code": slot},
        files={"file": ("x.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 401


async def test_bad_files_and_slots_are_refused_at_the_field(client, world):
    a = world["actors"]
    d = await _draft(client, a)
    r = await _upload(client, a, "buyer", d, "no_such_slot", "a.pdf", PDF)
    assert r.status_code == 422 and "Không có mục giấy tờ 'no_such_slot'" in _errors(r)["document_code"]
    assert "contract (Hợp đồng chuyển nhượng" in _errors(r)["document_code"]  # the message lists the slots
    slot = "contract"
    r = await _upload(client, a, "buyer", d, slot, "virus.pdf", b"MZ\x90\x00 not a pdf")
    assert r.status_code == 422 and "PDF, JPEG hoặc PNG" in _errors(r)["file"]
    r = await _upload(client, a, "buyer", d, slot, "empty.pdf", b"")
    assert r.status_code == 422 and "trống" in _errors(r)["file"]
    r = await client.post(f"{API}/{_ref(d)}/attachments", data={"document_code": slot}, headers=a.h("buyer"))
    assert r.status_code in (400, 422)
    assert await Attachment.count() == 0


async def test_no_upload_once_received_until_a_supplement_is_asked(client, world):
    a = world["actors"]
    d = await _draft(client, a)
    r = await client.post(
        f"{API}/{d['code'] or d['id']}/submit", json={"version": d["version"]}, headers=a.h("buyer")
    )
    d = r.json()
    r = await client.post(
        f"{API}/{d['code']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    d = r.json()
    slot = next(
        x["code"] for x in (await client.get(f"/api/v1/procedures/{procedures.TRANSFER}")).json()["documents"]
    )
    r = await _upload(client, a, "buyer", d, slot, "late.pdf", PDF)
    assert r.status_code == 403 and "không nhận thêm tệp" in r.text


async def test_the_dossier_page_lists_the_files_and_opens_them(client, world):
    from tests.fixtures.builders import login_as

    a = world["actors"]
    d = await _draft(client, a)
    r = await _upload(client, a, "buyer", d, "contract", "hop-dong.pdf", PDF)
    assert r.status_code == 201, r.text
    att = r.json()
    await login_as(client, a.users["buyer"])
    page = await client.get(f"/ho-so/{_ref(d)}")
    assert page.status_code == 200
    assert (
        "Tệp đã tải lên" in page.text
        and "Hợp đồng chuyển nhượng" in page.text
        and "hop-dong.pdf" in page.text
    )
    got = await client.get(f"/ho-so/{_ref(d)}/tep/{att['id']}")
    assert got.status_code == 200 and got.content == PDF
    _assert_served_in_a_sandbox(got)
    client.cookies.clear()
    await login_as(client, a.users["seller"])
    assert (await client.get(f"/ho-so/{_ref(d)}/tep/{att['id']}")).status_code == 404


def _assert_served_in_a_sandbox(r) -> None:
    """Rule: an uploaded file is never rendered as a page of ours: saved, not shown; no type sniffing;
    and a sandbox with nothing to load, should a browser render it anyway."""
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp


async def test_a_decompression_bomb_image_is_refused_before_it_is_decoded(client, world):
    """Rule: images are opened by a decoder with a pixel limit; a small file that claims 20000×20000
    pixels (400 megapixels) is refused with a Vietnamese message, never stored."""
    a = world["actors"]
    d = await _draft(client, a)
    bomb = _png(20000, 20000, rows=50)
    assert len(bomb) < 50_000
    r = await _upload(client, a, "buyer", d, "contract", "anh.png", bomb)
    assert r.status_code == 422 and "Ảnh quá lớn" in _errors(r)["file"]
    assert "50 megapixel" in _errors(r)["file"]
    r = await _upload(client, a, "buyer", d, "contract", "anh.png", _png(8000, 7000, rows=1))  # 56 MP
    assert r.status_code == 422 and "8000×7000" in _errors(r)["file"]
    r = await _upload(client, a, "buyer", d, "contract", "hong.png", _png(100, 100)[:60])  # cut short
    assert r.status_code == 422 and "bị hỏng" in _errors(r)["file"]
    assert await Attachment.count() == 0
    r = await _upload(client, a, "buyer", d, "contract", "anh.png", _png(200, 100))
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png" and r.json()["pages"] is None
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buf, "JPEG")
    jpeg = buf.getvalue()
    r = await _upload(client, a, "buyer", d, "contract", "hong.jpg", jpeg[:40])  # not even a header
    assert r.status_code == 422 and "bị hỏng" in _errors(r)["file"]
    r = await _upload(client, a, "buyer", d, "contract", "anh.jpg", jpeg)
    assert r.status_code == 201 and r.json()["content_type"] == "image/jpeg", r.text


async def test_a_fake_or_encrypted_pdf_is_refused(client, world):
    """Rule: a PDF is read by a PDF parser, not trusted on its first bytes: an HTML page behind
    ``%PDF-`` or a file with no page is refused; so is an encrypted PDF, which staff could not open."""
    a = world["actors"]
    d = await _draft(client, a)
    for fake in (
        b"%PDF-<html><script>alert(document.cookie)</script></html>",
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    ):
        r = await _upload(client, a, "buyer", d, "contract", "to-khai.pdf", fake)
        assert r.status_code == 422 and "không phải PDF thật" in _errors(r)["file"], r.text
    r = await _upload(client, a, "buyer", d, "contract", "khoa.pdf", _pdf(password="bi-mat"))
    assert r.status_code == 422 and "mật khẩu" in _errors(r)["file"]
    assert await Attachment.count() == 0


async def test_a_real_pdf_is_kept_with_its_page_count_shown_to_staff(client, world):
    """Rule: a real PDF is accepted and its page count, read at upload, is shown in the dossier page's
    upload list; the file is downloaded as an attachment in a sandbox on both routes."""
    from tests.fixtures.builders import login_as

    a = world["actors"]
    d = await _draft(client, a)
    three = _pdf(pages=3)
    r = await _upload(client, a, "buyer", d, "contract", "hop-dong.pdf", three)
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["pages"] == 3 and att["content_type"] == "application/pdf"
    assert (await Attachment.select(Attachment.pages).where(Attachment.id == att["id"]).first())["pages"] == 3
    got = await client.get(f"{API}/{_ref(d)}/attachments/{att['id']}", headers=a.h("buyer"))
    assert got.status_code == 200 and got.content == three
    _assert_served_in_a_sandbox(got)
    await login_as(client, a.users["buyer"])  # the applicant's own page (/ho-so/… sends them there)
    page = await client.get(f"/ho-so/{_ref(d)}")
    assert page.status_code == 200 and "hop-dong.pdf" in page.text and "3 trang" in page.text
    client.cookies.clear()
    await login_as(client, a.users["ward_receiver"])
    page = await client.get(f"/ho-so/{_ref(d)}")
    assert page.status_code == 200
    row = page.text[page.text.index("hop-dong.pdf") :]
    assert "3 trang" in row[: row.index("</li>")]  # the staff page's list of uploads (issue 9)
