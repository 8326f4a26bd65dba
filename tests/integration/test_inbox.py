"""The staff inbox ``/can-bo``: whose dossiers, ordered by due, coloured, counted, filtered, paged; a
clerk sees nothing of another agency's; staff arrive there after signing in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.dossiers import engine, inbox, service
from tests.conftest import csrf_from
from tests.fixtures.builders import TEST_PASSWORD, grant, login_as
from tests.fixtures.engine_route import PROC, PROC_SUSPEND, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def received(w, name: str, *, agency: str = "ward", proc: str = PROC, receiver: str = "receiver"):
    d = await service.create(
        proc,
        w["tree"][agency]["id"],
        actor=w["as"][receiver],
        applicant={"name": name, "address": "Tân Phú"},
        data={"subject": name},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"][receiver], version=d.version)


async def submitted_online(w, name: str):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": name},
        data={"subject": name},
        channel="truc_tuyen",
    )
    return await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)


def codes(html: str) -> list[str]:
    """Dossier codes of the table's rows, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<th scope="row"><a href="/ho-so/[^"]+">([^<]+)</a>', body)


def count(html: str, colour: str) -> int:
    m = re.search(rf'class="count count-{colour}"[^>]*><strong>(\d+)</strong>', html)
    assert m, colour
    return int(m.group(1))


async def test_whose_dossiers_and_their_order_and_colours(world, monkeypatch):
    w = world
    a = await received(w, "Nguyễn Thị Hằng")
    b = await received(w, "Trần Văn Đức", proc=PROC_SUSPEND)
    c = await received(w, "Lê Văn Cường", agency="commune", receiver="commune_receiver")
    online = await submitted_online(w, "Phạm Thị Dung")
    assert a.due_at and b.due_at and b.due_at < a.due_at  # 3 working days against 5

    spec = await actor(w["users"]["ward_specialist"])
    page = await inbox.inbox_page(spec, inbox.InboxFilters())
    assert [r["code"] for r in page.rows] == [b.code, a.code]  # soonest due first
    assert page.rows[0]["steps"][0]["step_id"] == "prepare"
    assert page.rows[1]["steps"][0]["name"] == "Kiểm tra hồ sơ"
    assert page.counts == {"red": 0, "yellow": 0, "green": 2, "none": 0} and page.total == 2

    # the ward's receiver: the online dossier waiting for intake (no clock yet), not the others
    desk = await inbox.inbox_page(w["as"]["receiver"], inbox.InboxFilters())
    assert [r["code"] for r in desk.rows] == [online.code] and desk.counts["none"] == 1
    # the commune's clerk sees nothing of the ward's (another agency), only the commune's step
    commune = await inbox.inbox_page(w["as"]["commune_specialist"], inbox.InboxFilters())
    assert [r["code"] for r in commune.rows] == [c.code]
    # the ward's leader sees every dossier with an active step at the ward
    leader = await inbox.inbox_page(w["as"]["ward_leader"], inbox.InboxFilters())
    assert {r["code"] for r in leader.rows} == {a.code, b.code}
    # the tax office holds none of them yet
    assert (await inbox.inbox_page(w["as"]["tax_specialist"], inbox.InboxFilters())).rows == []

    # time passes: b turns yellow (≤ 1 working day left), then both red; the colours follow the clock
    near = b.due_at - timedelta(hours=2)
    page = await inbox.inbox_page(spec, inbox.InboxFilters(), now=near)
    assert page.rows[0]["colour"] == "yellow" and page.counts["yellow"] >= 1
    late = a.due_at + timedelta(days=1)
    page = await inbox.inbox_page(spec, inbox.InboxFilters(), now=late)
    assert page.counts == {"red": 2, "yellow": 0, "green": 0, "none": 0}
    only_red = await inbox.inbox_page(spec, inbox.InboxFilters(overdue=True), now=near)
    assert [r["code"] for r in only_red.rows] == []
    only_yellow = await inbox.inbox_page(spec, inbox.InboxFilters(colour="yellow"), now=near)
    assert [r["code"] for r in only_yellow.rows] == [b.code]


