"""Decree 13/2023: every read of a citizen's dossier by staff is logged (who, when, what, why) on the
audit chain of the agency that allowed it, and the province administrator reads that log."""

from __future__ import annotations

import pytest

from core.audit import chain
from core.audit.tables import AuditEntry
from core.dossiers import reads
from tests.fixtures.builders import grant, login_as
from tests.fixtures.engine_route import PROC, actor, make_user, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    from core.dossiers import service

    w = await setup_route(temp_plugin)
    receiver = await actor(w["users"]["receiver"])
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=receiver,
        applicant={"name": "Nguyễn Thị Hằng", "address": "Tân Phú"},
        data={"subject": "Đề nghị"},
        channel="truc_tiep",
    )
    w["dossier"] = await service.receive(d.id, actor=receiver, version=d.version)
    admin = await make_user("qt_tinh", full_name="Quản Trị Tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    w["users"]["admin"] = admin
    return w


async def _reads(code: str) -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.action == reads.READ_ACTION) & (AuditEntry.object_id == code))
        .order_by(AuditEntry.id)
        .output(load_json=True)
    )


async def test_a_staff_read_is_logged_once_with_who_what_and_why(client, world):
    code = world["dossier"].code
    await login_as(client, world["users"]["ward_specialist"])
    assert (await client.get(f"/ho-so/{code}")).status_code == 200
    [entry] = await _reads(code)
    assert entry["actor_id"] == world["users"]["ward_specialist"]["id"]
    assert entry["chain"] == f"agency:{world['tree']['ward']['code']}"
    assert entry["data"]["route"] == "dossier_page" and entry["data"]["path"] == f"/ho-so/{code}"
    assert entry["data"]["roles"] == ["specialist"] and entry["data"]["reason"] in ("step", "receiving")
    # The same page again (or polled) within REPEAT_MINUTES: one entry.
    assert (await client.get(f"/ho-so/{code}")).status_code == 200
    assert len(await _reads(code)) == 1
    assert (await chain.verify_all()) == []


async def test_refused_reads_and_the_applicants_own_reads_are_not_logged(client, world):
    code = world["dossier"].code
    await login_as(client, world["users"]["police_specialist"])  # no step at the police yet
    assert (await client.get(f"/ho-so/{code}")).status_code == 404
    assert (await client.get("/ho-so/KHONG-CO-MA")).status_code == 404
    assert await _reads(code) == []
    assert not reads.collecting(), "outside a request nothing collects"


async def test_the_province_admin_reads_the_log_with_filters(client, world):
    code = world["dossier"].code
    await login_as(client, world["users"]["ward_leader"])
    assert (await client.get(f"/ho-so/{code}")).status_code == 200
    r = await client.get("/quan-tri/nhat-ky-doc-du-lieu")
    assert r.status_code == 403, "only the province administrator"
    client.cookies.clear()
    await login_as(client, world["users"]["admin"])
    r = await client.get(f"/quan-tri/nhat-ky-doc-du-lieu?ma={code}")
    assert r.status_code == 200
    assert "Ward Leader" in r.text and f"/ho-so/{code}" in r.text
    r = await client.get("/quan-tri/nhat-ky-doc-du-lieu?tai_khoan=receiver")
    assert "Ward Leader" not in r.text
    r = await client.get("/quan-tri/nhat-ky-doc-du-lieu?tai_khoan=khong-ai&tu=2026-13-45")
    assert r.status_code == 200
    assert (
        "Không có tài khoản tên &#39;khong-ai&#39;." in r.text
        or "Không có tài khoản tên 'khong-ai'." in r.text
    )
    assert 'id="e-tu"' in r.text and 'value="2026-13-45"' in r.text, (
        "the message at the field, what was typed kept"
    )
    # The administrator's own read of the dossier is logged too, on the global chain.
    assert (await client.get(f"/ho-so/{code}")).status_code == 200
    mine = [e for e in await _reads(code) if e["actor_id"] == world["users"]["admin"]["id"]]
    assert [e["chain"] for e in mine] == ["global"] and mine[0]["data"]["reason"] == "province_admin"


async def test_a_citizen_downloads_everything_held_about_them_with_who_read_it(client, world):
    import io
    import json
    import zipfile

    from core.dossiers import service

    citizen = await actor(world["users"]["citizen"])
    d = await service.create(
        PROC,
        world["tree"]["ward"]["id"],
        actor=citizen,
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "Xin xác nhận"},
        channel="truc_tuyen",
    )
    d = await service.submit(d.id, actor=citizen, version=d.version)
    d = await service.receive(d.id, actor=await actor(world["users"]["receiver"]), version=d.version)
    await login_as(client, world["users"]["ward_specialist"])
    assert (await client.get(f"/ho-so/{d.code}")).status_code == 200

    client.cookies.clear()
    await login_as(client, world["users"]["citizen"])
    assert "/tai-khoan/du-lieu-cua-toi" in (await client.get("/tai-khoan")).text
    r = await client.get("/tai-khoan/du-lieu-cua-toi")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert "attachment" in r.headers["content-disposition"] and r.headers["cache-control"] == "no-store"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    assert {"DOC-TOI.txt", "tai-khoan.json", "thong-bao.json", "nhat-ky-truy-cap.json"} <= names
    assert json.loads(z.read("tai-khoan.json"))["cccd"] == "079123456789"
    record = json.loads(z.read(f"ho-so/{d.code}/ho-so.json"))
    assert record["data"] == {"subject": "Xin xác nhận"} and "lookup_key" not in record
    assert [e["action"] for e in record["events"]][:3] == ["create", "submit", "receive"]
    assert all("actor_name" not in e for e in record["events"]), "the officers' names are theirs"
    [read] = json.loads(z.read("nhat-ky-truy-cap.json"))
    assert read["dossier"] == d.code and read["roles"] == ["specialist"] and read["agency"]
    assert "ward_specialist" not in z.read("nhat-ky-truy-cap.json").decode()
    # The counter dossier of the world is nobody's account's: not in this person's archive.
    assert not any(world["dossier"].code in n for n in names)
    exported = await AuditEntry.select().where(AuditEntry.action == "privacy.export").first()
    assert exported["actor_id"] == world["users"]["citizen"]["id"]
    # Anonymous: sign in first.
    client.cookies.clear()
    assert (await client.get("/tai-khoan/du-lieu-cua-toi", follow_redirects=False)).status_code in (
        302,
        303,
        401,
    )
