"""Every business-registration procedure end to end through the JSON API: submit, receive, each route step
by the right role at the right agency (the wrong ones get 403, or 404 where they may not read the
dossier), the tax code issued by the tax step in parallel with the registry's review, the register
written at approval, the result PDF, return."""

from __future__ import annotations

import re

import pytest

from core.catalogue.service import set_enabled
from core.documents.qr import status_url
from plugins.business_reg import procedures, taxcode
from plugins.business_reg.tables import (
    Business,
    BusinessHistory,
    BusinessLine,
    BusinessOwner,
    TaxCodeReservation,
)
from tests.fixtures.builders import login_as, standard_tree
from tests.integration.test_documents_builders import pdf_text, qr_payloads
from tests.plugins.business_reg.registry_fixtures import (
    BIZREG,
    CENTRE,
    EXISTING_CODE,
    EXISTING_REP,
    HOUSEHOLD_OWNER,
    WARD,
    Actors,
    seed_register,
)

API = "/api/v1/dossiers"

OWNER = {
    "name": "Lê Thị Mai",
    "id_number": "075190001122",
    "phone": "0987654321",
    "address": "Tổ 5, khu phố 1, phường Trấn Biên",
}
FOUNDER = {
    "name": "Trần Quốc Việt",
    "id_number": "075088003344",
    "phone": "0911222333",
    "address": "Số 12 đường Võ Thị Sáu, phường Trấn Biên",
}

HOUSEHOLD_DATA = {
    "owner_name": OWNER["name"],
    "owner_cccd": OWNER["id_number"],
    "owner_birth_date": "1990-03-04",
    "owner_phone": OWNER["phone"],
    "owner_address": OWNER["address"],
    "business_name": "Hộ kinh doanh Mai Vàng",
    "business_address": "Số 8 đường Phan Chu Trinh, phường Trấn Biên",
    "business_lines": "5610, 5630",
    "capital": 80_000_000,
    "employees": 3,
}
ENTERPRISE_DATA = {
    "enterprise_type": "tnhh1",
    "company_name": "Công ty TNHH Kỹ thuật Biên Hòa Xanh",
    "company_name_en": "",
    "head_office": "Số 12 đường Võ Thị Sáu, phường Trấn Biên, tỉnh Đồng Nai",
    "company_phone": "02513822333",
    "company_email": "",
    "charter_capital": 1_500_000_000,
    "business_lines": "6201, 6202, 4651",
    "rep_name": FOUNDER["name"],
    "rep_cccd": FOUNDER["id_number"],
    "rep_birth_date": "1988-09-12",
    "rep_phone": FOUNDER["phone"],
    "rep_address": FOUNDER["address"],
}


@pytest.fixture
async def world(db):
    tree = await standard_tree()
    register = await seed_register(tree)
    for code in procedures.CODES:
        for key in ("ward", "centre", "bizreg"):
            await set_enabled(code, tree[key]["id"], True)
    a = Actors(tree)
    await a.add("owner", None, None, cccd=OWNER["id_number"])
    await a.add("founder", None, None, cccd=FOUNDER["id_number"])
    await a.add("director", None, None, cccd=EXISTING_REP["cccd"])
    await a.add("ward_receiver", "ward", "receiver")
    await a.add("ward_specialist", "ward", "specialist")
    await a.add("ward_chairman", "ward", "approver")
    await a.add("commune_specialist", "commune", "specialist")
    await a.add("centre_receiver", "centre", "receiver")
    await a.add("registry_specialist", "bizreg", "specialist")
    await a.add("registry_head", "bizreg", "approver")
    await a.add("tax_officer", "tax", "specialist")
    await a.add("tax_head", "tax", "approver")
    return {"tree": tree, "register": register, "actors": a}


async def _create(client, a: Actors, who: str, procedure: str, agency_code: str, applicant: dict, data: dict):
    return await client.post(
        API,
        json={
            "procedure_code": procedure,
            "agency_code": agency_code,
            "applicant": applicant,
            "data": data,
            "channel": "truc_tuyen",
        },
        headers=a.h(who),
    )


async def _submit_receive(
    client, a: Actors, who: str, procedure: str, agency_code: str, applicant: dict, data: dict, receiver: str
) -> dict:
    r = await _create(client, a, who, procedure, agency_code, applicant, data)
    assert r.status_code == 201, r.text
    d = r.json()
    r = await client.post(f"{API}/{d['id']}/submit", json={"version": d["version"]}, headers=a.h(who))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "submitted" and d["code"].startswith(agency_code + "-")
    r = await client.post(f"{API}/{d['code']}/receive", json={"version": d["version"]}, headers=a.h(receiver))
    assert r.status_code == 200, r.text
    return r.json()


