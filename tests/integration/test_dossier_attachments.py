"""Uploads into the document slots of a dossier (``/api/v1/dossiers/{code}/attachments``): the online
channel's upload slots. Only real PDF/JPEG/PNG, only into a slot of the procedure's checklist, only by
the applicant (draft, supplement) or the receiving desk; stored by content, listed in one query."""

from __future__ import annotations

import hashlib

from core.dossiers.tables import Attachment
from core.settings import get_settings
from plugins.land import procedures
from tests.plugins.land.test_routes_http import API, BUYER, TRANSFER_DATA, WARD, world  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _draft(client, a) -> dict:
    r = await client.post(API, json={"procedure_code": procedures.TRANSFER, "agency_code": WARD, "applicant": BUYER,
                                     "data": TRANSFER_DATA, "channel": "truc_tuyen"}, headers=a.h("buyer"))
    assert r.status_code == 201, r.text
    return r.json()


def _ref(d: dict) -> str:
    return d["code"] or str(d["id"])


async def _upload(client, a, who: str, d: dict, slot: str, name: str, content: bytes):
    return await client.post(f"{API}/{_ref(d)}/attachments", data={"document_code": slot},
                             files={"file": (name, content, "application/octet-stream")}, headers=a.h(who))


def _errors(r) -> dict[str, str]:
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_applicant_uploads_into_a_slot_and_the_file_is_kept_by_content(client, world):
    a = world["actors"]
    d = await _draft(client, a)
    slot = next(x["code"] for x in (await client.get(f"/api/v1/procedures/{procedures.TRANSFER}")).json()["documents"]
                if x.get("upload", True))
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
    assert (await client.get(f"{API}/{_ref(d)}/attachments/{body['id'] + 99}", headers=a.h("buyer"))).status_code == 404
    assert (await client.get(f"{API}/{_ref(d)}/attachments/{body['id']}", headers=a.h("seller"))).status_code == 404
    # another citizen can neither list nor add
    assert (await client.get(f"{API}/{_ref(d)}/attachments", headers=a.h("seller"))).status_code == 404
    assert (await _upload(client, a, "seller", d, slot, "x.pdf", PDF)).status_code == 404
    # anonymous: 401
    r = await client.post(f"{API}/{_ref(d)}/attachments", data={"document_code": slot},
                          files={"file": ("x.pdf", PDF, "application/pdf")})
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
    r = await client.post(f"{API}/{d['code'] or d['id']}/submit", json={"version": d["version"]}, headers=a.h("buyer"))
    d = r.json()
    r = await client.post(f"{API}/{d['code']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver"))
    assert r.status_code == 200, r.text
    d = r.json()
    slot = next(x["code"] for x in (await client.get(f"/api/v1/procedures/{procedures.TRANSFER}")).json()["documents"])
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
    assert "Tệp đã tải lên" in page.text and "Hợp đồng chuyển nhượng" in page.text and "hop-dong.pdf" in page.text
    got = await client.get(f"/ho-so/{_ref(d)}/tep/{att['id']}")
    assert got.status_code == 200 and got.content == PDF
    client.cookies.clear()
    await login_as(client, a.users["seller"])
    assert (await client.get(f"/ho-so/{_ref(d)}/tep/{att['id']}")).status_code == 404