async def test_the_page_filters_in_the_url_and_denies_citizens(client, world):
    w = world
    a = await received(w, "Nguyễn Thị Hằng")
    b = await received(w, "Trần Văn Đức", proc=PROC_SUSPEND)
    await login_as(client, w["users"]["ward_specialist"])

    r = await client.get("/can-bo")
    assert r.status_code == 200
    assert codes(r.text) == [b.code, a.code]
    assert count(r.text, "green") == 2 and count(r.text, "red") == 0
    assert '<a href="/can-bo" aria-current="page">Hồ sơ cần xử lý</a>' in r.text

    r = await client.get(f"/can-bo?thu_tuc={PROC}")
    assert codes(r.text) == [a.code]
    assert f'<option value="{PROC}" selected>' in r.text  # the filter is kept in the form
    assert f"thu_tuc={PROC}" in r.text  # and in the counts' links and the poll
    assert codes((await client.get("/can-bo?buoc=prepare")).text) == [b.code]
    assert codes((await client.get("/can-bo?kenh=truc_tuyen")).text) == []
    assert codes((await client.get("/can-bo?trang_thai=received")).text) == [b.code, a.code]
    assert codes((await client.get("/can-bo?qua_han=1")).text) == []
    assert codes((await client.get("/can-bo?den_han_hom_nay=1")).text) == []
    today = engine.utcnow().astimezone(inbox.timing.VN_TZ)
    day = f"{today:%d/%m/%Y}"
    assert codes((await client.get(f"/can-bo?tu_ngay={day}&den_ngay={day}")).text) == [b.code, a.code]
    yesterday = f"{today - timedelta(days=1):%d/%m/%Y}"
    assert codes((await client.get(f"/can-bo?den_ngay={yesterday}")).text) == []

    # nonsense in the filters: a message at the field, the other filters still apply, no 500
    r = await client.get("/can-bo?tu_ngay=31/02/2026&thu_tuc=khong-co&kenh=x" + "y" * 300)
    assert r.status_code == 200
    assert "Ngày không hợp lệ" in r.text and "Không có thủ tục này trong danh mục." in r.text
    assert 'value="31/02/2026"' in r.text  # what was typed stays
    assert codes(r.text) == [b.code, a.code]

    # the counts alone (htmx polling) and as a page without htmx
    frag = await client.get("/can-bo/dem?thu_tuc=" + PROC, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and frag.text.lstrip().startswith('<div id="inbox-counts"')
    assert count(frag.text, "green") == 1 and "<html" not in frag.text
    whole = await client.get("/can-bo/dem")
    assert "<html" in whole.text and count(whole.text, "green") == 2

    client.cookies.clear()
    await login_as(client, w["users"]["citizen"])
    assert (await client.get("/can-bo")).status_code == 403
    client.cookies.clear()
    assert (await client.get("/can-bo", follow_redirects=False)).status_code in (302, 303, 401)


async def test_pages_of_fifty(world, monkeypatch):
    w = world
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    made = [await received(w, f"Người nộp {i}") for i in range(5)]
    spec = w["as"]["ward_specialist"]
    first = await inbox.inbox_page(spec, inbox.InboxFilters(page=1))
    last = await inbox.inbox_page(spec, inbox.InboxFilters(page=9))
    assert first.pages == 3 and last.page == 3 and len(last.rows) == 1
    seen = [
        r["code"] for p in (1, 2, 3) for r in (await inbox.inbox_page(spec, inbox.InboxFilters(page=p))).rows
    ]
    assert sorted(seen) == sorted(d.code for d in made) and len(set(seen)) == 5
    assert inbox.parse_filters({"trang": "abc"})[0].page == 1


async def test_staff_start_on_their_inbox_after_signing_in(client, world):
    from core.identity.service import hash_password
    from core.identity.tables import User

    w = world
    await User.update({User.password_hash: hash_password(TEST_PASSWORD)}).where(
        User.id.is_in([w["users"]["ward_specialist"]["id"], w["users"]["citizen"]["id"]])
    )
    await client.get("/dang-nhap")
    data = {"username": "ward_specialist", "password": TEST_PASSWORD, "_csrf_token": csrf_from(client)}
    r = await client.post("/dang-nhap", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/can-bo"
    assert (await client.get("/dang-nhap", follow_redirects=False)).headers["location"] == "/can-bo"
    client.cookies.clear()
    await client.get("/dang-nhap")
    data = {"username": "citizen", "password": TEST_PASSWORD, "_csrf_token": csrf_from(client), "next": "/"}
    r = await client.post("/dang-nhap", data=data, follow_redirects=False)
    assert r.headers["location"] in ("/", "/ho-so-cua-toi")
    assert r.headers["location"] != "/can-bo"


async def test_a_step_assigned_to_someone_else_is_not_in_my_inbox(world):
    from core.dossiers.tables import DossierStep
    from tests.fixtures.engine_route import make_user

    w = world
    a = await received(w, "Nguyễn Thị Hằng")
    other = await make_user("ward_specialist_2", full_name="Võ Thị Giang")
    await grant(other, w["tree"]["ward"], "specialist")
    await DossierStep.update({DossierStep.assignee: other["id"]}).where(
        (DossierStep.dossier == a.id) & (DossierStep.status == "active")
    )
    mine = await inbox.inbox_page(w["as"]["ward_specialist"], inbox.InboxFilters())
    theirs = await inbox.inbox_page(await actor(other), inbox.InboxFilters())
    assert mine.rows == [] and [r["code"] for r in theirs.rows] == [a.code]
    assert theirs.rows[0]["steps"][0]["holder"] == "Võ Thị Giang"


async def test_bulk_hand_over_from_the_inbox_without_javascript(client, world):
    """Ticked rows of ``/can-bo`` post to ``/ho-so/chuyen-tiep`` (a plain form); a dossier that
    changed since the list was drawn is refused alone with its reason, the others go through."""
    w = world
    ds = [await received(w, f"Người {i}") for i in range(3)]
    online = await submitted_online(w, "Phạm Thị Dung")
    await login_as(client, w["users"]["ward_specialist"])
    html = (await client.get(f"/can-bo?thu_tuc={PROC}")).text
    assert '<form method="post" action="/ho-so/chuyen-tiep"' in html
    ticks = re.findall(r'name="chon" value="([^"]+)"', html)
    assert sorted(ticks) == sorted(f"{d.code}:{d.version}" for d in ds)
    assert '<option value="complete_step">' in html and '<option value="approve">' not in html
    assert f'name="next" value="/can-bo?thu_tuc={PROC}"' in html
    # someone else moves the last one on while the list stays open
    stale = ds[2]
    step = next(s for s in stale.active_steps() if s.step_id == "check")
    await service.complete_step(stale.id, step.id, actor=w["as"]["ward_specialist"], version=stale.version)
    r = await client.post(
        "/ho-so/chuyen-tiep",
        data={
            "chon": ticks,
            "action": "complete_step",
            "note": "",
            "next": f"/can-bo?thu_tuc={PROC}",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 200
    assert "2 trên 3 hồ sơ đã xong" in r.text
    failed = r.text[r.text.index("Chưa xong (1)") :]
    assert stale.code in failed and "đã được cập nhật" in failed
    assert f'href="/can-bo?thu_tuc={PROC}"' in r.text
    for d in ds[:2]:
        assert (await service.get(d.id)).version == d.version + 1
    # the desk's list offers receiving the online dossier, nothing to a list without such rows
    client.cookies.clear()
    await login_as(client, w["users"]["receiver"])
    html = (await client.get("/can-bo")).text
    assert re.findall(r'name="chon" value="([^"]+)"', html) == [f"{online.code}:{online.version}"]
    assert '<option value="receive">' in html
    client.cookies.clear()
    await login_as(client, w["users"]["commune_specialist"])
    assert "/ho-so/chuyen-tiep" not in (await client.get("/can-bo")).text
