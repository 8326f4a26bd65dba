"""Issue 3, bad input on the web: a stale form (the dossier changed after the page was opened) gets a
409 page in Vietnamese listing exactly the events after the version the user saw, and changes
nothing; an action the state or the user does not allow gets a clear message and changes nothing."""

from __future__ import annotations

import pytest

from core.dossiers import service
from core.dossiers.tables import DossierEvent
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def test_stale_form_gets_a_conflict_page_with_what_changed(client, world):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Cao Văn Lâm"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    await login_as(client, w["users"]["receiver"])
    page = await client.get(f"/ho-so/{d.code}")
    assert page.status_code == 200 and f'name="version" value="{d.version}"' in page.text
    seen = d.version
    # meanwhile the specialist finishes the check step and the receiving clerk's page is now stale
    step = next(s for s in d.active_steps() if s.step_id == "check")
    d = await service.complete_step(
        d.id, step.id, actor=w["as"]["ward_specialist"], version=d.version, note="Hồ sơ đầy đủ"
    )
    before = await DossierEvent.count().where(DossierEvent.dossier == d.id)

    r = await client.post(
        f"/ho-so/{d.code}/thao-tac/stop",
        data={
            "version": str(seen),
            "note": "Người nộp xin rút",
            "_csrf_token": client.cookies.get("csrftoken"),
        },
        headers={"referer": f"http://127.0.0.1:8000/ho-so/{d.code}"},
    )
    assert r.status_code == 409
    text = r.text
    assert f'href="/ho-so/{d.code}">Tải lại bản hiện tại' in text
    assert "Dữ liệu đã thay đổi trong lúc bạn thao tác" in text
    assert "Những gì đã thay đổi trong lúc đó" in text and "Thao tác của bạn chưa được lưu" in text
    assert f"phiên bản {d.version}" in text and f"phiên bản {seen})" in text
    # exactly the events after the version the user saw: #3 by the specialist, with the step's note
    assert f"#{seen + 1} " in text and "Ward Specialist" in text and "Hoàn thành bước" in text
    assert "Hồ sơ đầy đủ" in text
    assert f"#{seen} " not in text and "#1 " not in text
    # nothing changed
    now = await service.get(d.id)
    assert now.state == "in_processing" and now.version == d.version
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == before


async def test_an_action_the_state_or_user_does_not_allow_changes_nothing(client, world):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Cao Văn Lâm"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    await login_as(client, w["users"]["receiver"])
    csrf = client.cookies.get("csrftoken")
    # not allowed in this state: a draft has no result
    r = await client.post(
        f"/ho-so/{d.id}/thao-tac/mark_result_ready", data={"version": "1", "_csrf_token": csrf}
    )
    assert r.status_code == 403
    assert (
        "Không thể thực hiện &#34;Kết quả đã sẵn sàng&#34; khi hồ sơ đang ở trạng thái &#34;Bản nháp&#34;"
        in r.text
    )
    # not allowed for this user: the tax specialist is not the receiving desk
    client.cookies.clear()  # sign the receiver out for real (the server-set cookie would win)
    await login_as(client, w["users"]["tax_specialist"])
    assert "Tax Specialist" in (await client.get("/")).text
    r = await client.post(
        f"/ho-so/{d.id}/thao-tac/receive",
        data={"version": "1", "_csrf_token": client.cookies.get("csrftoken")},
    )
    assert r.status_code in (403, 404)
    same = await service.get(d.id)
    assert same.state == "draft" and same.version == 1
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == 1


async def test_dossier_page_names_the_channel_and_keeps_field_ids_unique(client, world):
    """Several action forms share field names (note…); each element id stays unique so a label or an
    error-summary link reaches its own field, and the channel reads in words, not as its code."""
    import re
    from collections import Counter

    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Cao Văn Lâm"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    await login_as(client, w["users"]["ward_specialist"])
    page = await client.get(f"/ho-so/{d.code}")
    assert page.status_code == 200
    assert "Nộp trực tiếp tại Bộ phận một cửa" in page.text and "truc_tiep" not in page.text
    ids = Counter(re.findall(r'\bid="([^"]+)"', page.text))
    assert page.text.count('name="note"') >= 2
    assert [i for i, n in ids.items() if n > 1] == []
