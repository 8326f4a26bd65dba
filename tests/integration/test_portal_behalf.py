"""Applying on someone else's behalf from the pages (issue 10): on the portal the signed-in account says
it applies for someone else, names that person and the authorisation, uploads the authorisation's scan,
and form 01 prints both; at the counter the clerk types the authorised person in an optional section."""

from __future__ import annotations

import pytest

from core.documents import service as documents
from core.documents.tables import GeneratedDocument
from core.documents.tasks import render_document
from core.dossiers import service
from core.dossiers.tables import Dossier
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import actor
from tests.integration.test_documents_builders import pdf_text
from tests.integration.test_portal_apply import (
    BUSINESS_PAGE,
    HOUSEHOLD,
    OWNER_PAGE,
    main,
    make_world,
    pdf_bytes,
    post,
    upload,
)

PRINCIPAL_CCCD = "075190001234"
AUTHORISATION = "Giấy ủy quyền số 15/2026 ngày 28/11/2026, chứng thực tại UBND phường Trấn Biên"


@pytest.fixture
async def world(db):
    return await make_world()


async def _form01_text(dossier_id: int, tmp_path) -> str:
    form01 = (
        await GeneratedDocument.select(GeneratedDocument.id)
        .where((GeneratedDocument.dossier == dossier_id) & (GeneratedDocument.kind == "form01"))
        .first()
    )
    await render_document({}, document_id=form01["id"])
    pdf = documents.read_file(await documents.get_document(form01["id"]))
    (tmp_path / "form01-behalf.pdf").write_bytes(pdf)
    return " ".join(pdf_text(pdf, tmp_path).split())


async def test_portal_applies_for_someone_else_and_form01_prints_both(client, world, tmp_path):
    w = world
    await login_as(client, w["citizen"])
    r = await client.get(f"/thu-tuc/{HOUSEHOLD}/nop")
    assert 'name="for" value="other"' in r.text and "Nộp thay người khác" in r.text, main(r)
    r = await post(
        client, f"/thu-tuc/{HOUSEHOLD}/nop", {"agency": str(w["tree"]["ward"]["id"]), "for": "other"}
    )
    assert r.status_code == 303 and r.headers["location"].endswith("/nguoi-uy-quyen"), r.text
    draft = r.headers["location"].split("/")[2]
    url = f"/ho-so-cua-toi/{draft}/nguoi-uy-quyen"
    # the authorisation missing, and the applicant's CCCD the account's own: at the fields, typed kept
    r = await post(client, url, {"applicant.name": "Trần Thị Bình", "applicant.id_number": "12"})
    assert r.status_code == 422 and 'id="f-applicant.id_number-error"' in r.text, main(r)
    assert 'value="Trần Thị Bình"' in r.text
    r = await post(
        client,
        url,
        {
            "applicant.name": "Trần Thị Bình",
            "applicant.id_number": OWNER_PAGE["owner_cccd"],
            "representative.document": AUTHORISATION,
        },
    )
    assert r.status_code == 422 and "cùng một người" in r.text
    r = await post(client, url, {"applicant.name": "x" * 300, "applicant.id_number": PRINCIPAL_CCCD})
    assert r.status_code == 422 and 'id="f-applicant.name-error"' in r.text
    d = await service.get(int(draft))
    assert "representative" not in d.data and d.applicant_name == "Lê Thị Mai", "nothing saved on error"
    ok = {
        "applicant.name": "Trần Thị Bình",
        "applicant.id_number": PRINCIPAL_CCCD,
        "applicant.address": "Số 5 Võ Thị Sáu, phường Trấn Biên",
        "representative.address": "Số 9 Hà Huy Giáp",
        "representative.document": AUTHORISATION,
    }
    r = await post(client, url, ok)
    assert r.status_code == 303 and r.headers["location"].endswith("/trang/owner")
    d = await service.get(int(draft))
    assert (d.applicant_name, d.applicant_id_number) == ("Trần Thị Bình", PRINCIPAL_CCCD)
    assert d.applicant_id == w["citizen"]["id"], "the representative's account owns the draft"
    rep = d.data["representative"]
    assert (rep["name"], rep["id_number"], rep["document"]) == (
        "Lê Thị Mai",
        OWNER_PAGE["owner_cccd"],
        AUTHORISATION,
    )
    # the form's first page goes back to the principal page; the page shows what was saved
    r = await client.get(f"/ho-so-cua-toi/{draft}/trang/owner")
    assert f'href="{url}"' in r.text
    assert 'value="Trần Thị Bình"' in (await client.get(url)).text
    await post(
        client,
        f"/ho-so-cua-toi/{draft}/trang/owner",
        {**OWNER_PAGE, "owner_name": "Trần Thị Bình", "owner_cccd": PRINCIPAL_CCCD},
    )
    await post(client, f"/ho-so-cua-toi/{draft}/trang/business", BUSINESS_PAGE)
    await upload(client, draft, "application", "don.pdf", pdf_bytes(1))
    files = await client.get(f"/ho-so-cua-toi/{draft}/giay-to")
    assert 'id="f-file-van_ban_uy_quyen"' in files.text
    check = await client.get(f"/ho-so-cua-toi/{draft}/kiem-tra")
    assert "Tải lên văn bản ủy quyền" in check.text and AUTHORISATION in check.text, main(check)
    version = str((await service.get(int(draft))).version)
    assert (await post(client, f"/ho-so-cua-toi/{draft}/nop", {"version": version})).status_code == 422
    assert (await upload(client, draft, "van_ban_uy_quyen", "uq.pdf", pdf_bytes(1))).status_code == 303
    version = str((await service.get(int(draft))).version)
    r = await post(client, f"/ho-so-cua-toi/{draft}/nop", {"version": version})
    assert r.status_code == 303 and r.headers["location"].endswith("/da-nop")
    d = await service.get(int(draft))
    record = await client.get(f"/ho-so-cua-toi/{d.code}/bien-nhan.pdf")
    assert "Người được ủy quyền nộp hồ sơ: Lê Thị Mai" in " ".join(pdf_text(record.content, tmp_path).split())
    clerk = await actor(w["receiver"])
    d = await service.receive(d.id, actor=clerk, version=d.version)
    text = await _form01_text(d.id, tmp_path)
    assert "Ông/Bà: Trần Thị Bình" in text and PRINCIPAL_CCCD in text
    assert "Người được ủy quyền: Lê Thị Mai" in text and OWNER_PAGE["owner_cccd"] in text
    assert "Giấy ủy quyền số 15/2026" in text


