"""Issue 9, administration of accounts (``/quan-tri/nguoi-dung/...``): create a staff account with a
one-time password that must be changed at the first sign-in, deactivate and reactivate, reset a
password, API tokens with a scope and an expiry; an agency administrator manages only their own
agency's staff. Every change is audited on the account's chain."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.audit.tables import AuditEntry
from core.contract.errors import InvalidInput
from core.identity import service
from core.identity.tables import ApiToken, User
from tests.conftest import csrf_from
from tests.fixtures.builders import TEST_PASSWORD, grant, login_as, make_user, standard_tree


async def _world() -> dict:
    tree = await standard_tree()
    users = {
        "province_admin": await make_user("qt.tinh"),
        "ward_admin": await make_user("qt.phuong"),
        "clerk": await make_user("tiepnhan.binh", full_name="Trần Thị Bình"),
        "other": await make_user("tiepnhan.chau", full_name="Lê Minh Châu"),
        "citizen": await make_user("dan.an", full_name="Nguyễn Văn An", cccd="075090001234"),
    }
    await grant(users["province_admin"], tree["province"], "province_admin")
    await grant(users["ward_admin"], tree["ward"], "agency_admin")
    await grant(users["clerk"], tree["ward"], "receiver")
    await grant(users["other"], tree["commune"], "receiver")
    await grant(users["citizen"], tree["province"], "citizen")
    return {"tree": tree, **users}


async def _post(client, path: str, **data):
    return await client.post(path, data={**data, "_csrf_token": csrf_from(client)}, follow_redirects=False)


async def _actions(user_id: int) -> list[str]:
    rows = (
        await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.chain == f"user:{user_id}")
        .order_by(AuditEntry.seq)
    )
    return [r["action"] for r in rows]


def _shown_secret(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]+)<', html)
    assert found, html
    return found.group(1).strip()


async def _login(client, username: str, password: str):
    await client.get("/dang-nhap")
    return await _post(client, "/dang-nhap", username=username, password=password, next="/tai-khoan")


async def test_create_an_account_then_its_holder_must_choose_a_password(client):
    w = await _world()
    await login_as(client, w["province_admin"])
    r = await _post(
        client,
        "/quan-tri/nguoi-dung/them",
        username="ChuyenVien.Dung",
        full_name="  Phạm   Thị Dung ",
        email="dung@dongnai.gov.vn",
        phone="0912 345 679",
        agency_id=str(w["tree"]["ward"]["id"]),
        role="specialist",
    )
    assert r.status_code == 201, r.text
    password = _shown_secret(r.text, "one-time-password")
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    row = await User.select().where(User.username == "chuyenvien.dung").first()
    assert row["full_name"] == "Phạm Thị Dung" and row["phone"] == "0912345679"
    assert row["must_change_password"] and password not in row["password_hash"]
    assert await _actions(row["id"]) == ["user_created"]
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "role_granted") & (AuditEntry.object_id == str(row["id"]))
    )
    # The page with the password is not a page to come back to: the account page does not show it.
    page = await client.get(f"/quan-tri/nguoi-dung/{row['id']}")
    assert page.status_code == 200 and password not in page.text and "Phải đổi mật khẩu" in page.text

    # The holder signs in with it: no session yet, only the form to choose a new password.
    client.cookies.clear()
    r = await _login(client, "chuyenvien.dung", password)
    assert r.status_code == 303 and r.headers["location"] == "/doi-mat-khau"
    assert (await client.get("/tai-khoan", follow_redirects=False)).status_code == 303  # not signed in
    form = await client.get("/doi-mat-khau")
    assert form.status_code == 200 and "Chọn mật khẩu mới" in form.text
    r = await _post(client, "/doi-mat-khau", password="matkhau123", password_confirm="matkhau124")
    assert r.status_code == 422 and "không khớp" in r.text
    r = await _post(client, "/doi-mat-khau", password=password, password_confirm=password)
    assert r.status_code == 422 and "phải khác mật khẩu dùng một lần" in r.text
    r = await _post(client, "/doi-mat-khau", password="MatKhauMoi2026", password_confirm="MatKhauMoi2026")
    assert r.status_code == 303 and r.headers["location"] == "/tai-khoan"
    account = await client.get("/tai-khoan")
    assert account.status_code == 200 and "Phạm Thị Dung" in account.text
    assert not (await User.select(User.must_change_password).where(User.id == row["id"]).first())[
        "must_change_password"
    ]
    assert (await _actions(row["id"]))[-2:] == ["password_changed", "login"] or "password_changed" in (
        await _actions(row["id"])
    )
    # Without a one-time password sign-in first, the change form is not reachable.
    client.cookies.clear()
    r = await client.get("/doi-mat-khau", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/dang-nhap"


async def test_the_create_form_keeps_what_was_typed_and_says_what_is_wrong(client):
    w = await _world()
    await login_as(client, w["ward_admin"])
    r = await _post(
        client,
        "/quan-tri/nguoi-dung/them",
        username="tiepnhan.binh",
        full_name="Ngô Văn Em",
        email="khong-phai-email",
        phone="123",
        agency_id=str(w["tree"]["commune"]["id"]),  # not the ward admin's agency
        role="receiver",
    )
    assert r.status_code == 422
    assert "đã có người dùng" in r.text and "không đúng dạng" in r.text and "10 chữ số" in r.text
    assert "không có quyền cấp vai trò này" in r.text
    assert 'value="Ngô Văn Em"' in r.text and 'value="khong-phai-email"' in r.text
    r = await _post(
        client, "/quan-tri/nguoi-dung/them", username="x" * 400, full_name="", agency_id="", role="citizen"
    )
    assert r.status_code == 422 and "Vui lòng nhập họ và tên" in r.text and "Vui lòng chọn cơ quan" in r.text
    assert not await User.exists().where(User.full_name == "Ngô Văn Em")


async def test_an_agency_admin_manages_only_their_agencys_staff(client):
    w = await _world()
    await login_as(client, w["ward_admin"])
    for who in ("other", "citizen", "province_admin"):
        uid = w[who]["id"]
        assert (await client.get(f"/quan-tri/nguoi-dung/{uid}")).status_code == 404, who
        for action in ("deactivate", "reset_password", "token_create"):
            r = await _post(
                client, f"/quan-tri/nguoi-dung/{uid}", action=action, name="x", scope="read", days="5"
            )
            assert r.status_code == 404, (who, action)
    assert (await client.get("/quan-tri/nguoi-dung/999999")).status_code == 404
    assert await User.count().where(User.active.eq(False)) == 0
    assert not await ApiToken.exists()

    # Their own agency's clerk: deactivate (no sign-in), then reactivate; both audited.
    clerk = w["clerk"]["id"]
    r = await _post(client, f"/quan-tri/nguoi-dung/{clerk}", action="deactivate")
    assert r.status_code == 303
    with pytest.raises(InvalidInput):  # answered as a wrong password would be
        await service.authenticate("tiepnhan.binh", TEST_PASSWORD)
    r = await _post(client, f"/quan-tri/nguoi-dung/{clerk}", action="reactivate")
    assert r.status_code == 303
    page = await client.get(f"/quan-tri/nguoi-dung/{clerk}")
    assert "Đã kích hoạt lại tài khoản" in page.text and "Đang hoạt động" in page.text
    assert await _actions(clerk) == ["user_deactivated", "user_reactivated"]
    # Not themselves: the button is not there and a forged request is refused.
    me = w["ward_admin"]["id"]
    r = await _post(client, f"/quan-tri/nguoi-dung/{me}", action="deactivate")
    page = await client.get(f"/quan-tri/nguoi-dung/{me}")
    assert "Không thể tự khóa" in page.text
    assert (await User.select(User.active).where(User.id == me).first())["active"]


async def test_a_password_reset_replaces_the_old_one_and_lifts_a_lock(client):
    w = await _world()
    clerk = w["clerk"]["id"]
    await User.update(
        {User.failed_logins: 5, User.locked_until: datetime.now(UTC) + timedelta(minutes=10)}
    ).where(User.id == clerk)
    await login_as(client, w["ward_admin"])
    r = await _post(client, f"/quan-tri/nguoi-dung/{clerk}", action="reset_password")
    assert r.status_code == 200 and "Đã đặt lại mật khẩu" in r.text
    password = _shown_secret(r.text, "one-time-password")
    assert await _actions(clerk) == ["password_reset"]
    client.cookies.clear()
    assert (await _login(client, "tiepnhan.binh", TEST_PASSWORD)).status_code == 422  # the old one is gone
    r = await _login(client, "tiepnhan.binh", password)
    assert r.status_code == 303 and r.headers["location"] == "/doi-mat-khau"


async def test_api_tokens_have_a_scope_and_an_expiry_and_can_be_revoked(client):
    w = await _world()
    clerk = w["clerk"]["id"]
    await login_as(client, w["ward_admin"])
    path = f"/quan-tri/nguoi-dung/{clerk}"
    r = await _post(client, path, action="token_create", name="", scope="admin", days="0")
    assert r.status_code == 422
    assert "đặt tên gợi nhớ" in r.text and "chọn quyền của mã" in r.text and "từ 1 đến 366" in r.text
    r = await _post(client, path, action="token_create", name="Hệ thống báo cáo", scope="read", days="400")
    assert r.status_code == 422 and 'value="Hệ thống báo cáo"' in r.text and "từ 1 đến 366" in r.text
    r = await _post(client, path, action="token_create", name="Hệ thống báo cáo", scope="read", days="30")
    assert r.status_code == 201
    read_token = _shown_secret(r.text, "api-token")
    r = await _post(client, path, action="token_create", name="Cổng DVC", scope="write", days="1")
    write_token = _shown_secret(r.text, "api-token")
    rows = {t["name"]: t for t in await ApiToken.select().where(ApiToken.user == clerk)}
    assert rows["Hệ thống báo cáo"]["scope"] == "read" and rows["Cổng DVC"]["scope"] == "write"
    left = rows["Hệ thống báo cáo"]["expires_at"] - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < left <= timedelta(days=30)
    assert read_token not in str(rows) and write_token not in str(rows)
    page = await client.get(path)
    assert read_token not in page.text and "Chỉ đọc" in page.text and "Đọc và ghi" in page.text

    api = "/api/v1/dossiers"
    read = {"Authorization": f"Bearer {read_token}"}
    write = {"Authorization": f"Bearer {write_token}"}
    assert (await client.get(api + "/999999", headers=read)).status_code == 404  # past the token check
    r = await client.post(api, json={"version": 1}, headers=read)
    assert r.status_code == 403 and "chỉ có quyền đọc" in r.text
    r = await client.post(api, json={"version": 1}, headers=write)
    assert r.status_code not in (401, 403), r.text  # past the token check (the body is what is wrong)

    # Expired: refused with its own message.
    await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        ApiToken.name == "Cổng DVC"
    )
    r = await client.get(api + "/999999", headers=write)
    assert r.status_code == 401 and "đã hết hạn" in r.text
    assert "Hết hạn" in (await client.get(path)).text

    # Revoked: refused; revoking twice changes nothing.
    token_id = rows["Hệ thống báo cáo"]["id"]
    r = await _post(client, path, action="token_revoke", token_id=str(token_id))
    assert r.status_code == 303
    assert (await client.get(api + "/999999", headers=read)).status_code == 401
    await _post(client, path, action="token_revoke", token_id=str(token_id))
    assert await _actions(clerk) == ["api_token.issue", "api_token.issue", "api_token.revoke"]
    # A deactivated account's tokens stop working too.
    await ApiToken.update({ApiToken.revoked: False}).where(ApiToken.id == token_id)
    await _post(client, path, action="deactivate")
    assert (await client.get(api + "/999999", headers=read)).status_code == 401


async def test_motcua_token_create_with_scope_and_days(client):
    from tests.integration.test_api_tokens import _motcua

    w = await _world()
    done = _motcua("token", "create", "tiepnhan.binh", "--scope", "read", "--days", "7", "--name", "Báo cáo")
    assert done.returncode == 0, done.stderr
    token = done.stdout.splitlines()[1].strip()
    row = await ApiToken.select().where(ApiToken.user == w["clerk"]["id"]).first()
    assert row["scope"] == "read" and row["name"] == "Báo cáo"
    assert timedelta(days=6, hours=23) < row["expires_at"] - datetime.now(UTC) <= timedelta(days=7)
    r = await client.post(
        "/api/v1/dossiers", json={"version": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 403
    bad = _motcua("token", "create", "tiepnhan.binh", "--days", "0")
    assert bad.returncode != 0 and "từ 1 đến 366" in bad.stderr
    # The old form still works: full access, no expiry.
    old = _motcua("token", "tiepnhan.binh")
    assert old.returncode == 0, old.stderr
    rows = await ApiToken.select().where(ApiToken.user == w["clerk"]["id"]).order_by(ApiToken.id)
    assert rows[-1]["scope"] == "write" and rows[-1]["expires_at"] is None
