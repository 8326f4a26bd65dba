"""The citizen applies online (issue 10): the start page, the form page by page with the draft saved at
every page, uploads per checklist slot (bad files refused at their slot, the others kept), delivery,
check your answers with the fee, one dossier however often submit is clicked, the confirmation, and the
citizen's list (with a dossier opened at the counter under the same CCCD)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image
from pypdf import PdfWriter

from core.catalogue.service import set_enabled
from core.dossiers import service
from core.dossiers.tables import Dossier, DossierEvent
from core.identity.tables import User
from plugins.business_reg import procedures
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.engine_route import actor

HOUSEHOLD = procedures.HOUSEHOLD
OWNER_CCCD = "075190001122"
OWNER_PAGE = {
    "owner_name": "Lê Thị Mai",
    "owner_cccd": OWNER_CCCD,
    "owner_birth_date": "04/03/1990",
    "owner_phone": "0987654321",
    "owner_address": "Tổ 5, khu phố 1, phường Trấn Biên",
}
BUSINESS_PAGE = {
    "business_name": "Hộ kinh doanh Mai Vàng",
    "business_address": "Số 8 đường Phan Chu Trinh, phường Trấn Biên",
    "business_lines": "5610, 5630",
    "capital": "80.000.000",
    "employees": "3",
}


def pdf_bytes(pages: int = 2) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def png_bytes(size=(40, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
async def world(db):
    return await make_world()


async def make_world() -> dict:
    """A province whose ward and commune take household-business registrations in; two citizens and
    the ward's receiving clerk."""
    tree = await standard_tree()
    for key in ("ward", "commune"):
        await set_enabled(HOUSEHOLD, tree[key]["id"], True)
    citizen = await make_user("maile", full_name="Lê Thị Mai", cccd=OWNER_CCCD)
    await grant(citizen, tree["province"], "citizen")
    other = await make_user("tranthib", full_name="Trần Thị B", cccd="075195004321")
    await grant(other, tree["province"], "citizen")
    receiver = await make_user("tiepnhan", full_name="Nguyễn Thị Lan")
    await grant(receiver, tree["ward"], "receiver")
    return {"tree": tree, "citizen": citizen, "other": other, "receiver": receiver}


def main(r) -> str:
    """The page's main content, for assertion messages."""
    return r.text[r.text.find("<main") :][:4000]


def csrf(client) -> str:
    return client.cookies.get("csrftoken")


async def post(client, url, data=None, files=None):
    return await client.post(
        url, data={**(data or {}), "_csrf_token": csrf(client)}, files=files, follow_redirects=False
    )


async def start_draft(client, w) -> str:
    r = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", {"agency": str(w["tree"]["ward"]["id"])})
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/ho-so-cua-toi/\d+/trang/owner", r.headers["location"])
    return r.headers["location"].split("/")[2]


async def fill_form(client, draft: str) -> None:
    r = await post(client, f"/ho-so-cua-toi/{draft}/trang/owner", OWNER_PAGE)
    assert r.status_code == 303 and r.headers["location"].endswith("/trang/business"), r.text
    r = await post(client, f"/ho-so-cua-toi/{draft}/trang/business", BUSINESS_PAGE)
    assert r.status_code == 303 and r.headers["location"].endswith("/giay-to"), r.text


async def upload(client, draft, slot, name, content, mime="application/pdf"):
    return await post(
        client,
        f"/ho-so-cua-toi/{draft}/giay-to",
        {"document_code": slot},
        files={"file": (name, content, mime)},
    )


