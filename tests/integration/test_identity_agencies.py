"""Province administration of the agency tree from the web: add, edit, deactivate (never delete)."""

from __future__ import annotations

import html
import json

from core.audit.tables import AuditEntry
from core.identity.tables import Agency
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_agency, make_user, standard_tree

GOOD = {
    "name": "UBND xã Phú Lý",
    "code": "000.30.40.H39",
    "eid": "H39.040",
    "level": "commune",
    "parent_code": "000.00.00.H39",
    "kind": "",
    "province_code": "",
    "work_sessions": "07:30-11:30, 13:30-17:00",
}


async def _as_province_admin(client) -> dict:
    tree = await standard_tree()
    boss = await make_user("qt.tinh")
    await grant(boss, tree["province"], "province_admin")
    await login_as(client, boss)
    return {"tree": tree, "boss": boss}


async def _post(client, url, data, headers=None):
    return await client.post(
        url, data={**data, "_csrf_token": csrf_from(client)}, headers=headers or {}, follow_redirects=False
    )


def _error(text: str, name: str) -> str:
    return html.unescape(text.split(f'id="f-{name}-error"')[1].split("</p>")[0])


async def test_a_province_admin_adds_an_agency_and_it_is_audited(client):
    ctx = await _as_province_admin(client)
    form = await client.get("/quan-tri/co-quan/them")
    assert form.status_code == 200 and 'name="code"' in form.text and 'name="remote_area"' in form.text
    assert '<option value="000.00.00.H39"' in form.text  # the province is offered as a parent
    r = await _post(client, "/quan-tri/co-quan/them", {**GOOD, "remote_area": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/quan-tri/co-quan"
    row = await Agency.select().where(Agency.code == "000.30.40.H39").first()
    sessions = (
        row["work_sessions"]
        if not isinstance(row["work_sessions"], str)
        else json.loads(row["work_sessions"])
    )
    assert (
        row["name"],
        row["eid"],
        row["level"],
        row["parent"],
        row["remote_area"],
        row["province_code"],
        sessions,
    ) == (
        "UBND xã Phú Lý",
        "H39.040",
        "commune",
        ctx["tree"]["province"]["id"],
        True,
        "75",
        [["07:30", "11:30"], ["13:30", "17:00"]],
    )
    entry = (
        await AuditEntry.select(AuditEntry.actor_id, AuditEntry.chain)
        .where((AuditEntry.action == "agency_created") & (AuditEntry.object_id == str(row["id"])))
        .first()
    )
    assert entry == {"actor_id": ctx["boss"]["id"], "chain": "agency:000.30.40.H39"}
    tree = await client.get("/quan-tri/co-quan")
    assert "UBND xã Phú Lý" in tree.text and f'href="/quan-tri/co-quan/{row["id"]}/sua"' in tree.text
    assert "Đã thêm cơ quan." in tree.text


async def test_each_bad_value_gets_its_own_vietnamese_message_and_typed_values_stay(client):
    await _as_province_admin(client)
    before = await Agency.count()
    cases = [
        ({"name": "  "}, "name", "Vui lòng nhập tên cơ quan."),
        ({"name": "X" * 300}, "name", "Tên cơ quan dài tối đa 255 ký tự"),
        ({"code": "30.40.H39"}, "code", "chưa đúng định dạng QCVN 102:2016/BTTTT"),
        ({"code": ""}, "code", "Vui lòng nhập mã cơ quan"),
        ({"code": "000.30.31.H39"}, "code", "Mã cơ quan 000.30.31.H39 đã được dùng cho một cơ quan khác."),
        ({"eid": "h39-040"}, "eid", "chưa đúng định dạng QĐ 20/2020/QĐ-TTg"),
        ({"level": "ward"}, "level", 'Cấp cơ quan "ward" không tồn tại.'),
        (
            {"level": "district", "parent_code": ""},
            "parent_code",
            "Cơ quan cấp huyện phải thuộc một cơ quan cấp trên",
        ),
        ({"level": "commune", "parent_code": "000.40.01.H39"}, "parent_code", "không thể trực thuộc"),
        ({"parent_code": "000.99.99.H39"}, "parent_code", "Không có cơ quan cấp trên mã 000.99.99.H39."),
        ({"kind": "army"}, "kind", "Vui lòng chọn ngành trong danh sách."),
        ({"level": "sector", "kind": ""}, "kind", "Cơ quan ngành dọc phải có ngành"),
        ({"province_code": "7a"}, "province_code", "Mã tỉnh gồm đúng 2 chữ số"),
        ({"work_sessions": "sáng"}, "work_sessions", "Vui lòng nhập các buổi làm việc"),
        ({"work_sessions": "12:00-08:00"}, "work_sessions", "giờ kết thúc phải sau giờ bắt đầu"),
        ({"work_sessions": "13:00-17:00, 08:00-12:00"}, "work_sessions", "theo thứ tự trong ngày"),
    ]
    for change, field, message in cases:
        data = {**GOOD, **change}
        for headers in ({}, {"HX-Request": "true"}):
            r = await _post(client, "/quan-tri/co-quan/them", data, headers)
            assert r.status_code == 422, (change, r.status_code)
            assert message in _error(r.text, field), (change, field)
            assert 'class="error-summary"' in r.text and f'href="#f-{field}"' in r.text
            assert 'value="UBND xã Phú Lý"' in r.text or field == "name"  # typed values kept
    assert await Agency.count() == before


async def test_garbage_nul_and_overlong_input_never_gives_a_500(client):
    await _as_province_admin(client)
    before = await Agency.count()
    for data in (
        {**GOOD, "name": "UBND\x00 xã", "code": "000.30.41.H39\x00", "eid": "\x00"},
        {k: "Ω" * 5000 for k in GOOD},
        {k: "\x00\x01" for k in GOOD},
        {"level": "commune"},
    ):
        r = await _post(client, "/quan-tri/co-quan/them", data)
        assert r.status_code in (303, 422), (r.status_code, r.text[:300])
        assert "\x00" not in r.text
    row = (
        await Agency.select(Agency.name, Agency.code, Agency.eid)
        .where(Agency.code == "000.30.41.H39")
        .first()
    )
    assert row == {"name": "UBND xã", "code": "000.30.41.H39", "eid": None}  # control characters dropped
    assert await Agency.count() == before + 1
    bad = await client.post(
        "/quan-tri/co-quan/999999/sua",
        data={"name": "x", "work_sessions": "08:00-12:00", "_csrf_token": csrf_from(client)},
    )
    assert bad.status_code == 404
    assert (await client.get("/quan-tri/co-quan/abc/sua")).status_code == 404


async def test_edit_renames_and_corrects_and_keeps_code_level_and_parent(client):
    ctx = await _as_province_admin(client)
    ward = ctx["tree"]["ward"]
    page = await client.get(f"/quan-tri/co-quan/{ward['id']}/sua")
    assert page.status_code == 200 and 'value="UBND phường Trấn Biên"' in page.text
    assert 'value="08:00-12:00, 13:00-17:00"' in page.text and "000.30.31.H39" in page.text
    data = {
        "name": "UBND  phường Trấn Biên mới",
        "eid": "H39.031",
        "kind": "",
        "work_sessions": "07:00-11:00",
        "remote_area": "1",
        "active": "1",
        "code": "000.99.99.H39",
        "level": "province",
    }
    r = await _post(client, f"/quan-tri/co-quan/{ward['id']}/sua", data)
    assert r.status_code == 303
    row = await Agency.select().where(Agency.id == ward["id"]).first()
    assert (row["name"], row["eid"], row["remote_area"], row["active"], row["code"], row["level"]) == (
        "UBND phường Trấn Biên mới",
        "H39.031",
        True,
        True,
        "000.30.31.H39",
        "commune",
    )
    sessions = (
        row["work_sessions"]
        if not isinstance(row["work_sessions"], str)
        else json.loads(row["work_sessions"])
    )
    assert sessions == [["07:00", "11:00"]]
    entry = (
        await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data)
        .where((AuditEntry.action == "agency_updated") & (AuditEntry.object_id == str(ward["id"])))
        .first()
    )
    data_ = entry["data"] if isinstance(entry["data"], dict) else json.loads(entry["data"])
    assert entry["actor_id"] == ctx["boss"]["id"]
    assert data_["changes"]["name"] == ["UBND phường Trấn Biên", "UBND phường Trấn Biên mới"]
    assert set(data_["changes"]) == {"name", "eid", "remote_area", "work_sessions"}
    # errors at the field, values kept; the eid of another agency is refused
    await Agency.update({Agency.eid: "H39.032"}).where(Agency.id == ctx["tree"]["commune"]["id"])
    for change, field, message in (
        ({"name": ""}, "name", "Vui lòng nhập tên cơ quan."),
        ({"eid": "H39.032"}, "eid", "đã được dùng cho một cơ quan khác"),
        ({"eid": "X"}, "eid", "chưa đúng định dạng"),
        ({"work_sessions": "8h-12h"}, "work_sessions", "Vui lòng nhập các buổi làm việc"),
        ({"name": "N" * 256}, "name", "dài tối đa 255 ký tự"),
    ):
        r = await _post(client, f"/quan-tri/co-quan/{ward['id']}/sua", {**data, **change})
        assert r.status_code == 422 and message in _error(r.text, field), change
        assert f'value="{html.escape({**data, **change}["work_sessions"])}"' in r.text
    tax = ctx["tree"]["tax"]
    r = await _post(
        client,
        f"/quan-tri/co-quan/{tax['id']}/sua",
        {"name": "Thuế", "kind": "", "active": "1", "work_sessions": "08:00-12:00"},
    )
    assert r.status_code == 422 and "Cơ quan ngành dọc phải có ngành" in _error(r.text, "kind")


async def test_deactivate_and_reactivate_never_delete(client):
    ctx = await _as_province_admin(client)
    tree = ctx["tree"]
    base = {"work_sessions": "08:00-12:00, 13:00-17:00", "kind": "", "eid": ""}
    r = await _post(
        client,
        f"/quan-tri/co-quan/{tree['commune']['id']}/sua",
        {**base, "name": "UBND xã Tân Phú", "remote_area": "1"},
    )
    assert r.status_code == 303
    assert await Agency.select(Agency.active).where(Agency.id == tree["commune"]["id"]).first() == {
        "active": False
    }
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "agency_deactivated") & (AuditEntry.object_id == str(tree["commune"]["id"]))
    )
    page = await client.get("/quan-tri/co-quan")
    item = page.text.split(f'id="agency-{tree["commune"]["id"]}"')[1].split("</li>")[0]
    assert "UBND xã Tân Phú" in item and "ngừng hoạt động" in item
    form = await client.get("/quan-tri/co-quan/them")
    assert '<option value="000.30.32.H39"' not in form.text  # an inactive agency takes no children
    # a parent with active children is not deactivated
    r = await _post(
        client, f"/quan-tri/co-quan/{tree['finance']['id']}/sua", {**base, "name": "Sở Tài chính"}
    )
    assert r.status_code == 422 and "còn cơ quan trực thuộc đang hoạt động" in _error(r.text, "active")
    r = await _post(
        client,
        f"/quan-tri/co-quan/{tree['commune']['id']}/sua",
        {**base, "name": "UBND xã Tân Phú", "remote_area": "1", "active": "1"},
    )
    assert r.status_code == 303
    assert await AuditEntry.exists().where(AuditEntry.action == "agency_reactivated")
    assert await Agency.count() == len(tree)


