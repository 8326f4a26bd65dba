"""The tax authority's notice of financial obligations on a land transfer, end to end over HTTP:
the tax officer enters the assessed amounts on the ``tax_notice`` step (bad amounts refused at the
field, nothing committed), the "Thông báo nộp tiền" PDF is issued to the payer (text and QR read
back), and the dossier waits at ``tax_payment`` with its clock stopped until the payment is recorded."""

from __future__ import annotations

from datetime import date, timedelta

from core.contract.vntime import vn_today
from core.dossiers.tables import Suspension
from plugins.land import procedures
from tests.plugins.land.test_routes_http import (
    API,
    BUYER,
    TRANSFER_DATA,
    WARD,
    _act,
    _active,
    _create_submit_receive,
    _result_pdf_text,
)

GOOD = {"land_value": 1_200_000_000, "registration_fee": 6_000_000, "pit": 30_000_000}
"""Price-table value 1.2 billion < contract price 1.5 billion: PIT is 2 % of the contract price."""


def _deadline(days: int = 30) -> str:
    return (vn_today() + timedelta(days=days)).isoformat()


async def _errors(client, a, d: dict, body: dict) -> dict[str, str]:
    r = await client.post(
        f"{API}/{d['code']}/actions/complete_step",
        json={"version": d["version"], "step_id": _active(d)["id"], **body},
        headers=a.h("tax_officer"),
    )
    assert r.status_code in (400, 422), r.text
    payload = r.json()
    errors = payload.get("errors") or payload.get("extra", {}).get("errors") or payload.get("extra") or []
    if isinstance(errors, dict):
        return errors
    return (
        {e["field"]: e["message"] for e in errors} if errors and isinstance(errors[0], dict) else dict(errors)
    )


async def test_tax_officer_enters_amounts_the_payer_gets_the_notice_and_the_dossier_waits_until_paid(
    client, world
):
    a = world["actors"]
    d = await _create_submit_receive(client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    assert _active(d)["step_id"] == "tax_notice"

    # Only the tax authority's specialist assesses.
    await _act(client, a, "office_specialist", d, "complete_step", expect=403, **GOOD, deadline=_deadline())

    # Bad amounts are refused, each at its field, in Vietnamese; the step stays open.
    errors = await _errors(
        client, a, d, {"land_value": "abc", "registration_fee": -5, "pit": "1,5", "deadline": ""}
    )
    assert "chữ số" in errors["land_value"]
    assert "âm" in errors["registration_fee"]
    assert "chữ số" in errors["pit"]
    assert "hạn nộp" in errors["deadline"].lower()
    errors = await _errors(
        client,
        a,
        d,
        {
            **GOOD,
            "registration_fee": 5_000_000,
            "pit": 24_000_000,
            "land_levy": 1000,
            "deadline": _deadline(120),
        },
    )
    assert "6.000.000" in errors["registration_fee"] and "0,5%" in errors["registration_fee"]
    assert "30.000.000" in errors["pit"] and "2%" in errors["pit"]
    assert "không phát sinh tiền sử dụng đất" in errors["land_levy"]
    assert "90 ngày" in errors["deadline"]
    errors = await _errors(client, a, d, {**GOOD, "deadline": vn_today().isoformat()})
    assert set(errors) == {"deadline"} and "sau ngày ra thông báo" in errors["deadline"]
    r = await client.get(f"{API}/{d['code']}", headers=a.h("buyer"))
    d = r.json()
    assert _active(d)["step_id"] == "tax_notice"

    # Good amounts: the notice is issued, the dossier waits for the payer with its clock stopped.
    d = await _act(client, a, "tax_officer", d, "complete_step", **GOOD, deadline=_deadline())
    step = _active(d)
    assert (
        step["step_id"] == "tax_payment" and step["suspends_for"] == "tax_payment" and step["due_at"] is None
    )
    open_ = await Suspension.select().where((Suspension.dossier == d["id"]) & Suspension.ended_at.is_null())
    assert [(s["reason"], s["step_id"]) for s in open_] == [("tax_payment", "tax_payment")]
    # The payment step cannot issue a second notice nor be skipped by anyone but the tax officer.
    await _act(client, a, "office_director", d, "approve", expect=403)

    text = await _result_pdf_text(client, a, "buyer", d, "result:land.tax_notice")
    flat = " ".join(text.split())
    for expected in (
        "THÔNG BÁO NỘP TIỀN",
        "Lê Văn Cường",
        BUYER["id_number"],
        TRANSFER_DATA["transferor_name"],
        "Thửa đất số: 102",
        "Tờ bản đồ số: 5",
        "Lệ phí trước bạ nhà, đất",
        "6.000.000",
        "Nghị định số 10/2022/NĐ-CP",
        "Thuế thu nhập cá nhân",
        "30.000.000",
        "Luật Thuế thu nhập cá nhân",
        "36.000.000",
        "Ba mươi sáu triệu đồng",
        "Kho bạc Nhà nước",
        "7111",
        date.fromisoformat(_deadline()).strftime("%d/%m/%Y"),
        d["code"],
    ):
        assert expected in flat, (expected, text)
    assert "Tiền sử dụng đất" not in flat  # no land levy on a transfer

    # The payment is recorded: the clock resumes, the route goes on to the land office's decision.
    d = await _act(client, a, "tax_officer", d, "complete_step", note="Đã nộp đủ theo Thông báo nộp tiền")
    assert _active(d)["step_id"] == "registration_decision" and _active(d)["due_at"] is not None
    assert not await Suspension.count().where((Suspension.dossier == d["id"]) & Suspension.ended_at.is_null())
    d = await _act(client, a, "office_director", d, "approve")
    assert d["state"] == "result_approved"


async def test_the_tax_officer_enters_the_amounts_on_the_dossier_page(client, world):
    """The step's inputs (the notice's ``ResultDocumentSpec.inputs``) are asked on the staff page with
    the step's form; a wrong amount comes back at its field with what was typed kept, a right one
    issues the notice and moves the dossier to the payment step."""
    import re

    from tests.fixtures.builders import login_as

    a = world["actors"]
    d = await _create_submit_receive(client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA)
    d = await _act(client, a, "office_specialist", d, "complete_step")
    step = _active(d)
    assert step["step_id"] == "tax_notice"
    await login_as(client, a.users["tax_officer"])
    page = await client.get(f"/ho-so/{d['code']}")
    assert page.status_code == 200
    for label in (
        "Giá trị đất theo bảng giá đất (đồng)",
        "Lệ phí trước bạ (đồng)",
        "Thuế thu nhập cá nhân (đồng)",
        "Hạn nộp tiền",
    ):
        assert label in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    form = {
        "_csrf_token": client.cookies.get("csrftoken"),
        "version": version,
        "step_id": str(step["id"]),
        "land_value": "1.200.000.000",
        "registration_fee": "5.000.000",
        "pit": "30.000.000",
        "deadline": (vn_today() + timedelta(days=30)).strftime("%d/%m/%Y"),
        "note": "",
    }
    bad = await client.post(f"/ho-so/{d['code']}/thao-tac/complete_step", data=form)
    assert bad.status_code == 422
    assert "6.000.000" in bad.text and 'value="5.000.000"' in bad.text and 'value="1.200.000.000"' in bad.text
    ok = await client.post(
        f"/ho-so/{d['code']}/thao-tac/complete_step", data={**form, "registration_fee": "6.000.000"}
    )
    assert ok.status_code in (200, 303), ok.text[:500]
    r = await client.get(f"{API}/{d['code']}", headers=a.h("tax_officer"))
    assert _active(r.json())["step_id"] == "tax_payment"
