"""Every land procedure end to end through the JSON API: submit, receive, each route step by the
right role at the right agency (the wrong ones get 403), result written into the land registry,
PDF requested, fees paid, result returned."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.contract.vntime import vn_today
from plugins.land import procedures
from plugins.land.tables import Certificate, CertificateEntry, Parcel
from tests.fixtures.land_world import Actors
from tests.plugins.land.registry_fixtures import BUYER_ID, COMMUNE, SELLER, WARD

API = "/api/v1/dossiers"


async def _create_submit_receive(
    client,
    a: Actors,
    applicant_key: str,
    procedure: str,
    agency_code: str,
    applicant: dict,
    data: dict,
    channel: str = "truc_tuyen",
) -> dict:
    """Online: the applicant creates and submits, the receiver takes it in. At the counter
    (``truc_tiep``): the receiver types the application in and receives it at once."""
    who = applicant_key if channel == "truc_tuyen" else "ward_receiver"
    r = await client.post(
        API,
        json={
            "procedure_code": procedure,
            "agency_code": agency_code,
            "applicant": applicant,
            "data": data,
            "channel": channel,
        },
        headers=a.h(who),
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["channel"] == channel
    if channel == "truc_tuyen":
        r = await client.post(
            f"{API}/{d['id']}/submit", json={"version": d["version"]}, headers=a.h(applicant_key)
        )
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["state"] == "submitted" and d["code"].startswith(agency_code + "-")
    else:  # a citizen cannot open a counter dossier
        r = await client.post(
            API,
            json={
                "procedure_code": procedure,
                "agency_code": agency_code,
                "applicant": applicant,
                "data": data,
                "channel": channel,
            },
            headers=a.h(applicant_key),
        )
        assert r.status_code == 403, r.text
    r = await client.post(
        f"{API}/{d['code'] or d['id']}/receive", json={"version": d["version"]}, headers=a.h("ward_receiver")
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["code"].startswith(agency_code + "-") and d["received_at"]
    return d


async def _result_pdf_text(client, a: Actors, who: str, d: dict, kind: str) -> str:
    """The result document of ``kind``, rendered by the job, downloaded as its holder, read back:
    the text (pdftotext) and the QR code (zbarimg) that opens the dossier's public status page."""
    import os
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from core.documents.tables import GeneratedDocument
    from core.documents.tasks import render_document

    doc = (
        await GeneratedDocument.select()
        .where((GeneratedDocument.dossier == d["id"]) & (GeneratedDocument.kind == kind))
        .first()
    )
    assert doc is not None, kind
    if doc["status"] != "ready":
        await render_document({}, document_id=doc["id"])
    from tests.fixtures.builders import login_as

    await login_as(client, a.users[who])  # the download is a page of the web app: a signed-in session
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
        assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info, info
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


def _active(d: dict) -> dict:
    steps = [s for s in d["steps"] if s["status"] == "active"]
    assert len(steps) == 1, steps
    return steps[0]


async def _act(client, a: Actors, who: str, d: dict, action: str, expect: int = 200, **extra) -> dict:
    step = _active(d)
    r = await client.post(
        f"{API}/{d['code']}/actions/{action}",
        json={"version": d["version"], "step_id": step["id"], "note": "", **extra},
        headers=a.h(who),
    )
    assert r.status_code == expect, (who, step["step_id"], r.text)
    return r.json() if expect == 200 else d