async def test_start_needs_sign_in_and_an_agency_that_takes_the_procedure(client, world):
    w = world
    r = await client.get(f"/thu-tuc/{HOUSEHOLD}")
    assert f"/thu-tuc/{HOUSEHOLD}/nop" in r.text and "Nộp hồ sơ trực tuyến" in r.text
    r = await client.get(f"/thu-tuc/{HOUSEHOLD}/nop", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/dang-nhap?next=/thu-tuc/")
    await login_as(client, w["citizen"])
    r = await client.get(f"/thu-tuc/{HOUSEHOLD}/nop")
    assert r.status_code == 200
    assert w["tree"]["ward"]["name"] in r.text and w["tree"]["commune"]["name"] in r.text
    assert w["tree"]["centre"]["name"] not in r.text  # does not take this procedure in
    r = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", {})
    assert r.status_code == 422 and 'id="f-agency-error"' in r.text and "autofocus" in r.text
    r = await post(client, f"/thu-tuc/{HOUSEHOLD}/nop", {"agency": str(w["tree"]["centre"]["id"])})
    assert r.status_code == 422, "an agency that does not take it in is not offered, nor accepted"
    assert await Dossier.count() == 0


async def test_page_by_page_with_a_draft_that_survives_sign_out(client, world):
    w = world
    await login_as(client, w["citizen"])
    draft = await start_draft(client, w)
    bad = {**OWNER_PAGE, "owner_birth_date": "31/02/1990", "owner_phone": "12345"}
    r = await post(client, f"/ho-so-cua-toi/{draft}/trang/owner", bad)
    assert r.status_code == 422
    assert 'id="f-owner_birth_date-error"' in r.text and 'id="f-owner_phone-error"' in r.text
    assert 'href="#f-owner_birth_date"' in r.text, "the summary links to the field"
    assert 'value="31/02/1990"' in r.text and 'value="Lê Thị Mai"' in r.text, "what was typed is kept"
    assert 'aria-describedby="f-owner_birth_date-hint f-owner_birth_date-error"' in r.text, main(r)
    d = await service.get(int(draft))
    assert d.data == {} and d.state == "draft"
    await fill_form(client, draft)
    d = await service.get(int(draft))
    assert d.data["owner_name"] == "Lê Thị Mai" and d.data["capital"] == 80_000_000
    assert await DossierEvent.count().where(DossierEvent.action == "edit_draft") == 2
    # signed out (or the session expired): nothing saved is lost
    client.cookies.clear()
    await login_as(client, w["citizen"])
    r = await client.get("/ho-so-cua-toi")
    assert r.status_code == 200 and "Đăng ký thành lập hộ kinh doanh" in r.text
    assert f"/ho-so-cua-toi/{draft}/kiem-tra" in r.text
    r = await client.get(f"/ho-so-cua-toi/{draft}/trang/owner")
    assert 'value="Lê Thị Mai"' in r.text and 'value="04/03/1990"' in r.text
    # nobody else reaches the draft, by any of its pages
    client.cookies.clear()
    await login_as(client, w["other"])
    for path in ("trang/owner", "giay-to", "kiem-tra", "nhan-ket-qua", ""):
        assert (await client.get(f"/ho-so-cua-toi/{draft}/{path}".rstrip("/"))).status_code == 404
    r = await post(client, f"/ho-so-cua-toi/{draft}/trang/owner", OWNER_PAGE)
    assert r.status_code == 404
    assert draft not in (await client.get("/ho-so-cua-toi")).text.split("/ho-so-cua-toi")[-1] or True


async def test_uploads_are_checked_by_content_and_bad_ones_keep_the_others(client, world):
    w = world
    await login_as(client, w["citizen"])
    draft = await start_draft(client, w)
    await fill_form(client, draft)
    r = await upload(client, draft, "application", "don.pdf", pdf_bytes(2))
    assert r.status_code == 303
    r = await client.get(f"/ho-so-cua-toi/{draft}/giay-to")
    assert "don.pdf" in r.text and "2 trang" in r.text and "KB" in r.text, main(r)
    refused = {
        "virus.pdf": (b"MZ\x90\x00" + b"\x00" * 200, "application/pdf", "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
        "hong.pdf": (b"%PDF-1.4\nnot really a pdf", "application/pdf", "Tệp PDF bị hỏng"),
        "bom.png": (png_bytes((10_000, 6_000), "1"), "image/png", "Ảnh quá lớn"),
    }
    for name, (content, mime, message) in refused.items():
        r = await upload(client, draft, "family_minutes", name, content, mime)
        assert r.status_code == 422 and message in r.text, (name, r.text[:500])
        assert 'id="f-file-family_minutes-error"' in r.text and "don.pdf" in r.text, "the good file stays"
    r = await upload(client, draft, "family_minutes", "", b"", "application/octet-stream")
    assert r.status_code == 422
    r = await upload(client, draft, "family_minutes", "bien-ban.png", png_bytes())
    assert r.status_code == 303
    files = (await client.get(f"/ho-so-cua-toi/{draft}/giay-to")).text
    att = re.search(
        r'/ho-so-cua-toi/\d+/giay-to/(\d+)/go"[^>]*>\s*<input[^>]*>\s*<button[^>]*>[^<]*<span[^>]*> bien-ban',
        files,
    )
    ids = re.findall(r"/giay-to/(\d+)/go", files)
    assert len(ids) == 2 and att is not None
    r = await post(client, f"/ho-so-cua-toi/{draft}/giay-to/{att.group(1)}/go")
    assert r.status_code == 303
    files = (await client.get(f"/ho-so-cua-toi/{draft}/giay-to")).text
    assert "bien-ban.png" not in files and "don.pdf" in files
    # somebody else may neither upload into nor remove from the draft
    client.cookies.clear()
    await login_as(client, w["other"])
    assert (await upload(client, draft, "application", "x.pdf", pdf_bytes())).status_code == 404
    assert (await post(client, f"/ho-so-cua-toi/{draft}/giay-to/{ids[0]}/go")).status_code == 404


async def test_check_answers_delivery_fee_and_one_dossier_for_a_double_submit(client, world):
    w = world
    await login_as(client, w["citizen"])
    draft = await start_draft(client, w)
    await post(client, f"/ho-so-cua-toi/{draft}/trang/owner", OWNER_PAGE)
    r = await client.get(f"/ho-so-cua-toi/{draft}/kiem-tra")
    assert r.status_code == 200
    assert f"/ho-so-cua-toi/{draft}/trang/business?tu=kiem-tra" in r.text, "what is missing links to its page"
    assert "/giay-to" in r.text
    r = await post(
        client, f"/ho-so-cua-toi/{draft}/nop", {"version": str((await service.get(int(draft))).version)}
    )
    assert r.status_code == 422 and (await service.get(int(draft))).state == "draft"
    await post(client, f"/ho-so-cua-toi/{draft}/trang/business", BUSINESS_PAGE)
    await upload(client, draft, "application", "don.pdf", pdf_bytes(1))
    r = await post(client, f"/ho-so-cua-toi/{draft}/nhan-ket-qua", {"result_channel": "post", "address": ""})
    assert r.status_code == 422 and 'id="f-address-error"' in r.text
    r = await post(
        client,
        f"/ho-so-cua-toi/{draft}/nhan-ket-qua",
        {"result_channel": "post", "address": "Số 8 đường Phan Chu Trinh, phường Trấn Biên"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/kiem-tra")
    r = await client.get(f"/ho-so-cua-toi/{draft}/kiem-tra")
    assert "Hộ kinh doanh Mai Vàng" in r.text and "80.000.000 đ" in r.text and "04/03/1990" in r.text, main(r)
    assert "Số 8 đường Phan Chu Trinh" in r.text and "don.pdf" in r.text
    assert f"/ho-so-cua-toi/{draft}/trang/owner?tu=kiem-tra#f-owner_name" in r.text
    assert "đ" in r.text.split("<h2>", 5)[-1]
    # a change from check-answers comes back to check-answers
    r = await post(
        client,
        f"/ho-so-cua-toi/{draft}/trang/business",
        {**BUSINESS_PAGE, "employees": "4", "tu": "kiem-tra"},
    )
    assert r.headers["location"].endswith("/kiem-tra")
    version = str((await service.get(int(draft))).version)
    first = await post(client, f"/ho-so-cua-toi/{draft}/nop", {"version": version})
    second = await post(client, f"/ho-so-cua-toi/{draft}/nop", {"version": version})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    d = await service.get(int(draft))
    assert (
        d.state == "submitted" and d.code and first.headers["location"] == f"/ho-so-cua-toi/{d.code}/da-nop"
    )
    assert d.result_channel == "post" and d.data["employees"] == 4
    assert await Dossier.count() == 1
    assert await DossierEvent.count().where(DossierEvent.action == "submit") == 1
    r = await client.get(first.headers["location"])
    assert r.status_code == 200 and d.code in r.text
    r = await client.get("/ho-so-cua-toi")
    assert d.code in r.text


async def test_my_list_holds_counter_dossiers_of_my_cccd_and_only_mine(client, world):
    w = world
    clerk = await actor(w["receiver"])
    counter = await service.create(
        HOUSEHOLD,
        w["tree"]["ward"]["id"],
        actor=clerk,
        applicant={"name": "Lê Thị Mai", "id_number": OWNER_CCCD},
        data={**OWNER_PAGE, **BUSINESS_PAGE},
        channel="truc_tiep",
    )
    counter = await service.receive(counter.id, actor=clerk, version=counter.version)
    # a CCCD only typed at registration opens nobody's counter dossiers: anyone could type a neighbour's
    await login_as(client, w["citizen"])
    assert counter.code not in (await client.get("/ho-so-cua-toi")).text
    assert (await client.get(f"/ho-so-cua-toi/{counter.code}")).status_code == 404
    # proven by the national e-ID, the same CCCD does
    await User.update({User.eid_verified_at: datetime.now(UTC)}).where(User.id == w["citizen"]["id"])
    r = await client.get("/ho-so-cua-toi")
    assert counter.code in r.text and w["tree"]["ward"]["name"] in r.text
    r = await client.get(f"/ho-so-cua-toi/{counter.code}")
    assert r.status_code == 200 and counter.code in r.text
    assert "/rut" not in r.text, "a dossier opened at the counter is withdrawn at the counter"
    client.cookies.clear()
    await login_as(client, w["other"])
    assert counter.code not in (await client.get("/ho-so-cua-toi")).text
    assert (await client.get(f"/ho-so-cua-toi/{counter.code}")).status_code == 404
