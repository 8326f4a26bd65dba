"""Issue 9, the staff dossier page: summary and actions first, the route drawn with holders and the
after-hours clock, answers as people read them, previews of uploads; the display fixes (version for
staff only, one late tag, a real date input for the apology, the address kept after a failed htmx
action); stale, forbidden and signed-out requests; bulk hand-over; leaders deciding stop requests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.dossiers import engine, service
from core.dossiers.tables import Dossier, DossierEvent
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _received(w, name="Cao Văn Lâm", applicant=None):
    who = w["as"]["citizen"] if applicant else w["as"]["receiver"]
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=who,
        applicant={"name": name},
        data={"subject": "Cấp lại giấy chứng nhận"},
        channel="truc_tuyen" if applicant else "truc_tiep",
    )
    if applicant:
        d = await service.submit(d.id, actor=who, version=d.version)
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


def _csrf(client):
    return client.cookies.get("csrftoken")


async def test_summary_actions_route_and_timeline(client, world):
    w = world
    d = await _received(w)
    await login_as(client, w["users"]["ward_specialist"])
    r = await client.get(f"/ho-so/{d.code}")
    assert r.status_code == 200
    text = r.text
    # the summary and the actions come before the rest of the page
    summary, actions = text.index("Hồ sơ</span>"), text.index("Việc bạn có thể làm")
    assert summary < actions < text.index('id="nguoi-nop"') < text.index('id="lich-su"')
    assert "Đã tiếp nhận" in text and "Thủ tục liên thông thử nghiệm" in text
    # who holds it now: the active step, at its agency
    held = text[text.index("Đang giữ hồ sơ") : actions]
    assert "Kiểm tra hồ sơ" in held and w["tree"]["ward"]["name"] in held
    # the answers through the forms engine (the field's label, not its name)
    assert "Nội dung đề nghị" in text and "Cấp lại giấy chứng nhận" in text
    # the route drawn: every step with its agency; the timeline names the actor
    route = text[text.index('id="quy-trinh"') : text.index('id="lich-su"')]
    for step in ("Kiểm tra hồ sơ", "Ý kiến cơ quan thuế", "Ý kiến công an", "Lãnh đạo phê duyệt"):
        assert step in route
    assert w["tree"]["tax"]["name"] in route
    timeline = text[text.index('id="lich-su"') :]
    assert "Receiver" in timeline and "Tiếp nhận" in timeline
    # the specialist may complete the step, not receive or refuse
    assert f'action="/ho-so/{d.code}/thao-tac/complete_step"' in text
    assert "/thao-tac/refuse_intake" not in text and "/thao-tac/mark_result_ready" not in text


async def test_version_is_shown_to_staff_only(client, world):
    w = world
    d = await _received(w, applicant=True)
    await login_as(client, w["users"]["receiver"])
    staff = (await client.get(f"/ho-so/{d.code}")).text
    assert f"Phiên bản {d.version}</span>" in staff
    client.cookies.clear()
    await login_as(client, w["users"]["citizen"])
    mine = await client.get(f"/ho-so/{d.code}")
    assert mine.status_code == 200 and "Cao Văn Lâm" in mine.text
    assert "Phiên bản" not in mine.text


async def test_a_late_dossier_has_one_late_tag_and_a_date_input_for_the_apology(client, world, monkeypatch):
    w = world
    d = await _received(w)
    real = engine.utcnow
    monkeypatch.setattr(engine, "utcnow", lambda: real().replace(year=real().year + 1))
    d = await service.flag_late(d.id)
    assert d.late
    await login_as(client, w["users"]["ward_leader"])
    r = await client.get(f"/ho-so/{d.code}")
    top = r.text[: r.text.index("Việc bạn có thể làm")]
    assert top.count("tag-red") == 1, "the late dossier is tagged red exactly once in its summary"
    # the apology's date: a real date input, saying which time of that day it means
    form = r.text[r.text.index("/thao-tac/apologise") :]
    form = form[: form.index("</form>")]
    assert 'type="date"' in form and 'name="new_due"' in form
    assert "17:00" in form and "giờ Việt Nam" in form


async def test_a_failed_htmx_action_keeps_the_dossiers_address(client, world):
    w = world
    d = await _received(w)
    await login_as(client, w["users"]["ward_specialist"])
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/return_step",
        data={"version": str(d.version), "note": "", "_csrf_token": _csrf(client)},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert r.status_code == 422
    assert r.headers["HX-Replace-Url"] == f"/ho-so/{d.code}"
    # reloading that address is the page (never a 405)
    assert (await client.get(r.headers["HX-Replace-Url"])).status_code == 200


async def test_a_step_handed_over_after_hours_says_when_its_clock_starts(client, world, monkeypatch):
    w = world
    d = await _received(w)
    step = next(s for s in d.active_steps() if s.step_id == "check")
    # 19:00 in Vietnam on a Wednesday: after hours
    monkeypatch.setattr(engine, "utcnow", lambda: datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    await service.complete_step(d.id, step.id, actor=w["as"]["ward_specialist"], version=d.version)
    monkeypatch.undo()
    await login_as(client, w["users"]["tax_specialist"])
    text = (await client.get(f"/ho-so/{d.code}")).text
    route = text[text.index('id="quy-trinh"') : text.index('id="lich-su"')]
    tax = route[route.index("Ý kiến cơ quan thuế") :]
    tax = tax[: tax.index("</li>")]
    assert "19:00 02/12/2026" in tax, "the real hand-over time"
    assert "tính giờ từ" in tax and "03/12/2026" in tax, "the clock counts from the next working session"
    assert "Ward Specialist" in tax, "who handed it over"


async def test_stale_page_shows_the_current_state(client, world):
    w = world
    d = await _received(w)
    await login_as(client, w["users"]["receiver"])
    seen = d.version
    step = next(s for s in d.active_steps() if s.step_id == "check")
    await service.complete_step(d.id, step.id, actor=w["as"]["ward_specialist"], version=d.version)
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/stop",
        data={"version": str(seen), "note": "Người nộp xin rút", "_csrf_token": _csrf(client)},
    )
    assert r.status_code == 409
    assert "Trạng thái hiện tại của hồ sơ: “Đang giải quyết”" in r.text


async def test_a_forbidden_action_is_not_offered_and_answers_403_in_vietnamese(client, world):
    w = world
    d = await _received(w)
    await login_as(client, w["users"]["tax_specialist"])  # the tax office holds no step yet
    page = await client.get(f"/ho-so/{d.code}")
    assert page.status_code == 404  # not yet at the tax office: it may not even read the dossier
    client.cookies.clear()
    await login_as(client, w["users"]["receiver"])
    page = await client.get(f"/ho-so/{d.code}")
    assert "/thao-tac/complete_step" not in page.text
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/complete_step",
        data={"version": str(d.version), "_csrf_token": _csrf(client)},
    )
    assert r.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này" in r.text
    assert (await service.get(d.id)).version == d.version


async def test_an_expired_session_goes_to_sign_in_and_back_to_the_dossier(client, world):
    w = world
    d = await _received(w)
    await login_as(client, w["users"]["ward_specialist"])
    csrf = _csrf(client)
    client.cookies.delete("motcua_session")  # the session expired while the page stayed open
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/complete_step",
        data={"version": str(d.version), "_csrf_token": csrf},
        headers={"referer": f"http://127.0.0.1:8000/ho-so/{d.code}"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/dang-nhap?next=/ho-so/{d.code}"
    # with htmx, the browser is sent there (not the sign-in page swapped into the old one)
    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/complete_step",
        data={"version": str(d.version), "_csrf_token": csrf},
        headers={"referer": f"http://127.0.0.1:8000/ho-so/{d.code}", "HX-Request": "true"},
        follow_redirects=False,
    )
    assert r.headers["HX-Redirect"] == f"/dang-nhap?next=/ho-so/{d.code}"
    assert (await service.get(d.id)).version == d.version

    # what was typed in the action's form comes back on the dossier page after signing in, once
    from core.identity import kept_forms

    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/complete_step",
        data={"version": str(d.version), "note": "Đã đối chiếu bản gốc sổ đỏ", "_csrf_token": csrf},
        headers={"referer": f"http://127.0.0.1:8000/ho-so/{d.code}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "note" not in r.headers["location"]
    token = r.cookies[kept_forms.COOKIE]
    client.cookies.clear()
    await login_as(client, w["users"]["ward_specialist"])
    client.cookies.set(kept_forms.COOKIE, token)
    page = (await client.get(f"/ho-so/{d.code}")).text
    assert "Đã đối chiếu bản gốc sổ đỏ" in page and "Phiên làm việc đã hết hạn" in page
    assert "Đã đối chiếu bản gốc sổ đỏ" not in (await client.get(f"/ho-so/{d.code}")).text
    assert (await service.get(d.id)).version == d.version


async def test_uploads_are_previewed_inline_and_downloaded_as_attachments(client, world):
    import io

    from pypdf import PdfWriter

    from core.dossiers import attachments

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)

    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Cao Văn Lâm"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    row = await attachments.add(
        d.code or str(d.id),
        actor=w["as"]["receiver"],
        document_code="don",
        filename="don.pdf",
        content=buf.getvalue(),
    )
    await login_as(client, w["users"]["receiver"])
    ref = d.code or d.id
    text = (await client.get(f"/ho-so/{ref}")).text
    assert f'<iframe src="/ho-so/{ref}/tep/{row["id"]}/xem"' in text
    assert f'href="/ho-so/{ref}/tep/{row["id"]}" download' in text and "Đơn đề nghị" in text
    shown = await client.get(f"/ho-so/{ref}/tep/{row['id']}/xem")
    assert shown.status_code == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in shown.headers["content-security-policy"]
    got = await client.get(f"/ho-so/{ref}/tep/{row['id']}")
    assert got.headers["content-disposition"].startswith("attachment;")


async def test_bulk_hand_over_reports_each_dossier(client, world):
    w = world
    ok = [await _received(w, f"Người {i}") for i in range(3)]
    await login_as(client, w["users"]["ward_specialist"])
    stale = ok[2]
    step = next(s for s in stale.active_steps() if s.step_id == "check")
    await service.complete_step(stale.id, step.id, actor=w["as"]["ward_specialist"], version=stale.version)
    r = await client.post(
        "/ho-so/chuyen-tiep",
        data={
            "chon": [
                f"{ok[0].code}:{ok[0].version}",
                f"{ok[1].code}:{ok[1].version}",
                f"{stale.code}:{stale.version}",
                "x:1",
            ],
            "action": "complete_step",
            "note": "Chuyển bước hàng loạt",
            "next": "/can-bo",
            "_csrf_token": _csrf(client),
        },
    )
    assert r.status_code == 200
    text = r.text
    assert "2 trên 4 hồ sơ đã xong" in text
    done = text[text.index("Đã xong (2)") : text.index("Chưa xong (2)")]
    assert ok[0].code in done and ok[1].code in done
    failed = text[text.index("Chưa xong (2)") :]
    assert stale.code in failed and "đã được cập nhật" in failed and "Không phải mã hồ sơ" in failed
    assert 'href="/can-bo"' in text
    for d in ok[:2]:
        after = await service.get(d.id)
        assert after.version == d.version + 1
        last = (await service.events(d.id))[-1]
        assert last.action == "complete_step" and last.note == "Chuyển bước hàng loạt"
    # nothing ticked: said at the field
    r = await client.post(
        "/ho-so/chuyen-tiep", data={"action": "complete_step", "_csrf_token": _csrf(client)}
    )
    assert r.status_code == 422 and "Đánh dấu ít nhất một hồ sơ" in r.text


async def test_leader_decides_stop_requests(client, world):
    w = world
    a = await _received(w, "Người A", applicant=True)
    b = await _received(w, "Người B", applicant=True)
    a = await service.act(
        a.id, "request_stop", actor=w["as"]["citizen"], version=a.version, note="Không còn nhu cầu"
    )
    b = await service.act(
        b.id, "request_stop", actor=w["as"]["citizen"], version=b.version, note="Đã bán đất"
    )
    assert a.state == "received"
    # a second request while one waits is refused
    with pytest.raises(Exception, match="đang chờ lãnh đạo"):
        await service.act(a.id, "request_stop", actor=w["as"]["citizen"], version=a.version, note="Lần nữa")

    # the receiving desk is no leader: no page, and no refuse on the dossier
    await login_as(client, w["users"]["receiver"])
    assert (await client.get("/can-bo/yeu-cau-dung")).status_code == 403
    assert "/thao-tac/refuse_stop" not in (await client.get(f"/ho-so/{a.code}")).text
    client.cookies.clear()

    # another agency's leader sees none of them
    await login_as(client, w["users"]["commune_leader"])
    other = await client.get("/can-bo/yeu-cau-dung")
    assert other.status_code == 200 and a.code not in other.text and "Không có yêu cầu dừng" in other.text
    client.cookies.clear()

    await login_as(client, w["users"]["ward_leader"])
    r = await client.get("/can-bo/yeu-cau-dung")
    assert r.status_code == 200
    assert a.code in r.text and "Không còn nhu cầu" in r.text and "Đã bán đất" in r.text
    page = (await client.get(f"/ho-so/{a.code}")).text
    assert "Người nộp đề nghị dừng giải quyết" in page and "Không còn nhu cầu" in page
    # stop one (form 05), refuse the other, each back to the list
    r = await client.post(
        f"/ho-so/{a.code}/thao-tac/stop",
        data={
            "version": str(a.version),
            "note": "Theo đề nghị của người nộp",
            "next": "/can-bo/yeu-cau-dung",
            "_csrf_token": _csrf(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/can-bo/yeu-cau-dung"
    r = await client.post(
        f"/ho-so/{b.code}/thao-tac/refuse_stop",
        data={
            "version": str(b.version),
            "note": "",
            "next": "/can-bo/yeu-cau-dung",
            "_csrf_token": _csrf(client),
        },
    )
    assert r.status_code == 422 and "Nhập lý do" in r.text  # a refusal needs its reason
    r = await client.post(
        f"/ho-so/{b.code}/thao-tac/refuse_stop",
        data={
            "version": str(b.version),
            "note": "Hồ sơ đã thẩm định xong",
            "next": "/can-bo/yeu-cau-dung",
            "_csrf_token": _csrf(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    a_now, b_now = await service.get(a.id), await service.get(b.id)
    assert a_now.state == "stopped" and b_now.state == "received"
    last = (await service.events(b.id))[-1]
    assert (
        last.action == "refuse_stop"
        and last.actor_name == "Ward Leader"
        and last.note == "Hồ sơ đã thẩm định xong"
    )
    assert (await Dossier.select(Dossier.stop_requested_at).where(Dossier.id == b.id).first())[
        "stop_requested_at"
    ] is None
    stop_event = (await service.events(a.id))[-1]
    assert stop_event.action == "stop" and stop_event.data.get("requested_at")
    left = await client.get("/can-bo/yeu-cau-dung")
    assert a.code not in left.text and b.code not in left.text
    # refusing when nothing waits is refused, and writes nothing
    before = await DossierEvent.count().where(DossierEvent.dossier == b.id)
    r = await client.post(
        f"/ho-so/{b.code}/thao-tac/refuse_stop",
        data={"version": str(b_now.version), "note": "x", "_csrf_token": _csrf(client)},
    )
    assert r.status_code == 403 and "không có yêu cầu dừng" in r.text.lower()
    assert await DossierEvent.count().where(DossierEvent.dossier == b.id) == before