async def test_only_a_province_admin_and_with_csrf(client):
    tree = await standard_tree()
    ward_admin = await make_user("qt.phuong")
    await grant(ward_admin, tree["ward"], "agency_admin")
    await login_as(client, ward_admin)
    for url in ("/quan-tri/co-quan", "/quan-tri/co-quan/them", f"/quan-tri/co-quan/{tree['ward']['id']}/sua"):
        r = await client.get(url, follow_redirects=False)
        assert r.status_code == 403 and "Tài khoản của bạn không có quyền mở trang này." in r.text, url
    r = await _post(client, "/quan-tri/co-quan/them", GOOD)
    assert r.status_code == 403
    r = await _post(
        client,
        f"/quan-tri/co-quan/{tree['ward']['id']}/sua",
        {"name": "Đổi", "active": "1", "work_sessions": "08:00-12:00"},
    )
    assert r.status_code == 403
    assert not await Agency.exists().where(Agency.code == GOOD["code"])
    assert await Agency.select(Agency.name).where(Agency.id == tree["ward"]["id"]).first() == {
        "name": "UBND phường Trấn Biên"
    }
    boss = await make_user("qt.tinh")
    await grant(boss, tree["province"], "province_admin")
    await login_as(client, boss)
    r = await client.post("/quan-tri/co-quan/them", data=GOOD, follow_redirects=False)  # no CSRF token
    assert r.status_code == 403 and not await Agency.exists().where(Agency.code == GOOD["code"])


async def test_tree_page_query_count_does_not_grow_with_agencies(client, count_queries):
    ctx = await _as_province_admin(client)
    await client.get("/quan-tri/co-quan")
    with count_queries() as few:
        assert (await client.get("/quan-tri/co-quan")).status_code == 200
    for i in range(30):
        await make_agency(
            f"000.31.{i:02d}.H39", f"UBND xã {i}", "commune", parent=ctx["tree"]["province"]["id"]
        )
    with count_queries() as many:
        text = (await client.get("/quan-tri/co-quan")).text
    assert "UBND xã 29" in text
    assert len(many) == len(few), (few.statements, many.statements)
    with count_queries() as form_few:
        await client.get("/quan-tri/co-quan/them")
    await make_agency("000.32.01.H39", "UBND xã thêm", "commune", parent=ctx["tree"]["province"]["id"])
    with count_queries() as form_many:
        await client.get("/quan-tri/co-quan/them")
    assert len(form_many) == len(form_few)