async def _pay_and_return(client, a: Actors, d: dict, receiver: dict, **extra) -> dict:
    """Result ready, fees paid, handed over; ``extra`` goes with the hand-over (``originals_received``)."""
    from core.fees import service as fees

    r = await client.post(
        f"{API}/{d['code']}/actions/mark_result_ready",
        json={"version": d["version"]},
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "result_ready"
    # Fees first: returning with a balance due is refused.
    r = await client.post(
        f"{API}/{d['code']}/actions/return_result",
        json={"version": d["version"], "channel": "counter", "receiver": receiver, **extra},
        headers=a.h("ward_receiver"),
    )
    balance = await fees.balance_due(d["id"])
    if balance:
        assert r.status_code == 403, r.text
        await fees.record_payment(d["id"], actor=None, method="cash", amount=balance)
        r = await client.post(
            f"{API}/{d['code']}/actions/return_result",
            json={"version": d["version"], "channel": "counter", "receiver": receiver, **extra},
            headers=a.h("ward_receiver"),
        )
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["state"] == "returned"
    return d


async def _result_documents(dossier_id: int) -> list[dict]:
    from core.documents.tables import GeneratedDocument

    return await GeneratedDocument.select(GeneratedDocument.kind, GeneratedDocument.number).where(
        GeneratedDocument.dossier == dossier_id
    )


TRANSFER_DATA = {
    "commune_code": WARD,
    "map_sheet": 5,
    "parcel_number": 102,
    "certificate_serial": "DA 123456",
    "transferor_name": SELLER["name"],
    "transferor_id_number": SELLER["id_number"],
    "transferor_birth_date": "1980-01-01",
    "transferee_name": "Lê Văn Cường",
    "transferee_id_number": BUYER_ID,
    "transferee_birth_date": "1990-07-07",
    "transferee_address": "Ấp 1, xã Tân Phú",
    "transferee_phone": "0987654321",
    "contract_number": "1234/2026/CC",
    "contract_date": "2026-11-10",
    "price": 1_500_000_000,
    "new_certificate": "yes",
    "fee_exemption": "none",
}
BUYER = {"name": "Lê Văn Cường", "id_number": BUYER_ID, "phone": "0987654321", "address": "Ấp 1, xã Tân Phú"}


CHANNELS = pytest.mark.parametrize("channel", ["truc_tuyen", "truc_tiep"])

TRANSFER_TAX = {
    "land_value": 1_200_000_000,
    "registration_fee": 6_000_000,
    "pit": 30_000_000,
    "deadline": "2099-01-01",
}
"""What the tax officer enters on the transfer's tax_notice step (deadline replaced by a near date)."""


def _tax(amounts: dict) -> dict:
    from datetime import timedelta

    return {**amounts, "deadline": (vn_today() + timedelta(days=30)).isoformat()}


@CHANNELS
async def test_transfer_across_ward_land_office_and_tax(client, world, channel):
    a = world["actors"]
    d = await _create_submit_receive(
        client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA, channel
    )
    assert d["state"] in ("received", "in_processing")
    step = _active(d)
    assert step["step_id"] == "land_office_check" and step["agency"]["code"] == "000.02.01.H39"
    # Wrong agency (the ward's specialist) and wrong role (the office's director) are refused.
    await _act(client, a, "ward_specialist", d, "complete_step", expect=403)
    await _act(client, a, "office_director", d, "complete_step", expect=403)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    step = _active(d)
    assert step["step_id"] == "tax_notice" and step["agency"]["code"] == "000.40.01.H39"
    await _act(client, a, "office_specialist", d, "complete_step", expect=403)
    d = await _act(client, a, "tax_officer", d, "complete_step", **_tax(TRANSFER_TAX))
    assert _active(d)["step_id"] == "tax_payment"
    d = await _act(client, a, "tax_officer", d, "complete_step", note="Đã nộp thuế TNCN và lệ phí trước bạ")
    assert _active(d)["step_id"] == "registration_decision"
    await _act(client, a, "office_specialist", d, "approve", expect=403)
    d = await _act(client, a, "office_director", d, "approve")
    assert d["state"] == "result_approved"
    # The registry: a new certificate for the buyer, the old one replaced, both histories written.
    new = await Certificate.select().where(Certificate.dossier_code == d["code"]).first()
    assert new["serial"] == "DE 100001" and new["status"] == "valid"
    assert "Lê Văn Cường" in str(new["holders"])
    old = await Certificate.select().where(Certificate.serial == "DA 123456").first()
    assert old["status"] == "replaced" and old["replaced_by"] == new["id"]
    kinds = await CertificateEntry.select(CertificateEntry.kind).where(
        CertificateEntry.dossier_code == d["code"]
    )
    assert sorted(k["kind"] for k in kinds) == ["issued", "transfer"]
    docs = await _result_documents(d["id"])
    assert {"kind": "result:land.certificate_transfer", "number": new["book_number"]} in docs
    text = await _result_pdf_text(client, a, "office_director", d, "result:land.certificate_transfer")
    assert (
        "Lê Văn Cường" in text and "DE 100001" in text and "DA 123456" in text and new["book_number"] in text
    )
    d = await _pay_and_return(
        client,
        a,
        d,
        {"name": BUYER["name"], "id_number": BUYER_ID},
        originals_received=channel == "truc_tuyen",
    )
    reader = "buyer" if channel == "truc_tuyen" else "ward_receiver"  # a counter dossier has no online owner
    events = (await client.get(f"{API}/{d['code']}/events", headers=a.h(reader))).json()
    expected = ["create", "submit", "receive"] if channel == "truc_tuyen" else ["create", "receive"]
    assert [e["action"] for e in events][: len(expected)] == expected
    assert events[-1]["action"] == "return_result"


async def test_r30_originals_owed_block_the_hand_over_until_their_receipt_is_ticked(client, world):
    """An online transfer sent scans: the contract, the certificate and the declarations are owed as
    originals; the result is not handed over until the clerk ticks their receipt, then the event
    lists them and marks form 01 as handed back."""
    from core.dossiers.tables import DossierEvent
    from core.fees import service as fees

    a = world["actors"]
    d = await _create_submit_receive(
        client, a, "buyer", procedures.TRANSFER, WARD, BUYER, {**TRANSFER_DATA, "new_certificate": "no"}
    )
    d = await _act(client, a, "office_specialist", d, "complete_step")
    d = await _act(client, a, "tax_officer", d, "complete_step", **_tax(TRANSFER_TAX))
    d = await _act(client, a, "tax_officer", d, "complete_step")
    d = await _act(client, a, "office_director", d, "approve")
    r = await client.post(
        f"{API}/{d['code']}/actions/mark_result_ready",
        json={"version": d["version"]},
        headers=a.h("ward_receiver"),
    )
    d = r.json()
    if balance := await fees.balance_due(d["id"]):
        await fees.record_payment(d["id"], actor=None, method="cash", amount=balance)
    body = {
        "version": d["version"],
        "channel": "counter",
        "receiver": {"name": BUYER["name"], "id_number": BUYER_ID},
    }
    r = await client.post(f"{API}/{d['code']}/actions/return_result", json=body, headers=a.h("ward_receiver"))
    assert r.status_code == 422, r.text
    assert "originals_received" in r.text and "Bản gốc Giấy chứng nhận đã cấp" in r.text
    r = await client.post(
        f"{API}/{d['code']}/actions/return_result",
        json={**body, "originals_received": True},
        headers=a.h("ward_receiver"),
    )
    assert r.status_code == 200 and r.json()["state"] == "returned", r.text
    last = (
        await DossierEvent.select(DossierEvent.data)
        .where((DossierEvent.dossier == d["id"]) & (DossierEvent.action == "return_result"))
        .first()
        .output(load_json=True)
    )
    assert "Bản gốc Giấy chứng nhận đã cấp" in last["data"]["originals_received"]
    assert last["data"]["receipt_returned"] is True


async def test_transfer_endorsed_on_the_existing_certificate(client, world):
    a = world["actors"]
    d = await _create_submit_receive(
        client, a, "buyer", procedures.TRANSFER, WARD, BUYER, {**TRANSFER_DATA, "new_certificate": "no"}
    )
    d = await _act(client, a, "office_specialist", d, "complete_step")
    d = await _act(client, a, "tax_officer", d, "complete_step", **_tax(TRANSFER_TAX))
    d = await _act(client, a, "tax_officer", d, "complete_step")
    d = await _act(client, a, "office_director", d, "approve")
    cert = await Certificate.select().where(Certificate.serial == "DA 123456").first()
    assert (
        cert["status"] == "valid"
        and BUYER_ID in str(cert["holders"])
        and SELLER["id_number"] not in str(cert["holders"])
    )
    entry = (
        await CertificateEntry.select()
        .where((CertificateEntry.certificate == cert["id"]) & (CertificateEntry.kind == "transfer"))
        .first()
    )
    assert entry["dossier_code"] == d["code"] and "ngày 10/11/2026" in entry["note"]
    text = await _result_pdf_text(client, a, "office_director", d, "result:land.certificate_transfer")
    assert "Xác nhận thay đổi".upper() in text.upper() and "Số vào sổ biến động: BĐ 00001" in text
    assert "Chuyển nhượng cho ông/bà Lê Văn Cường" in text and "10/11/2026" in text


FIRST_DATA = {
    "holder_name": "Trần Thị Hoa",
    "holder_id_number": "075185003344",
    "holder_birth_date": "1985-04-02",
    "holder_address": "Ấp 2, xã Tân Phú",
    "holder_phone": "0912345678",
    "has_spouse": "no",
    "commune_code": COMMUNE,
    "map_sheet": 12,
    "parcel_number": 7,
    "land_use_type": "CLN",
    "declared_area": 1980,
    "use_since": "2001-05-01",
    "origin": "self_use",
    "fee_exemption": "none",
    "no_dispute_declared": True,
}


@CHANNELS
async def test_first_registration_received_at_the_ward_routed_to_the_parcels_commune(client, world, channel):
    a = world["actors"]
    farmer = {"name": "Trần Thị Hoa", "id_number": "075185003344", "phone": "0912345678"}
    d = await _create_submit_receive(client, a, "farmer", procedures.FIRST, WARD, farmer, FIRST_DATA, channel)
    route = [(s["step_id"], s["agency"]["code"], s["role"]) for s in d["steps"]]
    assert route == [
        ("cadastral_extract", "000.02.01.H39", "specialist"),
        ("commune_verification", COMMUNE, "specialist"),
        ("public_posting", COMMUNE, "specialist"),
        ("tax_slip", COMMUNE, "specialist"),
        ("tax_notice", "000.40.01.H39", "specialist"),
        ("tax_payment", "000.40.01.H39", "specialist"),
        ("payment_check", COMMUNE, "specialist"),
        ("registry_preparation", "000.02.01.H39", "specialist"),
        ("chairman_signature", COMMUNE, "approver"),
    ]
    d = await _act(client, a, "office_specialist", d, "complete_step")
    await _act(client, a, "ward_specialist", d, "complete_step", expect=403)  # not the parcel's commune
    for who in ("commune_specialist", "commune_specialist", "commune_specialist"):
        d = await _act(client, a, who, d, "complete_step")
    d = await _act(
        client,
        a,
        "tax_officer",
        d,
        "complete_step",
        **_tax({"land_value": 990_000_000, "registration_fee": 4_950_000, "land_levy": 0}),
    )
    for who in ("tax_officer", "commune_specialist", "office_specialist"):
        d = await _act(client, a, who, d, "complete_step")
    await _act(client, a, "ward_chairman", d, "approve", expect=403)
    d = await _act(client, a, "commune_chairman", d, "approve")
    assert d["state"] == "result_approved"
    cert = await Certificate.select().where(Certificate.dossier_code == d["code"]).first()
    assert cert["serial"].startswith("DE ") and cert["issued_by"] == "UBND xã Tân Phú"
    parcel = await Parcel.select().where(Parcel.id == world["registry"]["rural"]).first()
    assert parcel["registered"] is True
    text = await _result_pdf_text(client, a, "commune_chairman", d, "result:land.certificate_first")
    assert "Trần Thị Hoa" in text and cert["serial"] in text and "UBND XÃ TÂN PHÚ" in text
    await _pay_and_return(
        client,
        a,
        d,
        {"name": "Trần Thị Hoa", "id_number": "075185003344"},
        originals_received=channel == "truc_tuyen",  # scans online: the originals come at collection (R30)
    )


@CHANNELS
async def test_reissue_of_a_lost_certificate(client, world, channel):
    a = world["actors"]
    seller = {"name": SELLER["name"], "id_number": SELLER["id_number"], "phone": "0912345678"}
    data = {
        "holder_name": SELLER["name"],
        "holder_id_number": SELLER["id_number"],
        "holder_birth_date": "1980-01-01",
        "holder_phone": "0912345678",
        "commune_code": WARD,
        "map_sheet": 5,
        "parcel_number": 102,
        "certificate_serial": "DA 123456",
        "reason": "lost",
        "loss_reported_on": "2026-11-01",
        "fee_exemption": "none",
    }
    d = await _create_submit_receive(client, a, "seller", procedures.REISSUE, WARD, seller, data, channel)
    assert [(s["step_id"], s["agency"]["code"], s["role"]) for s in d["steps"]] == [
        ("land_office_check", "000.02.01.H39", "specialist"),
        ("reissue_decision", "000.02.01.H39", "approver"),
    ]
    await _act(client, a, "ward_specialist", d, "complete_step", expect=403)
    await _act(client, a, "office_director", d, "complete_step", expect=403)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    d = await _act(client, a, "office_director", d, "approve")
    old = await Certificate.select().where(Certificate.serial == "DA 123456").first()
    new = await Certificate.select().where(Certificate.id == old["replaced_by"]).first()
    assert (
        old["status"] == "cancelled"
        and new["status"] == "valid"
        and SELLER["id_number"] in str(new["holders"])
    )
    text = await _result_pdf_text(
        client,
        a,
        "seller" if channel == "truc_tuyen" else "office_director",
        d,
        "result:land.certificate_reissue",
    )
    assert new["serial"] in text and "Thay thế Giấy chứng nhận số phát hành DA 123456" in text
    await _pay_and_return(
        client,
        a,
        d,
        {"name": SELLER["name"], "id_number": SELLER["id_number"]},
        originals_received=channel == "truc_tuyen",  # scans online: the originals come at collection (R30)
    )


async def test_bad_input_is_refused_at_the_field_without_personal_data(client, world):
    a = world["actors"]
    bad = {**TRANSFER_DATA, "transferor_id_number": "075111111111", "parcel_number": 103}
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.TRANSFER,
            "agency_code": WARD,
            "applicant": BUYER,
            "data": bad,
            "channel": "truc_tuyen",
        },
        headers=a.h("buyer"),
    )
    assert r.status_code == 422, r.text
    body = r.text
    assert "parcel_number" in body and "tranh chấp" in body
    assert SELLER["name"] not in body
    bad = {**TRANSFER_DATA, "transferor_id_number": "075111111111"}
    r = await client.post(
        API,
        json={
            "procedure_code": procedures.TRANSFER,
            "agency_code": WARD,
            "applicant": BUYER,
            "data": bad,
            "channel": "truc_tuyen",
        },
        headers=a.h("buyer"),
    )
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "DA 123456" in errors["transferor_id_number"] and SELLER["name"] not in r.text


