"""The citizen follows a dossier (issue 10): the record PDF, the citizen's page (``/ho-so/{code}`` sends
the applicant there), the due date explained, supplying exactly what the agency asked for (the clock
resumes, the clerk sees what changed) and withdrawing before a decision."""

from __future__ import annotations

import pytest

from core.dossiers import service
from core.dossiers.tables import DossierEvent
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import actor
from tests.integration.test_documents_builders import pdf_text
from tests.integration.test_portal_apply import fill_form, make_world, pdf_bytes, post, start_draft, upload


@pytest.fixture
async def world(db):
    return await make_world()


async def submitted(client, w) -> str:
    await login_as(client, w["citizen"])
    draft = await start_draft(client, w)
    await fill_form(client, draft)
    await upload(client, draft, "application", "don.pdf", pdf_bytes(1))
    version = str((await service.get(int(draft))).version)
    r = await post(client, f"/ho-so-cua-toi/{draft}/nop", {"version": version})
    assert r.status_code == 303, r.text
    return (await service.get(int(draft))).code


async def test_record_pdf_and_the_citizens_own_page(client, world, tmp_path):
    w = world
    code = await submitted(client, w)
    r = await client.get(f"/ho-so-cua-toi/{code}/bien-nhan.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content, tmp_path)
    assert code in text and "BIÊN NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text and "don.pdf" in text
    r = await client.get(f"/ho-so/{code}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/ho-so-cua-toi/{code}"
    r = await client.get(f"/ho-so-cua-toi/{code}")
    assert r.status_code == 200 and code in r.text and "Chờ cơ quan kiểm tra" in r.text
    assert "Cách tính hạn trả kết quả" not in r.text, "no due date before receipt"
    client.cookies.clear()
    await login_as(client, w["other"])
    assert (await client.get(f"/ho-so-cua-toi/{code}/bien-nhan.pdf")).status_code == 404
    assert (await client.get(f"/ho-so-cua-toi/{code}")).status_code == 404
    # staff still get their own page
    client.cookies.clear()
    await login_as(client, w["receiver"])
    r = await client.get(f"/ho-so/{code}", follow_redirects=False)
    assert r.status_code == 200


async def test_supplement_exactly_what_was_asked_then_the_due_date_is_explained(client, world):
    w = world
    code = await submitted(client, w)
    clerk = await actor(w["receiver"])
    d = await service.get(code)
    d = await service.request_supplement(
        d.id,
        actor=clerk,
        version=d.version,
        items=["Giấy đề nghị đăng ký hộ kinh doanh (bản có chữ ký)", "Số lao động"],
        reason="Đơn chưa ký; số lao động chưa khớp",
    )
    r = await client.get("/ho-so-cua-toi")
    assert "Bổ sung hồ sơ theo yêu cầu" in r.text
    r = await client.get(f"/ho-so-cua-toi/{code}/bo-sung")
    assert r.status_code == 200 and "Đơn chưa ký" in r.text
    assert 'value="application"' in r.text and 'value="family_minutes"' not in r.text, (
        "only the slot asked for"
    )
    assert 'name="employees"' in r.text and 'name="business_name"' not in r.text, "only the answer asked for"
    r = await post(client, f"/ho-so-cua-toi/{code}/bo-sung", {"version": str(d.version), "employees": "3"})
    assert r.status_code == 422 and "chưa tải lên" in r.text, "nothing changed: nothing is sent"
    r = await post(
        client, f"/ho-so-cua-toi/{code}/bo-sung", {"version": str(d.version), "employees": "nhiều"}
    )
    assert r.status_code == 422 and 'id="f-employees-error"' in r.text and 'value="nhiều"' in r.text
    r = await upload(client, code, "application", "don-da-ky.pdf", pdf_bytes(1))
    assert r.status_code == 303 and r.headers["location"] == f"/ho-so-cua-toi/{code}/bo-sung"
    r = await post(client, f"/ho-so-cua-toi/{code}/bo-sung", {"version": str(d.version), "employees": "5"})
    assert r.status_code == 303, r.text
    d = await service.get(code)
    assert d.state == "submitted" and d.data["employees"] == 5
    ev = (
        await DossierEvent.select(DossierEvent.note, DossierEvent.actor)
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "resubmit"))
        .first()
    )
    assert (
        "don-da-ky.pdf" in ev["note"] and "Số lao động: 5" in ev["note"] and ev["actor"] == w["citizen"]["id"]
    )
    # received: the due date, explained on request
    d = await service.receive(d.id, actor=clerk, version=d.version)
    r = await client.get(f"/ho-so-cua-toi/{code}")
    assert "<details>" in r.text and "Cách tính hạn trả kết quả" in r.text
    assert "Quy định thủ tục áp dụng: bản số" in r.text and "Giờ chốt nhận" in r.text and "17:00" in r.text
    assert "không tính thứ Bảy, Chủ nhật" in r.text


async def test_withdraw_before_a_decision_with_a_reason(client, world):
    w = world
    code = await submitted(client, w)
    d = await service.get(code)
    r = await post(client, f"/ho-so-cua-toi/{code}/rut", {"version": str(d.version), "reason": ""})
    assert r.status_code == 422 and 'id="f-reason-error"' in r.text
    client.cookies.clear()
    await login_as(client, w["other"])
    r = await post(client, f"/ho-so-cua-toi/{code}/rut", {"version": str(d.version), "reason": "x"})
    assert r.status_code == 404
    client.cookies.clear()
    await login_as(client, w["citizen"])
    r = await post(client, f"/ho-so-cua-toi/{code}/rut", {"version": str(d.version), "reason": "Tôi đổi ý"})
    assert r.status_code == 303
    d = await service.get(code)
    assert d.state == "stopped"
    r = await client.get(f"/ho-so-cua-toi/{code}")
    assert "/rut" not in r.text and "Tôi đổi ý" in r.text