async def test_back_to_applying_for_oneself_drops_the_representative(client, world):
    w = world
    await login_as(client, w["citizen"])
    r = await post(
        client, f"/thu-tuc/{HOUSEHOLD}/nop", {"agency": str(w["tree"]["ward"]["id"]), "for": "other"}
    )
    draft = r.headers["location"].split("/")[2]
    url = f"/ho-so-cua-toi/{draft}/nguoi-uy-quyen"
    await post(
        client,
        url,
        {
            "applicant.name": "Trần Thị Bình",
            "applicant.id_number": PRINCIPAL_CCCD,
            "representative.document": AUTHORISATION,
        },
    )
    assert (await upload(client, draft, "van_ban_uy_quyen", "uq.pdf", pdf_bytes(1))).status_code == 303
    r = await post(client, url, {"_action": "self"})
    assert r.status_code == 303 and r.headers["location"].endswith("/trang/owner")
    d = await service.get(int(draft))
    assert "representative" not in d.data and d.applicant_id_number == OWNER_PAGE["owner_cccd"]
    assert "uq.pdf" not in (await client.get(f"/ho-so-cua-toi/{draft}/giay-to")).text
    # somebody else reaches neither page
    client.cookies.clear()
    await login_as(client, w["other"])
    assert (await client.get(url)).status_code == 404
    assert (await post(client, url, {"_action": "self"})).status_code == 404
    assert await Dossier.count() == 1


@pytest.fixture
async def desk(db, demo_plugin):
    from core.catalogue.service import set_enabled
    from tests.fixtures.builders import grant, make_user, standard_tree
    from tests.fixtures.catalogue_plugin import BIRTH

    tree = await standard_tree()
    await set_enabled(BIRTH, tree["ward"]["id"], True)
    clerk = await make_user("thu", full_name="Phạm Thị Thu")
    await grant(clerk, tree["ward"], "receiver")
    return {"tree": tree, "clerk": clerk}


async def test_counter_intake_records_an_authorised_person_on_form01(client, desk, tmp_path):
    from tests.integration.test_counter import _intake_form

    await login_as(client, desk["clerk"])
    blank = await client.get("/quay/tiep-nhan", params={"thu_tuc": "9.000101"})
    assert 'name="representative.document"' in blank.text and "<details" in blank.text
    # a representative typed without the authorisation: at the field, the section open, all typed kept
    rep = {"representative.name": "Lê Văn Cường", "representative.id_number": "079089001234"}
    bad = await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive", **rep))
    assert bad.status_code == 422 and 'id="f-representative.document-error"' in bad.text
    assert 'value="Lê Văn Cường"' in bad.text and '<details class="representative" open' in bad.text
    assert await Dossier.count() == 0
    rep["representative.document"] = AUTHORISATION
    ok = await client.post(
        "/quay/tiep-nhan", data=_intake_form(client, "receive", **rep), follow_redirects=False
    )
    assert ok.status_code == 303, ok.text
    d = await Dossier.select(Dossier.id, Dossier.data, Dossier.applicant_name).output(load_json=True).first()
    assert d["data"]["representative"]["name"] == "Lê Văn Cường" and d["applicant_name"] == "Nguyễn Thị Hằng"
    text = await _form01_text(d["id"], tmp_path)
    assert "Ông/Bà: Nguyễn Thị Hằng" in text and "Người được ủy quyền: Lê Văn Cường" in text
    assert "079089001234" in text and "Giấy ủy quyền số 15/2026" in text
    assert text.rstrip().count("Lê Văn Cường") == 2, "the representative signs as the person who hands it in"
    # without one, no representative is recorded
    plain = await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive"), follow_redirects=False)
    assert plain.status_code == 303
    last = (
        await Dossier.select(Dossier.data)
        .order_by(Dossier.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert "representative" not in last["data"]