async def test_reject_at_the_decision_step(client, world):
    a = world["actors"]
    d = await _create_submit_receive(client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    d = await _act(client, a, "tax_officer", d, "complete_step", **_tax(TRANSFER_TAX))
    d = await _act(client, a, "tax_officer", d, "complete_step")
    d = await _act(client, a, "office_director", d, "reject", note="Hợp đồng chưa được công chứng hợp lệ")
    assert d["state"] == "result_refused"
    assert (await Certificate.select().where(Certificate.serial == "DA 123456").first())["status"] == "valid"


async def test_the_clock_stands_still_while_the_tax_notice_waits_for_payment(client, world, monkeypatch):
    """Transfer received Monday 16/11/2026 09:00; the land office hands it to tax on Tuesday 09:00; the
    payer pays and the tax officer confirms it on Friday 09:00. The three working days (24 working
    hours) at tax are not counted: every due date moves by exactly that much."""
    from datetime import timedelta, timezone

    import core.dossiers.engine as engine
    from core.dossiers.tables import Suspension

    vn = timezone(timedelta(hours=7))
    clock = {"now": datetime(2026, 11, 16, 9, 0, tzinfo=vn)}
    monkeypatch.setattr(engine, "utcnow", lambda: clock["now"].astimezone(UTC))
    a = world["actors"]
    d = await _create_submit_receive(client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA)
    # R18/R44: appointment 1 (the slip goes to tax) is 5 working days after receipt — the desk's half
    # day plus the land office's 4.5 — Monday 23/11 09:00, not Friday 20/11 afternoon (4.5 days)
    assert datetime.fromisoformat(d["appointment1_at"]) == datetime(2026, 11, 23, 9, 0, tzinfo=vn), d[
        "appointment1_at"
    ]
    clock["now"] = datetime(2026, 11, 17, 9, 0, tzinfo=vn)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    step = _active(d)
    assert (
        step["step_id"] == "tax_notice" and step["suspends_for"] == "tax_payment" and step["due_at"] is None
    )
    open_ = await Suspension.select().where((Suspension.dossier == d["id"]) & Suspension.ended_at.is_null())
    assert [(s["reason"], s["step_id"]) for s in open_] == [("tax_payment", "tax_notice")]
    # The public status page says the dossier waits for the payer.
    before = {k: datetime.fromisoformat(d[k]) for k in ("due_at", "appointment1_at") if d.get(k)}
    assert "due_at" in before
    clock["now"] = datetime(2026, 11, 20, 9, 0, tzinfo=vn)
    d = await _act(client, a, "tax_officer", d, "complete_step", **_tax(TRANSFER_TAX))
    assert _active(d)["step_id"] == "tax_payment" and _active(d)["due_at"] is None
    d = await _act(
        client, a, "tax_officer", d, "complete_step", note="Đã nộp đủ theo thông báo của cơ quan thuế"
    )
    assert not await Suspension.count().where((Suspension.dossier == d["id"]) & Suspension.ended_at.is_null())
    events = (await client.get(f"{API}/{d['code']}/events", headers=a.h("buyer"))).json()
    shifts = [
        e["data"].get("clock_shift_minutes") or 0
        for e in events
        if e["step_id"] in ("tax_notice", "tax_payment")
    ]
    assert sum(shifts) == 3 * 8 * 60, shifts
    after = datetime.fromisoformat(d["due_at"])
    assert after - before["due_at"] >= timedelta(days=3), (before, after)
    assert _active(d)["step_id"] == "registration_decision"


async def test_registry_write_and_approval_commit_together(client, world):
    """Two buyers' transfers of the same certificate pass intake; the first approval writes the
    registry. The second approval finds the certificate no longer valid: the registry refuses (409,
    by the certificate's serial, no one's personal data), and nothing of that approval is kept —
    the dossier is still at the decision step, no certificate or registry entry was written."""
    a = world["actors"]
    other = {
        **TRANSFER_DATA,
        "transferee_name": "Phạm Thị Dung",
        "transferee_id_number": "075192004455",
        "contract_number": "5678/2026/CC",
    }
    first = await _create_submit_receive(
        client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA, "truc_tiep"
    )
    second = await _create_submit_receive(
        client,
        a,
        "buyer",
        procedures.TRANSFER,
        WARD,
        {"name": "Phạm Thị Dung", "id_number": "075192004455", "phone": "0912345678"},
        other,
        "truc_tiep",
    )
    for who, extra in (("office_specialist", {}), ("tax_officer", _tax(TRANSFER_TAX)), ("tax_officer", {})):
        first = await _act(client, a, who, first, "complete_step", **extra)
        second = await _act(client, a, who, second, "complete_step", **extra)
    first = await _act(client, a, "office_director", first, "approve")
    assert first["state"] == "result_approved"
    certificates, entries = await Certificate.count(), await CertificateEntry.count()
    step = _active(second)
    r = await client.post(
        f"{API}/{second['code']}/actions/approve",
        json={"version": second["version"], "step_id": step["id"], "note": ""},
        headers=a.h("office_director"),
    )
    assert r.status_code == 409, r.text
    assert "DA 123456" in r.text and "Lê Văn Cường" not in r.text and BUYER_ID not in r.text
    again = (await client.get(f"{API}/{second['code']}", headers=a.h("office_director"))).json()
    assert again["state"] == "in_processing" and again["version"] == second["version"]
    assert _active(again)["step_id"] == "registration_decision"
    assert (await Certificate.count(), await CertificateEntry.count()) == (certificates, entries)
    assert await Certificate.count().where(Certificate.dossier_code == second["code"]) == 0