def _active(d: dict) -> list[dict]:
    return [s for s in d["steps"] if s["status"] == "active"]


async def _act(
    client,
    a: Actors,
    who: str,
    d: dict,
    step_id: str,
    action: str = "complete_step",
    expect: int = 200,
    **extra,
) -> dict:
    step = next(s for s in _active(d) if s["step_id"] == step_id)
    r = await client.post(
        f"{API}/{d['code']}/actions/{action}",
        json={"version": d["version"], "step_id": step["id"], "note": "", **extra},
        headers=a.h(who),
    )
    assert r.status_code == expect, (who, step_id, r.text)
    return r.json() if expect == 200 else d


async def _result_pdf(client, a: Actors, who: str, d: dict, kind: str) -> bytes:
    """Render the queued result document (the job, in-process) and download it as its applicant."""
    from core.documents.tables import GeneratedDocument
    from core.documents.tasks import render_document

    doc = (
        await GeneratedDocument.select(GeneratedDocument.id)
        .where((GeneratedDocument.dossier == d["id"]) & (GeneratedDocument.kind == f"result:{kind}"))
        .first()
    )
    assert doc is not None, kind
    await render_document({}, document_id=doc["id"])
    await login_as(client, a.users[who])  # the download page is a web page: a signed-in session
    try:
        r = await client.get(f"/ho-so/{d['code']}/tai-lieu/{doc['id']}.pdf")
    finally:
        client.cookies.clear()
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    return r.content


