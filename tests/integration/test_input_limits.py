"""Issue 7 (items 5, 9, 15): free text has limits at the field, on the web and the API alike.

* A stop reason of a megabyte (it once became a 303-page form 05 that held the PDF worker for three
  minutes) is refused with 422 and a Vietnamese message at the field; nothing is written: no event,
  no document, no new version.
* NUL and other control characters are refused; bidi override characters are removed from names.
* The applicant's CCCD is checked by the registration validator (province code, century digit, and
  the birth date and sex when given), not only for 12 digits.
* A body larger than the app's cap gets 413 with a Vietnamese message.
"""

from __future__ import annotations

import pytest

from core.documents.tables import GeneratedDocument
from core.dossiers import service
from core.dossiers.tables import Dossier, DossierEvent
from core.identity.api_auth import issue_token
from core.jobs.tables import Outbox
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route

MEGABYTE = "Tôi xin dừng giải quyết hồ sơ. " * 35_000  # about 1 MB of UTF-8


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    w["tok"] = {name: await issue_token(u["id"], "test") for name, u in w["users"].items()}
    return w


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def _received(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "Xin cấp giấy"},
    )
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def _footprint(dossier_id: int) -> tuple:
    row = await Dossier.select(Dossier.state, Dossier.version).where(Dossier.id == dossier_id).first()
    return (
        row["state"],
        row["version"],
        await DossierEvent.count().where(DossierEvent.dossier == dossier_id),
        await GeneratedDocument.count().where(GeneratedDocument.dossier == dossier_id),
        await Outbox.count(),
    )


def _field_errors(r) -> dict:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text[:300]
    return {e["field"]: e["message"] for e in r.json()["errors"]}


async def test_a_megabyte_stop_reason_is_refused_at_the_field_by_the_api(client, world):
    w = world
    d = await _received(w)
    before = await _footprint(d.id)
    assert len(MEGABYTE.encode()) > 1_000_000
    r = await client.post(
        f"/api/v1/dossiers/{d.code}/actions/stop",
        headers=bearer(w["tok"]["citizen"]),
        json={"version": d.version, "note": MEGABYTE},
    )
    assert r.status_code == 422, r.text[:300]
    assert "tối đa 2.000 ký tự" in _field_errors(r)["note"]
    assert await _footprint(d.id) == before, "nothing stored: no event, no form 05, no outbox row"
    # the same citizen with a reason of a sensible length stops the dossier
    r = await client.post(
        f"/api/v1/dossiers/{d.code}/actions/stop",
        headers=bearer(w["tok"]["citizen"]),
        json={"version": d.version, "note": "Tôi xin dừng để bổ sung sau."},
    )
    assert r.status_code == 200 and r.json()["state"] == "stopped", r.text[:300]


async def test_a_megabyte_stop_reason_is_refused_at_the_field_on_the_web(client, world):
    w = world
    d = await _received(w)
    before = await _footprint(d.id)
    await login_as(client, w["users"]["citizen"])
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/stop",
        data={"version": str(d.version), "note": MEGABYTE, "_csrf_token": client.cookies.get("csrftoken")},
    )
    assert r.status_code == 422
    assert "Lý do hoặc ghi chú chỉ được dài tối đa 2.000 ký tự" in r.text
    assert await _footprint(d.id) == before


async def test_control_characters_are_refused_in_notes_and_answers(client, world):
    w = world
    d = await _received(w)
    before = await _footprint(d.id)
    r = await client.post(
        f"/api/v1/dossiers/{d.code}/actions/stop",
        headers=bearer(w["tok"]["citizen"]),
        json={"version": d.version, "note": "Xin dừng\x00\x1b[31m"},
    )
    assert r.status_code == 422 and "ký tự điều khiển" in _field_errors(r)["note"]
    assert await _footprint(d.id) == before
    dossiers = await Dossier.count()
    for data, applicant, field in (
        ({"subject": "Xin cấp\x00giấy"}, {"name": "Trần Thị Bình"}, "subject"),
        ({"subject": "Xin cấp giấy"}, {"name": "Trần\x00Thị Bình"}, "applicant.name"),
        ({"subject": "x" * 1_000_000}, {"name": "Trần Thị Bình"}, "subject"),
        (
            {"subject": "Xin cấp giấy"},
            {"name": "Trần Thị Bình", "address": "Số 1 " * 1000},
            "applicant.address",
        ),
    ):
        r = await client.post(
            "/api/v1/dossiers",
            headers=bearer(w["tok"]["citizen"]),
            json={
                "procedure_code": PROC,
                "agency_code": w["tree"]["ward"]["code"],
                "applicant": applicant,
                "data": data,
            },
        )
        assert r.status_code == 422, (field, r.text[:300])
        assert field in _field_errors(r), (field, r.text[:300])
    assert await Dossier.count() == dossiers, "nothing stored"


