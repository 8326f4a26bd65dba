"""Every civil-status procedure end to end through the JSON API: create, submit, receive, each route step by
the right role at the right agency (the wrong ones get 403, or 404 where they may not read the dossier),
result written into the civil-status books inside the approval transaction, PDF requested, fees paid,
result returned.
The NĐ 63/2024 group-1 procedure crosses three agencies and yields three results."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.catalogue.service import set_enabled
from core.identity.api_auth import issue_token
from plugins.civil_status import procedures
from plugins.civil_status.dates import vn_today
from plugins.civil_status.tables import CivilBook, CivilEntry, CivilExtract, LinkedResult
from tests.fixtures.builders import grant, make_user, standard_tree
from tests.plugins.civil_status import samples

API = "/api/v1/dossiers"
WARD = "000.30.31.H39"
POLICE = "000.40.02.H39"
SOCIAL_INSURANCE = "000.40.03.H39"
MOTHER = {
    "name": "Trần Thị Thu Hà",
    "id_number": "075195001234",
    "phone": "0912345678",
    "address": "12 Phan Chu Trinh, phường Trấn Biên",
}


class Actors:
    def __init__(self, tree):
        self.tree = tree
        self.tokens: dict[str, str] = {}
        self.users: dict[str, dict] = {}

    async def add(self, key: str, agency: str | None, role: str | None, cccd: str | None = None):
        user = await make_user(key, full_name=key.replace("_", " ").title(), cccd=cccd)
        if agency:
            await grant(user, self.tree[agency], role)
        self.tokens[key] = await issue_token(user["id"], "test")
        self.users[key] = user
        return user

    def h(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}


@pytest.fixture
async def world(db):
    tree = await standard_tree()
    for code in procedures.CODES:
        for key in ("ward", "commune"):
            await set_enabled(code, tree[key]["id"], True)
    a = Actors(tree)
    await a.add("citizen", None, None, cccd=MOTHER["id_number"])
    await a.add("ward_receiver", "ward", "receiver")
    await a.add("ward_justice", "ward", "specialist")
    await a.add("ward_chairman", "ward", "approver")
    await a.add("commune_justice", "commune", "specialist")
    await a.add("police_officer", "police", "specialist")
    await a.add("insurance_officer", "social_insurance", "specialist")
    return {"tree": tree, "actors": a}


async def _start(client, a: Actors, procedure: str, data: dict, applicant=MOTHER, who="citizen") -> dict:
    r = await client.post(
        API,
        json={
            "procedure_code": procedure,
            "agency_code": WARD,
            "applicant": applicant,
            "data": data,
            "channel": "truc_tuyen",
        },
        headers=a.h(who),
    )
    assert r.status_code == 201, r.text
    d = r.json()
    r = await client.post(f"{API}/{d['id']}/submit", json={"version": d["version"]}, headers=a.h(who))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "submitted" and d["code"].startswith(WARD + "-")
    r = await client.post(
        f"{API}/{d['code']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    return r.json()


def _step(d: dict, step_id: str) -> dict:
    steps = [s for s in d["steps"] if s["status"] == "active" and s["step_id"] == step_id]
    assert len(steps) == 1, d["steps"]
    return steps[0]


async def _act(
    client, a: Actors, who: str, d: dict, action: str, step_id: str, expect: int = 200, **extra
) -> dict:
    step = _step(d, step_id)
    r = await client.post(
        f"{API}/{d['code']}/actions/{action}",
        json={"version": d["version"], "step_id": step["id"], "note": "", **extra},
        headers=a.h(who),
    )
    assert r.status_code == expect, (who, step_id, r.text)
    return r.json() if expect == 200 else d


async def _pay_and_return(client, a: Actors, d: dict, receiver: dict) -> dict:
    from core.fees import service as fees

    r = await client.post(
        f"{API}/{d['code']}/actions/mark_result_ready",
        json={"version": d["version"]},
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 200, r.text
    d = r.json()
    body = {"version": d["version"], "channel": "counter", "receiver": receiver}
    r = await client.post(f"{API}/{d['code']}/actions/return_result", json=body, headers=a.h("ward_receiver"))
    balance = await fees.balance_due(d["id"])
    if balance:
        assert r.status_code == 403 and "phí" in r.text, r.text
        await fees.record_payment(d["id"], actor=None, method="cash", amount=balance)
        r = await client.post(
            f"{API}/{d['code']}/actions/return_result", json=body, headers=a.h("ward_receiver")
        )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "returned"
    return d


async def _documents(dossier_id: int) -> list[dict]:
    from core.documents.tables import GeneratedDocument

    return await GeneratedDocument.select(GeneratedDocument.kind, GeneratedDocument.number).where(
        GeneratedDocument.dossier == dossier_id
    )


async def _result_pdf_text(client, a: Actors, who: str, d: dict, kind: str) -> str:
    """The result document of ``kind``, rendered by the job, downloaded by ``who`` (a signed-in
    session), read back: one A4 page of text (pdftotext) with the QR code (zbarimg) of the dossier's
    public status page."""
    import os
    import re
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from core.documents.tables import GeneratedDocument
    from core.documents.tasks import render_document
    from tests.fixtures.builders import login_as

    doc = (
        await GeneratedDocument.select()
        .where((GeneratedDocument.dossier == d["id"]) & (GeneratedDocument.kind == kind))
        .first()
    )
    assert doc is not None, kind
    if doc["status"] != "ready":
        await render_document({}, document_id=doc["id"])
    await login_as(client, a.users[who])
    r = await client.get(f"/ho-so/{d['code']}/tai-lieu/{doc['id']}.pdf")
    client.cookies.clear()
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text[:300]
    if shutil.which("pdftotext") is None or shutil.which("zbarimg") is None:
        pytest.skip("poppler-utils and zbar-tools are needed to read the PDF back")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "result.pdf"
        pdf.write_bytes(r.content)
        if keep := os.environ.get("MOTCUA_KEEP_PDFS"):  # to look at them: pdftoppm -r 60 -png
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / f"{kind.split(':')[-1]}-{d['code']}.pdf").write_bytes(r.content)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Pages:\s+1\n", info), info
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(Path(tmp) / "page")], check=True)
        qr = subprocess.run(
            ["zbarimg", "--quiet", "--raw", *map(str, sorted(Path(tmp).glob("page*.png")))],
            capture_output=True,
            text=True,
        ).stdout
    assert f"/tra-cuu/{d['code']}" in qr, qr
    return text


async def _same_day(client, a: Actors, d: dict) -> dict:
    """record (justice officer) → sign (chairman), with the wrong role and agency refused."""
    await _act(client, a, "ward_chairman", d, "complete_step", "record", expect=403)
    await _act(client, a, "commune_justice", d, "complete_step", "record", expect=404)  # may not read it
    d = await _act(client, a, "ward_justice", d, "complete_step", "record")
    await _act(client, a, "ward_justice", d, "approve", "sign", expect=403)
    d = await _act(client, a, "ward_chairman", d, "approve", "sign")
    assert d["state"] == "result_approved"
    return d


async def test_birth_registration_late_fee_then_returned(client, world):
    a = world["actors"]
    today = vn_today()
    data = samples.birth(today, child_birth_date=(today - timedelta(days=90)).isoformat(), extract_copies=1)
    d = await _start(client, a, procedures.BIRTH, data)
    assert [(s["step_id"], s["agency"]["code"], s["role"]) for s in d["steps"]] == [
        ("record", WARD, "specialist"),
        ("sign", WARD, "approver"),
    ]
    d = await _same_day(client, a, d)
    entry = await CivilEntry.select().where(CivilEntry.dossier_code == d["code"]).first()
    assert (
        entry["kind"] == "birth"
        and entry["entry_number"] == 1
        and entry["person_name"] == "Nguyễn Minh Khang"
    )
    extract = await CivilExtract.select().where(CivilExtract.entry == entry["id"]).first()
    assert extract["copies"] == 2
    assert {"kind": "result:birth_extract", "number": extract["number"]} in await _documents(d["id"])
    await _pay_and_return(client, a, d, {"name": MOTHER["name"], "id_number": MOTHER["id_number"]})


async def test_marriage_registration_and_conflict_refused_at_the_field(client, world):
    a = world["actors"]
    today = vn_today()
    d = await _start(client, a, procedures.MARRIAGE, samples.marriage(today, extract_copies=0))
    d = await _same_day(client, a, d)
    entry = await CivilEntry.select().where(CivilEntry.dossier_code == d["code"]).first()
    assert entry["kind"] == "marriage" and entry["status"] == "active"
    docs = await _documents(d["id"])
    assert any(doc["kind"] == "result:marriage_certificate" for doc in docs)
    text = await _result_pdf_text(client, a, "ward_chairman", d, "result:marriage_certificate")
    assert "GIẤY CHỨNG NHẬN KẾT HÔN" in text and "Lê Quốc Bảo" in text and "Phạm Ngọc Anh" in text
    book = await CivilBook.select(CivilBook.number).where(CivilBook.id == entry["book"]).first()
    assert f"Quyển số: {book['number']}" in text
    await _pay_and_return(client, a, d, {"name": "Lê Quốc Bảo", "id_number": "075096003311"})
    # the husband tries to marry again: 422 at his field, with the book/entry, nothing about the wife
    again = samples.marriage(today, wife_cccd="075198007777", wife_full_name="Võ Thị Lan")
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.MARRIAGE,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": again,
            "channel": "truc_tuyen",
        },
        headers=a.h("citizen"),
    )
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "Sổ đăng ký kết hôn quyển số 01/" in errors["husband_cccd"] and ", số 1" in errors["husband_cccd"]
    assert "Phạm Ngọc Anh" not in r.text and "075198004422" not in r.text


async def test_under_age_marriage_refused(client, world):
    a = world["actors"]
    today = vn_today()
    born = today - timedelta(days=19 * 366)
    cccd = f"075{0 if born.year < 2000 else 2}{born.year % 100:02d}003311"  # his CCCD matches his birth year
    young = samples.marriage(today, husband_birth_date=born.isoformat(), husband_cccd=cccd)
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.MARRIAGE,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": young,
            "channel": "truc_tuyen",
        },
        headers=a.h("citizen"),
    )
    assert r.status_code == 422, r.text
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "Bên nam chưa đủ 20 tuổi" in errors["husband_birth_date"]


async def test_marriage_with_verification_takes_its_own_route(client, world):
    a = world["actors"]
    d = await _start(client, a, procedures.MARRIAGE_VERIFY, samples.marriage(vn_today(), extract_copies=0))
    d = await _act(client, a, "ward_justice", d, "complete_step", "verify")
    d = await _act(client, a, "ward_justice", d, "complete_step", "record")
    d = await _act(client, a, "ward_chairman", d, "approve", "sign")
    assert d["state"] == "result_approved"
    assert await CivilEntry.count().where(CivilEntry.dossier_code == d["code"]) == 1


async def test_death_registration_ends_the_marriage(client, world):
    a = world["actors"]
    today = vn_today()
    m = await _start(client, a, procedures.MARRIAGE, samples.marriage(today, extract_copies=0))
    await _same_day(client, a, m)
    d = await _start(client, a, procedures.DEATH, samples.death(today))
    d = await _same_day(client, a, d)
    marriage = await CivilEntry.select().where(CivilEntry.dossier_code == m["code"]).first()
    assert marriage["status"] == "ended_death"
    assert any(doc["kind"] == "result:death_extract" for doc in await _documents(d["id"]))
    text = await _result_pdf_text(client, a, "citizen", d, "result:death_extract")
    assert "TRÍCH LỤC KHAI TỬ" in text and "Lê Quốc Bảo" in text
    await _pay_and_return(client, a, d, {"name": "Phạm Ngọc Anh", "id_number": "075198004422"})
    # a second death registration of the same person is refused at the field
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.DEATH,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": samples.death(today),
            "channel": "truc_tuyen",
        },
        headers=a.h("citizen"),
    )
    assert r.status_code == 422 and "deceased_cccd" in r.text


async def test_linked_birth_residence_health_insurance_across_three_agencies(client, world):
    a = world["actors"]
    d = await _start(client, a, procedures.BIRTH_LINKED, samples.birth_linked(vn_today()))
    assert [(s["stage"], s["step_id"], s["agency"]["code"]) for s in d["steps"]] == [
        (1, "birth", WARD),
        (2, "residence", POLICE),
        (2, "health_insurance", SOCIAL_INSURANCE),
    ]
    await _act(client, a, "police_officer", d, "complete_step", "birth", expect=404)  # not handed over yet
    d = await _act(client, a, "ward_justice", d, "complete_step", "birth")
    assert await CivilEntry.count().where(CivilEntry.dossier_code == d["code"]) == 1
    # stage 2 runs in parallel at the police and social insurance
    assert {s["step_id"] for s in d["steps"] if s["status"] == "active"} == {"residence", "health_insurance"}
    await _act(client, a, "insurance_officer", d, "complete_step", "residence", expect=403)
    await _act(client, a, "ward_justice", d, "complete_step", "residence", expect=403)
    d = await _act(client, a, "police_officer", d, "complete_step", "residence")
    assert d["state"] == "in_processing"
    d = await _act(client, a, "insurance_officer", d, "complete_step", "health_insurance")
    assert d["state"] == "result_approved"
    linked = await LinkedResult.select(LinkedResult.kind, LinkedResult.number).where(
        LinkedResult.dossier_code == d["code"]
    )
    assert sorted(r["kind"] for r in linked) == ["health_insurance", "residence"]
    kinds = sorted(doc["kind"] for doc in await _documents(d["id"]) if doc["kind"].startswith("result:"))
    assert kinds == ["result:birth_extract", "result:health_insurance_card", "result:residence_confirmation"]
    numbers = {r["kind"]: r["number"] for r in linked}
    entry = await CivilEntry.select().where(CivilEntry.dossier_code == d["code"]).first()
    text = await _result_pdf_text(client, a, "citizen", d, "result:birth_extract")
    book = await CivilBook.select(CivilBook.number).where(CivilBook.id == entry["book"]).first()
    assert (
        "TRÍCH LỤC KHAI SINH" in text
        and "Nguyễn Minh Khang" in text
        and f"Quyển số: {book['number']}" in text
    )
    text = await _result_pdf_text(client, a, "police_officer", d, "result:residence_confirmation")
    assert "Nguyễn Minh Khang" in text and numbers["residence"] in "".join(text.split())
    assert "CÔNG AN TỈNH ĐỒNG NAI" in text and "PHƯỜNG TRẤN BIÊN" not in text.split("CỘNG HÒA")[0]
    text = await _result_pdf_text(client, a, "insurance_officer", d, "result:health_insurance_card")
    assert "THẺ BẢO HIỂM Y TẾ" in text and numbers["health_insurance"] in "".join(text.split())
    assert "BẢO HIỂM XÃ HỘI TỈNH ĐỒNG NAI" in text
    d = await _pay_and_return(client, a, d, {"name": MOTHER["name"], "id_number": MOTHER["id_number"]})
    # Form 06 of the linked group: the commune that received it leads (no step of this route decides
    # for the others), the police and social insurance co-operate — never the police as the lead
    from core.documents import service as documents
    from core.identity.tables import Agency

    names = {
        r["code"]: r["name"]
        for r in await Agency.select(Agency.code, Agency.name).where(
            Agency.code.is_in([WARD, POLICE, SOCIAL_INSURANCE])
        )
    }
    sheet = (await documents.get_document(await documents.request_control_sheet(d["id"])))["context"]
    assert sheet["lead_agency"] == names[WARD]
    assert sheet["co_agencies"] == sorted([names[POLICE], names[SOCIAL_INSURANCE]])
    # the staff dossier page shows the civil-status panel with the birth entry and both linked results
    from tests.fixtures.builders import login_as

    await login_as(client, a.users["ward_justice"])
    page = await client.get(f"/ho-so/{d['code']}")
    assert page.status_code == 200, page.text
    assert "Sổ đăng ký khai sinh quyển số" in page.text and linked[0]["number"] in page.text
    events = (await client.get(f"{API}/{d['code']}/events", headers=a.h("citizen"))).json()
    assert [e["action"] for e in events][:3] == ["create", "submit", "receive"]
    assert events[-1]["action"] == "return_result"


async def test_counter_channel_and_field_errors(client, world):
    """At the counter the receiver creates and receives at once; declarative and cross-field errors
    come back as 422 at the field that caused them."""
    a = world["actors"]
    today = vn_today()
    bad = samples.death(today, deceased_cccd="12345", death_date=(today + timedelta(days=3)).isoformat())
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.DEATH,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": bad,
            "channel": "truc_tiep",
        },
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 422, r.text
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"deceased_cccd", "death_date"} <= fields
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.DEATH,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": samples.death(today),
            "channel": "truc_tiep",
        },
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 201, r.text
    d = r.json()
    r = await client.post(
        f"{API}/{d['id']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] in ("received", "in_processing") and d["code"].startswith(WARD + "-")
    d = await _same_day(client, a, d)
    await _pay_and_return(client, a, d, {"name": MOTHER["name"], "id_number": MOTHER["id_number"]})


@pytest.mark.parametrize(
    ("received_utc", "due_vn"),
    [
        ("2026-11-16T07:00:00+00:00", "2026-11-16T17:00"),  # Monday 14:00 in Vietnam: due the same day
        (
            "2026-11-16T08:30:00+00:00",
            "2026-11-17T17:00",
        ),  # Monday 15:30: after the 15:00 cut-off, next working day
        ("2026-11-20T09:00:00+00:00", "2026-11-23T17:00"),  # Friday 16:00: Monday
    ],
)
async def test_same_day_with_the_15h_cutoff(client, world, monkeypatch, received_utc, due_vn):
    from datetime import datetime, timezone

    import core.dossiers.engine as engine

    a = world["actors"]
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.BIRTH,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": samples.birth(vn_today()),
            "channel": "truc_tiep",
        },
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 201, r.text
    d = r.json()
    monkeypatch.setattr(engine, "utcnow", lambda: datetime.fromisoformat(received_utc))
    r = await client.post(
        f"{API}/{d['id']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    due = datetime.fromisoformat(r.json()["due_at"]).astimezone(timezone(timedelta(hours=7)))
    assert due.strftime("%Y-%m-%dT%H:%M") == due_vn


async def test_linked_route_sent_back_by_the_police_keeps_one_birth_entry(client, world):
    a = world["actors"]
    d = await _start(client, a, procedures.BIRTH_LINKED, samples.birth_linked(vn_today()))
    d = await _act(client, a, "ward_justice", d, "complete_step", "birth")
    d = await _act(
        client, a, "police_officer", d, "return_step", "residence", note="Địa chỉ thường trú chưa ghi số nhà"
    )
    assert {s["step_id"] for s in d["steps"] if s["status"] == "active"} == {"birth"}
    d = await _act(client, a, "ward_justice", d, "complete_step", "birth")
    d = await _act(client, a, "police_officer", d, "complete_step", "residence")
    d = await _act(client, a, "insurance_officer", d, "complete_step", "health_insurance")
    assert d["state"] == "result_approved"
    assert await CivilEntry.count().where(CivilEntry.dossier_code == d["code"]) == 1
    assert await CivilExtract.count() == 1


async def test_on_time_birth_at_the_counter_is_free_and_returned_without_payment(client, world):
    """Civil Status Law Art. 11: a birth registered within 60 days pays no fee; the receipt shows the
    exemption line with its reason, and the result is handed over with nothing to pay."""
    from core.fees import service as fees

    a = world["actors"]
    today = vn_today()
    data = samples.birth(today, child_birth_date=(today - timedelta(days=59)).isoformat())
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.BIRTH,
            "agency_code": WARD,
            "applicant": MOTHER,
            "data": data,
            "channel": "truc_tiep",
        },
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 201, r.text
    d = r.json()
    r = await client.post(
        f"{API}/{d['id']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    d = await _same_day(client, a, r.json())
    lines = await fees.fee_lines(d["id"])
    assert lines and all(line["amount"] == 0 for line in lines), lines
    assert any("đúng hạn" in str(line.get("exempt_reason") or "") for line in lines), lines
    assert await fees.balance_due(d["id"]) == 0
    text = await _result_pdf_text(client, a, "ward_justice", d, "result:birth_extract")
    assert "TRÍCH LỤC KHAI SINH" in text and "Nguyễn Minh Khang" in text
    d = await _pay_and_return(client, a, d, {"name": MOTHER["name"], "id_number": MOTHER["id_number"]})
    assert await fees.payments(d["id"]) == []


async def test_second_marriage_refused_at_approval_rolls_back(client, world):
    """Two marriage applications naming the same husband pass intake the same day; once the first is
    signed, the second signature is refused by the books (409, by book and entry, nothing about the
    first wife) and leaves no trace: same state, same version, no entry."""
    a = world["actors"]
    today = vn_today()
    first = await _start(client, a, procedures.MARRIAGE, samples.marriage(today, extract_copies=0))
    second = await _start(
        client,
        a,
        procedures.MARRIAGE,
        samples.marriage(today, extract_copies=0, wife_cccd="075198007777", wife_full_name="Võ Thị Lan"),
    )
    second = await _act(client, a, "ward_justice", second, "complete_step", "record")
    await _same_day(client, a, first)
    entries = await CivilEntry.count()
    r = await client.post(
        f"{API}/{second['code']}/actions/approve",
        json={"version": second["version"], "step_id": _step(second, "sign")["id"], "note": ""},
        headers=a.h("ward_chairman"),
    )
    assert r.status_code == 409, r.text
    assert (
        "Sổ đăng ký kết hôn quyển số" in r.text
        and "Phạm Ngọc Anh" not in r.text
        and "075198004422" not in r.text
    )
    again = (await client.get(f"{API}/{second['code']}", headers=a.h("ward_chairman"))).json()
    assert again["state"] == "in_processing" and again["version"] == second["version"]
    assert await CivilEntry.count() == entries
    assert await CivilEntry.count().where(CivilEntry.dossier_code == second["code"]) == 0


async def test_r49_linked_group_with_verification_takes_5_working_days_and_apologises_by_portal_and_sms(
    client, world
):
    """NĐ 63/2024 group 1: 3 working days, 5 when verification is needed (its own procedure, the same
    three agencies); a late dossier's apology reaches the applicant's portal account and SMS."""
    from core.dossiers import timing
    from core.jobs import runner
    from core.notify.tables import Notification

    a = world["actors"]
    d = await _start(client, a, procedures.BIRTH_LINKED_VERIFY, samples.birth_linked(vn_today()))
    start = datetime.fromisoformat(d["clock_start_at"])
    due = datetime.fromisoformat(d["due_at"])
    assert await timing.working_minutes(start, due, None) == 5 * timing.MINUTES_PER_DAY
    assert {s["step_id"] for s in d["steps"]} == {"birth", "residence", "health_insurance"}
    r = await client.post(
        f"{API}/{d['code']}/actions/apologise",
        json={
            "version": d["version"],
            "note": "Cần xác minh thêm nơi cư trú của cha mẹ",
            "new_due": (due + timedelta(hours=1)).isoformat(),
        },
        headers=a.h("ward_chairman"),
    )
    assert r.status_code == 200, r.text
    await runner.run_pending_now()
    sent = await Notification.select().where(
        (Notification.template == "apology") & (Notification.dossier == d["id"])
    )
    assert {m["channel"] for m in sent} >= {"inapp", "sms"}
    assert next(m for m in sent if m["channel"] == "sms")["to_address"] == MOTHER["phone"]