async def _ready_and_return(client, a: Actors, receiver: str, d: dict, person: dict) -> dict:
    from core.fees import service as fees

    r = await client.post(
        f"{API}/{d['code']}/actions/mark_result_ready", json={"version": d["version"]}, headers=a.h(receiver)
    )
    assert r.status_code == 200, r.text
    d = r.json()
    if balance := await fees.balance_due(d["id"]):
        await fees.record_payment(d["id"], actor=None, method="cash", amount=balance)
    r = await client.post(
        f"{API}/{d['code']}/actions/return_result",
        json={
            "version": d["version"],
            "channel": "counter",
            "receiver": {"name": person["name"], "id_number": person["id_number"]},
        },
        headers=a.h(receiver),
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "returned"
    return d


async def test_household_business_at_the_ward_with_the_tax_code(client, world, tmp_path):
    a = world["actors"]
    d = await _submit_receive(
        client, a, "owner", procedures.HOUSEHOLD, WARD, OWNER, HOUSEHOLD_DATA, "ward_receiver"
    )
    route = [(s["step_id"], s["agency"]["code"], s["role"]) for s in d["steps"]]
    assert route == [
        ("review", WARD, "specialist"),
        ("tax_code", "000.40.01.H39", "specialist"),
        ("sign", WARD, "approver"),
    ]
    await _act(client, a, "commune_specialist", d, "review", expect=404)  # another commune: may not read it
    await _act(client, a, "ward_chairman", d, "review", expect=403)  # wrong role
    d = await _act(client, a, "ward_specialist", d, "review")
    await _act(client, a, "ward_specialist", d, "tax_code", expect=403)
    d = await _act(client, a, "tax_officer", d, "tax_code")
    reserved = await TaxCodeReservation.select().where(TaxCodeReservation.dossier_code == d["code"]).first()
    assert taxcode.is_valid(reserved["code"])
    await _act(client, a, "ward_specialist", d, "sign", "approve", expect=403)
    d = await _act(client, a, "ward_chairman", d, "sign", "approve")
    assert d["state"] == "result_approved"
    biz = await Business.select().where(Business.dossier_code == d["code"]).first()
    assert (
        biz["kind"] == "household"
        and biz["code"] == reserved["code"]
        and biz["name"] == "Hộ kinh doanh Mai Vàng"
    )
    assert biz["agency_id"] == world["tree"]["ward"]["id"] and biz["charter_capital"] == 80_000_000
    owner = await BusinessOwner.select().where(BusinessOwner.business == biz["id"]).first()
    assert owner["role"] == "owner" and owner["cccd"] == OWNER["id_number"]
    lines = await BusinessLine.select().where(BusinessLine.business == biz["id"]).order_by(BusinessLine.id)
    assert [(x["vsic"], x["main"]) for x in lines] == [("5610", True), ("5630", False)]
    pdf = await _result_pdf(client, a, "owner", d, "household_certificate")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH" in text and f"Mã số hộ kinh doanh: {biz['code']}" in text
    assert "Hộ kinh doanh Mai Vàng" in text and d["code"] in text
    status, verify = sorted(qr_payloads(pdf, tmp_path), key=lambda u: "/xac-minh/" in u)
    assert status == status_url(d["code"], d["lookup_key"])  # the dossier's progress, with its key
    assert re.search(r"/xac-minh/[A-Za-z0-9_-]{20,32}$", verify)  # the certificate's own verification
    await _ready_and_return(client, a, "ward_receiver", d, OWNER)


async def test_enterprise_across_the_centre_the_registry_and_tax_in_parallel(client, world):
    a = world["actors"]
    d = await _submit_receive(
        client, a, "founder", procedures.ENTERPRISE, CENTRE, FOUNDER, ENTERPRISE_DATA, "centre_receiver"
    )
    active = sorted((s["step_id"], s["agency"]["code"]) for s in _active(d))
    assert active == [("review", BIZREG), ("tax_code", "000.40.01.H39")]  # in parallel
    await _act(client, a, "centre_receiver", d, "review", expect=403)
    await _act(client, a, "tax_officer", d, "review", expect=403)
    await _act(client, a, "registry_specialist", d, "tax_code", expect=403)
    await _act(client, a, "tax_head", d, "tax_code", expect=403)
    d = await _act(client, a, "tax_officer", d, "tax_code")  # tax finishes first: the review is still open
    assert [s["step_id"] for s in _active(d)] == ["review"]
    d = await _act(client, a, "registry_specialist", d, "review")
    assert [s["step_id"] for s in _active(d)] == ["sign"]
    await _act(client, a, "registry_specialist", d, "sign", "approve", expect=403)
    await _act(client, a, "tax_head", d, "sign", "approve", expect=403)
    d = await _act(client, a, "registry_head", d, "sign", "approve")
    assert d["state"] == "result_approved"
    code = (await TaxCodeReservation.select().where(TaxCodeReservation.dossier_code == d["code"]).first())[
        "code"
    ]
    biz = await Business.select().where(Business.code == code).first()
    assert (
        biz["kind"] == "enterprise"
        and biz["enterprise_type"] == "tnhh1"
        and biz["charter_capital"] == 1_500_000_000
    )
    rep = await BusinessOwner.select().where(BusinessOwner.business == biz["id"]).first()
    assert rep["role"] == "representative" and rep["full_name"] == FOUNDER["name"]
    assert await _result_pdf(client, a, "founder", d, "enterprise_certificate")
    assert await _result_pdf(client, a, "founder", d, "tax_code_notice")
    await _ready_and_return(client, a, "centre_receiver", d, FOUNDER)


CHANGE_DATA = {
    "enterprise_code": EXISTING_CODE,
    "rep_cccd": EXISTING_REP["cccd"],
    "change_kind": "address",
    "new_address": "Số 99 đường Đồng Khởi, phường Trấn Biên, tỉnh Đồng Nai",
}
DIRECTOR = {"name": EXISTING_REP["name"], "id_number": EXISTING_REP["cccd"], "phone": "0913000111"}


async def test_change_of_head_office(client, world):
    a = world["actors"]
    d = await _submit_receive(
        client, a, "director", procedures.CHANGE, CENTRE, DIRECTOR, CHANGE_DATA, "centre_receiver"
    )
    assert [(s["step_id"], s["agency"]["code"]) for s in _active(d)] == [("review", BIZREG)]
    await _act(client, a, "tax_officer", d, "review", expect=404)  # tax is not on this route: may not read it
    d = await _act(client, a, "registry_specialist", d, "review")
    await _act(client, a, "registry_specialist", d, "sign", "approve", expect=403)
    d = await _act(client, a, "registry_head", d, "sign", "approve")
    biz = await Business.select().where(Business.code == EXISTING_CODE).first()
    assert biz["address"] == CHANGE_DATA["new_address"]
    hist = await BusinessHistory.select().where(BusinessHistory.dossier_code == d["code"]).first()
    assert hist is not None
    assert await _result_pdf(client, a, "director", d, "enterprise_certificate")
    await _ready_and_return(client, a, "centre_receiver", d, DIRECTOR)


async def _errors(r) -> dict[str, str]:
    assert r.status_code == 422, r.text
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_bad_input_is_refused_at_the_field(client, world):
    a = world["actors"]
    bad = {
        **ENTERPRISE_DATA,
        "business_lines": "6201, 9999",
        "rep_cccd": "07508800334",
        "charter_capital": 500,
        "rep_birth_date": "2015-01-01",
        "rep_phone": "12345",
    }
    errors = await _errors(await _create(client, a, "founder", procedures.ENTERPRISE, CENTRE, FOUNDER, bad))
    assert "9999" in errors["business_lines"]
    assert "12 chữ số" in errors["rep_cccd"]
    assert "charter_capital" in errors and "18 tuổi" in errors["rep_birth_date"] and "rep_phone" in errors
    for name in ("Công ty cổ phần Biên Hòa Xanh", "Biên Hòa Xanh", "Công ty TNHH"):
        errors = await _errors(
            await _create(
                client,
                a,
                "founder",
                procedures.ENTERPRISE,
                CENTRE,
                FOUNDER,
                {**ENTERPRISE_DATA, "company_name": name},
            )
        )
        assert "Công ty TNHH" in errors["company_name"] and "Điều 37" in errors["company_name"]
    bad = {**HOUSEHOLD_DATA, "business_name": "Quán Mai Vàng"}
    errors = await _errors(await _create(client, a, "owner", procedures.HOUSEHOLD, WARD, OWNER, bad))
    assert "Hộ kinh doanh" in errors["business_name"]
    errors = await _errors(
        await _create(
            client,
            a,
            "director",
            procedures.CHANGE,
            CENTRE,
            DIRECTOR,
            {**CHANGE_DATA, "enterprise_code": EXISTING_CODE[:9] + str((int(EXISTING_CODE[9]) + 1) % 10)},
        )
    )
    assert "chữ số kiểm tra" in errors["enterprise_code"]


async def test_name_clash_names_the_registered_business_but_no_person(client, world):
    a = world["actors"]
    for name, etype, how in (
        ("Công ty cổ phần Sông Đồng Nai", "cp", "trùng"),
        ("Công ty TNHH Sông Đồng Nai Mới", "tnhh2", "gây nhầm lẫn"),
        ("CÔNG TY TNHH SONG DONG NAI 2", "tnhh1", "gây nhầm lẫn"),
    ):
        r = await _create(
            client,
            a,
            "founder",
            procedures.ENTERPRISE,
            CENTRE,
            FOUNDER,
            {**ENTERPRISE_DATA, "company_name": name, "enterprise_type": etype},
        )
        errors = await _errors(r)
        assert how in errors["company_name"] and EXISTING_CODE in errors["company_name"]
        assert "Công ty TNHH Sông Đồng Nai" in errors["company_name"]
        assert EXISTING_REP["name"] not in r.text and EXISTING_REP["cccd"] not in r.text
    # A household name is unique within its commune: the same name at the ward is refused, without the owner.
    r = await _create(
        client,
        a,
        "owner",
        procedures.HOUSEHOLD,
        WARD,
        OWNER,
        {**HOUSEHOLD_DATA, "business_name": "Hộ kinh doanh Thu Hương"},
    )
    errors = await _errors(r)
    assert "Hộ kinh doanh Thu Hương" in errors["business_name"]
    assert HOUSEHOLD_OWNER["name"] not in r.text and HOUSEHOLD_OWNER["cccd"] not in r.text


async def test_look_alike_letters_do_not_pass_the_duplicate_name_check(client, world):
    """Rule (security review, issue 7): ETH U+00D0 for Đ or Cyrillic letters do not make a registered
    name new: the check refuses it like the name itself, naming the registered business."""
    a = world["actors"]
    for name in ("Công ty cổ phần Sông \u00d0ồng Nai", "Công ty cổ phần Sông Đồng N\u0430\u0456"):
        r = await _create(
            client,
            a,
            "founder",
            procedures.ENTERPRISE,
            CENTRE,
            FOUNDER,
            {**ENTERPRISE_DATA, "company_name": name, "enterprise_type": "cp"},
        )
        errors = await _errors(r)
        assert "trùng" in errors["company_name"] and EXISTING_CODE in errors["company_name"], name


async def test_change_only_by_the_registered_representative(client, world):
    a = world["actors"]
    r = await _create(
        client,
        a,
        "founder",
        procedures.CHANGE,
        CENTRE,
        FOUNDER,
        {**CHANGE_DATA, "rep_cccd": FOUNDER["id_number"]},
    )
    errors = await _errors(r)
    assert EXISTING_CODE in errors["rep_cccd"] and "người đại diện" in errors["rep_cccd"]
    assert EXISTING_REP["name"] not in r.text and EXISTING_REP["cccd"] not in r.text
    unknown = taxcode.make("36", 9_000_050)
    errors = await _errors(
        await _create(
            client,
            a,
            "director",
            procedures.CHANGE,
            CENTRE,
            DIRECTOR,
            {**CHANGE_DATA, "enterprise_code": unknown},
        )
    )
    assert unknown in errors["enterprise_code"] and "Không tìm thấy" in errors["enterprise_code"]


async def test_two_dossiers_for_one_name_the_second_approval_is_refused(client, world):
    a = world["actors"]
    first = await _submit_receive(
        client, a, "founder", procedures.ENTERPRISE, CENTRE, FOUNDER, ENTERPRISE_DATA, "centre_receiver"
    )
    second = await _submit_receive(
        client,
        a,
        "founder",
        procedures.ENTERPRISE,
        CENTRE,
        FOUNDER,
        {
            **ENTERPRISE_DATA,
            "company_name": "Công ty cổ phần Kỹ thuật Biên Hòa Xanh",
            "enterprise_type": "cp",
        },
        "centre_receiver",
    )
    for d in (first, second):
        d = await _act(client, a, "tax_officer", d, "tax_code")
        d = await _act(client, a, "registry_specialist", d, "review")
        if d["id"] == first["id"]:
            first = d
        else:
            second = d
    d = await _act(client, a, "registry_head", first, "sign", "approve")
    assert d["state"] == "result_approved"
    r = await client.post(
        f"{API}/{second['code']}/actions/approve",
        json={"version": second["version"], "step_id": _active(second)[0]["id"], "note": ""},
        headers=a.h("registry_head"),
    )
    assert r.status_code == 409, r.text
    assert "Kỹ thuật Biên Hòa Xanh" in r.text and FOUNDER["id_number"] not in r.text
    assert await Business.count().where(Business.name_key.like("%bien hoa xanh%")) == 1


async def test_rejection_and_return_to_the_previous_stage(client, world):
    a = world["actors"]
    d = await _submit_receive(
        client, a, "owner", procedures.HOUSEHOLD, WARD, OWNER, HOUSEHOLD_DATA, "ward_receiver"
    )
    d = await _act(client, a, "ward_specialist", d, "review")
    d = await _act(client, a, "tax_officer", d, "tax_code")
    d = await _act(
        client, a, "ward_chairman", d, "sign", "return_step", note="Bổ sung địa điểm kinh doanh chi tiết"
    )
    assert [s["step_id"] for s in _active(d)] == ["tax_code"]
    d = await _act(client, a, "tax_officer", d, "tax_code")
    d = await _act(
        client,
        a,
        "ward_chairman",
        d,
        "sign",
        "reject",
        note="Địa điểm kinh doanh thuộc khu vực cấm kinh doanh",
    )
    assert d["state"] == "result_refused"
    assert not await Business.exists().where(Business.dossier_code == d["code"])


async def test_staff_panel_on_the_dossier_page(client, world):
    a = world["actors"]
    d = await _submit_receive(
        client, a, "owner", procedures.HOUSEHOLD, WARD, OWNER, HOUSEHOLD_DATA, "ward_receiver"
    )
    d = await _act(client, a, "ward_specialist", d, "review")
    d = await _act(client, a, "tax_officer", d, "tax_code")
    code = (await TaxCodeReservation.select().where(TaxCodeReservation.dossier_code == d["code"]).first())[
        "code"
    ]
    await login_as(client, a.users["ward_specialist"])
    r = await client.get(f"/ho-so/{d['code']}")
    assert r.status_code == 200
    assert (
        "Sổ đăng ký kinh doanh" in r.text
        and "Chưa có tên trùng hoặc gây nhầm lẫn" in r.text
        and code in r.text
    )
    client.cookies.clear()
    await login_as(client, a.users["owner"])
    r = await client.get(f"/ho-so/{d['code']}")
    assert r.status_code == 200 and "Kiểm tra tên với sổ đăng ký" not in r.text
    client.cookies.clear()
    d = await _submit_receive(
        client, a, "director", procedures.CHANGE, CENTRE, DIRECTOR, CHANGE_DATA, "centre_receiver"
    )
    await login_as(client, a.users["registry_specialist"])
    r = await client.get(f"/ho-so/{d['code']}")
    assert "Công ty TNHH Sông Đồng Nai" in r.text and EXISTING_REP["name"] in r.text


async def test_online_change_must_be_filed_by_the_representative_himself(client, world):
    a = world["actors"]
    # The founder knows the director's ID number, but is signed in as himself: refused at the field.
    r = await _create(client, a, "founder", procedures.CHANGE, CENTRE, DIRECTOR, CHANGE_DATA)
    errors = await _errors(r)
    assert "không phải của người đại diện" in errors["rep_cccd"] and EXISTING_REP["name"] not in r.text
    # At the counter the clerk files it for an authorised person (the authorisation is checked on paper).
    r = await _create(client, a, "centre_receiver", procedures.CHANGE, CENTRE, DIRECTOR, CHANGE_DATA)
    assert r.status_code == 201, r.text