async def test_bidi_overrides_are_removed_from_names(client, world):
    w = world
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(w["tok"]["receiver"]),
        json={
            "procedure_code": PROC,
            "agency_code": w["tree"]["ward"]["code"],
            "channel": "truc_tiep",
            "applicant": {"name": "Lê\u202eVăn\u2066 Tám\u2069", "id_number": "079203001234"},
            "data": {"subject": "Xin\u202d cấp giấy"},
        },
    )
    assert r.status_code == 201, r.text[:300]
    assert r.json()["applicant_name"] == "LêVăn Tám"
    row = (
        await Dossier.select(Dossier.data).where(Dossier.id == r.json()["id"]).output(load_json=True).first()
    )
    assert row["data"]["subject"] == "Xin cấp giấy"


@pytest.mark.parametrize(
    "number, expected",
    [
        ("000203001234", "Mã tỉnh 000"),  # no province has code 000
        ("079903001234", "năm sinh 2303 chưa tới"),  # century digit 9: born in the 2300s
        ("07920300123", "đúng 12 chữ số"),
    ],
)
async def test_the_applicants_cccd_is_checked_like_at_registration(client, world, number, expected):
    w = world
    dossiers = await Dossier.count()
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(w["tok"]["receiver"]),
        json={
            "procedure_code": PROC,
            "agency_code": w["tree"]["ward"]["code"],
            "channel": "truc_tiep",
            "applicant": {"name": "Lê Văn Tám", "id_number": number},
            "data": {"subject": "Xin cấp giấy"},
        },
    )
    assert r.status_code == 422, r.text[:300]
    assert expected in _field_errors(r)["applicant.id_number"]
    assert await Dossier.count() == dossiers


async def test_the_applicants_cccd_must_match_the_declared_birth_date_and_sex(client, world):
    w = world
    base = {
        "procedure_code": PROC,
        "agency_code": w["tree"]["ward"]["code"],
        "channel": "truc_tiep",
        "data": {"subject": "Xin cấp giấy"},
    }
    # 079 2 03 …: a man born in 2003
    for extra, expected in (({"birth_date": "05/06/1990"}, "năm sinh"), ({"sex": "female"}, "giới tính")):
        r = await client.post(
            "/api/v1/dossiers",
            headers=bearer(w["tok"]["receiver"]),
            json={**base, "applicant": {"name": "Lê Văn Tám", "id_number": "079203001234", **extra}},
        )
        assert r.status_code == 422, r.text[:300]
        assert expected in _field_errors(r)["applicant.id_number"]
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(w["tok"]["receiver"]),
        json={
            **base,
            "applicant": {
                "name": "Lê Văn Tám",
                "id_number": "079 203 001 234",
                "birth_date": "05/06/2003",
                "sex": "male",
            },
        },
    )
    assert r.status_code == 201 and r.json()["applicant_id_number"] == "079203001234", r.text[:300]


async def test_a_body_over_the_cap_gets_413_in_vietnamese(client, world):
    w = world
    r = await client.post(
        "/api/v1/dossiers",
        headers={**bearer(w["tok"]["citizen"]), "content-type": "application/json"},
        content=b'{"note": "' + b"x" * (5 * 1024 * 1024) + b'"}',
    )
    assert r.status_code == 413
    assert "quá lớn" in r.json()["detail"]


async def test_the_result_receivers_cccd_is_checked_like_at_registration(world):
    from core.contract.errors import InvalidInput
    from core.fees import service as fees

    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Nguyễn Văn An", "id_number": "079203001234"},
        data={"subject": "Xin cấp giấy"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        step = next(s for s in d.steps if s.step_id == sid and s.status == "active")
        d = await service.complete_step(d.id, step.id, actor=w["as"][who], version=d.version)
    step = next(s for s in d.steps if s.step_id == "decide" and s.status == "active")
    d = await service.approve(d.id, step.id, actor=w["as"]["ward_leader"], version=d.version)
    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    await fees.record_payment(d.id, actor=w["as"]["receiver"], method="cash", amount=50000)
    for number, expected in (("000203001234", "Mã tỉnh 000"), ("079903001234", "chưa tới")):
        with pytest.raises(InvalidInput) as caught:
            await service.return_result(
                d.id,
                actor=w["as"]["receiver"],
                version=d.version,
                channel="counter",
                receiver={"name": "Nguyễn Văn An", "id_number": number},
            )
        assert expected in dict(caught.value.errors)["receiver.id_number"]
    d = await service.return_result(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        channel="counter",
        receiver={"name": "Nguyễn Văn An", "id_number": "079 203 001 234", "unexpected": "x" * 10_000},
    )
    assert d.state == "returned"
    event = (await service.events(d.id))[-1]
    assert event.data["receiver"] == {
        "name": "Nguyễn Văn An",
        "id_number": "079203001234",
        "relation": "holder",
    }


async def test_codes_of_a_create_request_are_short_lines(client, world):
    w = world
    r = await client.post(
        "/api/v1/dossiers",
        headers=bearer(w["tok"]["citizen"]),
        json={
            "procedure_code": PROC * 100_000,
            "agency_code": "x\x00",
            "applicant": {"name": "An"},
            "data": {"subject": "Xin cấp giấy"},
        },
    )
    assert r.status_code == 422 and len(r.content) < 5000, "refused at the fields, not echoed back"
    errors = _field_errors(r)
    assert "tối đa 50 ký tự" in errors["procedure_code"] and "ký tự điều khiển" in errors["agency_code"]
