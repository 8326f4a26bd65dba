"""Sign-in with lockout, sign-out, citizen registration, the account page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from core.audit.tables import AuditEntry
from core.identity.tables import Agency, LoginAttempt, RoleGrant, SessionRow, User
from tests.conftest import csrf_from
from tests.fixtures.builders import TEST_PASSWORD, grant, make_user, standard_tree

VALID_CCCD = "075089001234"


async def _login(client, username, password=TEST_PASSWORD, nxt=None):
    await client.get("/dang-nhap")
    data = {"username": username, "password": password, "_csrf_token": csrf_from(client)}
    if nxt is not None:
        data["next"] = nxt
    return await client.post("/dang-nhap", data=data, follow_redirects=False)


async def test_login_success_starts_a_new_server_session(client):
    tree = await standard_tree()
    user = await make_user("canbo.a", full_name="Nguyễn Văn A")
    await grant(user, tree["ward"], "receiver")
    await client.get("/")
    assert await SessionRow.count() == 0  # an anonymous visit stores no session row
    await SessionRow.insert(SessionRow(key="attacker-chosen-id", value="e30="))
    client.cookies.set("motcua_session", "attacker-chosen-id", domain="127.0.0.1")
    r = await _login(client, "Canbo.A ", nxt="/tai-khoan")
    assert r.status_code == 303 and r.headers["location"] == "/tai-khoan"
    sid = client.cookies.get("motcua_session")
    assert sid and sid != "attacker-chosen-id"
    assert await SessionRow.count() == 1 and await SessionRow.exists().where(SessionRow.key == sid)
    page = await client.get("/tai-khoan")
    assert page.status_code == 200
    assert (
        "Nguyễn Văn A" in page.text
        and "UBND phường Trấn Biên" in page.text
        and "Cán bộ tiếp nhận" in page.text
    )
    attempt = await LoginAttempt.select().first()
    assert attempt["success"] is True and attempt["username"] == "canbo.a"
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action).where(AuditEntry.chain == f"user:{user['id']}")
    ]
    assert actions == ["login"]


async def test_next_must_be_a_local_path(client):
    await standard_tree()
    await make_user("canbo.b")
    r = await _login(client, "canbo.b", nxt="https://evil.example/")
    assert r.headers["location"] == "/ho-so-cua-toi", (
        "a citizen lands on their dossiers, not on the foreign address"
    )
    client.cookies.clear()
    r = await _login(client, "canbo.b", nxt="//evil.example/x")
    assert r.headers["location"] == "/ho-so-cua-toi"


async def test_wrong_password_is_422_with_the_username_kept(client):
    await standard_tree()
    await make_user("canbo.c")
    r = await _login(client, "canbo.c", "sai-mat-khau")
    assert r.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in r.text
    assert 'value="canbo.c"' in r.text and "sai-mat-khau" not in r.text
    assert "Lỗi:" in r.text  # title prefixed, error summary shown
    assert (await User.select(User.failed_logins).first())["failed_logins"] == 1
    r = await _login(client, "khong-co-ai", "x")
    assert r.status_code == 422 and "Tên đăng nhập hoặc mật khẩu không đúng" in r.text


async def test_empty_fields_get_messages_at_each_field(client):
    r = await _login(client, "", "")
    assert r.status_code == 422
    assert "Vui lòng nhập tên đăng nhập." in r.text and "Vui lòng nhập mật khẩu." in r.text


async def test_five_failures_lock_for_fifteen_minutes_then_unlock(client):
    await standard_tree()
    user = await make_user("canbo.d")
    for _ in range(4):
        assert (await _login(client, "canbo.d", "sai")).status_code == 422
    r = await _login(client, "canbo.d", "sai")
    assert r.status_code == 422 and "Tài khoản tạm bị khóa" in r.text and "Vui lòng thử lại sau" in r.text
    row = await User.select(User.locked_until).first()
    assert timedelta(minutes=14) < row["locked_until"] - datetime.now(UTC) <= timedelta(minutes=15)
    r = await _login(client, "canbo.d")  # even the right password is refused while locked
    assert r.status_code == 422 and "Tài khoản tạm bị khóa" in r.text
    assert await SessionRow.count() == 0  # no signed-in session was started
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.chain == f"user:{user['id']}")
        .order_by(AuditEntry.seq)
    ]
    assert actions == ["login_failed"] * 5 + ["locked", "login_failed"]
    await User.update({User.locked_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        User.id == user["id"]
    )
    r = await _login(client, "canbo.d")
    assert r.status_code == 303
    row = await User.select(User.locked_until, User.failed_logins).first()
    assert row["locked_until"] is None and row["failed_logins"] == 0
    assert await LoginAttempt.count().where(LoginAttempt.success.eq(False)) == 6


async def test_logout_deletes_the_session_row(client):
    await standard_tree()
    user = await make_user("canbo.e")
    await _login(client, "canbo.e")
    assert await SessionRow.count() == 1
    r = await client.post("/dang-xuat", data={"_csrf_token": csrf_from(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert await SessionRow.count() == 0
    r = await client.get("/tai-khoan", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dang-nhap?next=/tai-khoan")
    actions = [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.chain == f"user:{user['id']}")
        .order_by(AuditEntry.seq)
    ]
    assert actions == ["login", "logout"]


def _reg(client, **over):
    data = {
        "full_name": "Trần Thị Bích",
        "birth_date": "02/05/1989",
        "sex": "male",
        "cccd": VALID_CCCD,
        "phone": "0912345678",
        "email": "bich@example.vn",
        "username": "tranthibich",
        "password": "MatKhau2026",
        "password_confirm": "MatKhau2026",
        "_csrf_token": csrf_from(client),
    }
    data.update(over)
    return client.post("/dang-ky", data=data, follow_redirects=False)


async def test_registration_creates_a_citizen_who_then_signs_in(client):
    tree = await standard_tree()
    await client.get("/dang-ky")
    decomposed = "Tra\u0302\u0300n Thi\u0323 Bi\u0301ch"  # NFD as some keyboards send it
    r = await _reg(client, full_name=f"  {decomposed} ", cccd="075 089 001 234")
    assert r.status_code == 303 and r.headers["location"] == "/dang-ky/da-tiep-nhan"
    outcome = await client.get("/dang-ky/da-tiep-nhan")
    assert outcome.status_code == 200 and "Đã tiếp nhận đăng ký" in outcome.text
    user = await User.select().first()
    assert user["full_name"] == "Trần Thị Bích" and user["cccd"] == VALID_CCCD
    assert user["birth_date"] == date(1989, 5, 2) and user["sex"] == "male"
    assert user["password_hash"].startswith("$argon2id$")
    g = await RoleGrant.select().first()
    assert g["role"] == "citizen" and g["agency"] == tree["province"]["id"]
    r = await _login(client, "tranthibich", "MatKhau2026")
    assert r.status_code == 303
    page = await client.get("/tai-khoan")
    assert "Trần Thị Bích" in page.text and "Công dân" in page.text


async def test_registration_errors_at_each_field_with_values_kept(client):
    await standard_tree()
    await client.get("/dang-ky")
    r = await _reg(
        client,
        full_name="",
        cccd="099089001234",
        phone="12345",
        email="khong-hop-le",
        username="A B",
        password="ngan",
        password_confirm="khac",
    )
    assert r.status_code == 422
    for message in (
        "Vui lòng nhập họ và tên.",
        "Mã tỉnh 099 trong số CCCD không tồn tại",
        "Số điện thoại gồm 10 chữ số",
        "Địa chỉ thư điện tử chưa đúng dạng",
        "Tên đăng nhập gồm 3–64 ký tự",
        "Mật khẩu phải có ít nhất 8 ký tự.",
        "Mật khẩu nhập lại không khớp.",
    ):
        assert message in r.text
    assert 'value="099089001234"' in r.text and 'value="12345"' in r.text and 'value="khong-hop-le"' in r.text
    assert 'href="#f-cccd"' in r.text and 'aria-invalid="true"' in r.text
    assert await User.count() == 0


async def test_registration_refuses_a_taken_username_at_its_field(client):
    await standard_tree()
    await make_user("tranthibich", cccd="075089009999", email="khac@example.vn")
    await client.get("/dang-ky")
    r = await _reg(client)
    assert r.status_code == 422
    assert "Tên đăng nhập này đã có người dùng" in r.text
    assert await User.count() == 1


async def test_registration_birth_date_and_sex_are_checked_against_the_cccd(client):
    await standard_tree()
    await client.get("/dang-ky")
    r = await _reg(client, birth_date="", sex="")  # both missing
    assert r.status_code == 422
    assert "Vui lòng nhập ngày sinh" in r.text and "Vui lòng chọn giới tính" in r.text
    r = await _reg(client, birth_date="31/02/1989")  # not a real day; what was typed is kept
    assert r.status_code == 422 and "không phải một ngày có thật" in r.text and 'value="31/02/1989"' in r.text
    assert 'id="f-birth_date-error"' in r.text
    r = await _reg(client, birth_date="02/05/2999")
    assert r.status_code == 422 and "Ngày sinh không thể sau ngày hôm nay." in r.text
    r = await _reg(client, birth_date="02/05/1990")  # the CCCD's year digits say 1989
    assert r.status_code == 422 and "số này ứng với năm sinh 1989, ngày sinh đã khai là năm 1990" in r.text
    assert 'id="f-cccd-error"' in r.text and 'value="02/05/1990"' in r.text
    r = await _reg(client, cccd="079203000001", birth_date="09/01/1903")  # 2 = born 2000–2099
    assert r.status_code == 422 and "chỉ người sinh trong các năm 2000–2099" in r.text
    r = await _reg(client, sex="female")  # 0 = male
    assert r.status_code == 422 and "giới tính đã khai là Nữ" in r.text
    assert '<option value="female" selected>' in r.text
    assert await User.count() == 0
    r = await _reg(client, birth_date="1989-05-02", phone="+84 912 345 678")  # date picker form, +84 accepted
    assert r.status_code == 303
    user = await User.select(User.birth_date, User.phone).first()
    assert user == {"birth_date": date(1989, 5, 2), "phone": "0912345678"}


async def test_registration_form_lists_every_field_in_vietnamese(client):
    r = await client.get("/dang-ky")
    for label in (
        "Họ, chữ đệm và tên",
        "Ngày, tháng, năm sinh",
        "Giới tính",
        "Số CCCD (số định danh cá nhân)",
        "Thư điện tử",
        "Tên đăng nhập",
        "Mật khẩu",
    ):
        assert label in r.text
    assert '<option value="male"' in r.text and ">Nam</option>" in r.text and ">Nữ</option>" in r.text


def test_agency_code_formats():
    from core.identity.agencies import agency_code_error, eid_error

    for good in ("000.00.00.H39", "000.30.31.H39", "000.00.01.G01", "000.02.01.H56"):
        assert agency_code_error(good) is None, good
    for bad in ("H39", "00.00.00.H39", "000.00.00.X39", "000.00.00.H3", "000-00-00-H39", "000.00.00.h39"):
        assert "chưa đúng định dạng QCVN 102:2016/BTTTT" in agency_code_error(bad), bad
    assert "Vui lòng nhập mã cơ quan" in agency_code_error("")
    for good in (None, "", "G01", "H55", "H55.242", "H55.242.01"):
        assert eid_error(good) is None, good
    for bad in ("55.242", "H5.242", "H55.24", "h55.242", "H55.242.1"):
        assert "chưa đúng định dạng QĐ 20/2020/QĐ-TTg" in eid_error(bad), bad


async def test_two_tier_and_three_tier_agency_trees(db):
    from core.contract.errors import InvalidInput
    from core.identity.agencies import agency_directory
    from core.identity.service import add_agency

    # two-tier (since 1 July 2025): province → departments, communes
    await add_agency(
        None, code="000.00.00.H39", eid="H39", name="UBND tỉnh Đồng Nai", level="province", province_code="75"
    )
    await add_agency(
        None, code="000.30.31.H39", name="UBND phường Trấn Biên", level="commune", parent_code="000.00.00.H39"
    )
    await add_agency(
        None,
        code="000.40.01.H39",
        name="Thuế tỉnh Đồng Nai",
        level="sector",
        kind="tax",
        parent_code="000.00.00.H39",
    )
    # three-tier: province → district-level units → communes
    await add_agency(None, code="000.00.00.H12", eid="H12", name="UBND tỉnh Cà Mau", level="province")
    await add_agency(
        None,
        code="000.01.00.H12",
        eid="H12.001",
        name="UBND huyện Năm Căn",
        level="district",
        parent_code="000.00.00.H12",
    )
    commune = await add_agency(
        None,
        code="000.01.21.H12",
        eid="H12.001.21",
        name="UBND xã Hàm Rồng",
        level="commune",
        parent_code="000.01.00.H12",
    )
    directory = await agency_directory()
    dong_nai, ca_mau = (directory.by_code(c).id for c in ("000.00.00.H39", "000.00.00.H12"))
    assert directory.tiers(dong_nai) == 2 and directory.tiers(ca_mau) == 3
    assert [a.code for a in directory.ancestors(commune)] == ["000.01.00.H12", "000.00.00.H12"]
    assert directory.ancestor(commune, "district").name == "UBND huyện Năm Căn"
    assert directory.sector("tax", under=dong_nai).code == "000.40.01.H39"
    assert (await Agency.select(Agency.province_code).where(Agency.code == "000.30.31.H39").first()) == {
        "province_code": "75"
    }  # inherited from the province
    created = (
        await AuditEntry.select(AuditEntry.chain, AuditEntry.data)
        .where(AuditEntry.action == "agency_created")
        .order_by(AuditEntry.id)
    )
    assert len(created) == 6 and created[5]["chain"] == "agency:000.01.21.H12"
    data = created[5]["data"]
    assert (json.loads(data) if isinstance(data, str) else data)["parent"] == "000.01.00.H12"

    async def refused(field, message, **kw):
        args = {
            "code": "000.09.09.H39",
            "name": "Cơ quan thử",
            "level": "commune",
            "parent_code": "000.00.00.H39",
        }
        args.update(kw)
        try:
            await add_agency(None, **args)
        except InvalidInput as exc:
            assert (field, message) in [(f, m[: len(message)]) for f, m in exc.errors], exc.errors
        else:
            raise AssertionError("accepted")

    await refused("code", 'Mã cơ quan "H39.009" chưa đúng định dạng QCVN 102', code="H39.009")
    await refused("code", "Mã cơ quan 000.30.31.H39 đã được dùng", code="000.30.31.H39")
    await refused("eid", 'Mã định danh điện tử "39.9" chưa đúng định dạng', eid="39.9")
    await refused("name", "Vui lòng nhập tên cơ quan.", name="  ")
    await refused("parent_code", "Không có cơ quan cấp trên mã 000.99.99.H39", parent_code="000.99.99.H39")
    await refused(
        "parent_code", "Cơ quan cấp xã không thể trực thuộc cơ quan ngành dọc", parent_code="000.40.01.H39"
    )
    await refused(
        "parent_code", "Cơ quan cấp huyện phải thuộc một cơ quan cấp trên", level="district", parent_code=None
    )
    await refused("level", 'Cấp cơ quan "ward" không tồn tại.', level="ward")
    assert await Agency.count() == 6


async def test_only_a_province_admin_adds_agencies(db):
    from core.contract.errors import NotAllowed
    from core.identity.current import load_user
    from core.identity.service import add_agency

    tree = await standard_tree()
    clerk = await make_user("tiepnhan")
    await grant(clerk, tree["ward"], "agency_admin")
    try:
        await add_agency(
            await load_user(clerk["id"]),
            code="000.30.39.H39",
            name="UBND xã Mới",
            level="commune",
            parent_code="000.00.00.H39",
        )
    except NotAllowed as exc:
        assert exc.message == "Chỉ quản trị viên cấp tỉnh được thêm cơ quan."
    else:
        raise AssertionError("an agency admin added an agency")
    boss = await make_user("quantri")
    await grant(boss, tree["province"], "province_admin")
    new_id = await add_agency(
        await load_user(boss["id"]),
        code="000.30.39.H39",
        name="UBND xã Mới",
        level="commune",
        parent_code="000.00.00.H39",
    )
    row = (
        await AuditEntry.select(AuditEntry.actor_id)
        .where(AuditEntry.object_id == str(new_id))
        .where(AuditEntry.action == "agency_created")
        .first()
    )
    assert row == {"actor_id": boss["id"]}


async def test_lock_message_is_at_the_username_field_with_the_unlock_time(client):
    await standard_tree()
    await make_user("canbo.f")
    for _ in range(4):
        r = await _login(client, "canbo.f", "sai")
        assert 'id="f-password-error"' in r.text and "Sau 5 lần sai liên tiếp" in r.text
    r = await _login(client, "canbo.f", "sai")
    error = r.text.split('id="f-username-error"')[1].split("</p>")[0]
    assert "Tài khoản tạm bị khóa do nhập sai mật khẩu 5 lần liên tiếp. Vui lòng thử lại sau" in error
    until = (await User.select(User.locked_until).first())["locked_until"]
    from zoneinfo import ZoneInfo

    assert (
        until.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M ngày %d/%m/%Y") in error
    )  # Vietnam time
    assert 'value="canbo.f"' in r.text


async def test_sessions_live_in_the_database_not_in_the_process(client):
    """A session started by one app process is honoured by another (the row is the session), and ends
    when its row is gone or expired."""
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    await standard_tree()
    await make_user("canbo.g", full_name="Phan Văn Giang")
    assert (await _login(client, "canbo.g")).status_code == 303
    sid = client.cookies.get("motcua_session")
    row = await SessionRow.select().where(SessionRow.key == sid).first()
    assert row is not None and row["expires_at"] is not None
    async with AsyncTestClient(
        app=create_app(), base_url="http://127.0.0.1:8000"
    ) as other:  # a second process
        other.cookies.set("motcua_session", sid)
        page = await other.get("/tai-khoan", follow_redirects=False)
        assert page.status_code == 200 and "Phan Văn Giang" in page.text
        await SessionRow.update({SessionRow.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            SessionRow.key == sid
        )
        page = await other.get("/tai-khoan", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/dang-nhap")
    assert not await SessionRow.exists().where(SessionRow.key == sid)  # the expired row was removed


async def test_grant_form_errors_render_for_htmx_requests_too(client):
    """htmx renders one block alone: the form macros must be there without the template's imports."""
    from tests.fixtures.builders import login_as

    tree = await standard_tree()
    admin = await make_user("qt_tinh")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    for headers in ({}, {"HX-Request": "true"}):
        r = await client.post(
            "/quan-tri/nguoi-dung",
            data={"action": "grant", "username": "khongco", "agency_id": "x", "role": "vua"},
            headers={"x-csrftoken": csrf_from(client), **headers},
        )
        assert r.status_code == 422
        assert "Không có tài khoản &#39;khongco&#39;." in r.text and "Vui lòng chọn cơ quan." in r.text
        assert 'class="error-summary"' in r.text and 'value="khongco"' in r.text


async def test_agency_tree_page_shows_both_codes_and_the_number_of_tiers(client):
    from core.identity.service import add_agency
    from tests.fixtures.builders import login_as

    await add_agency(None, code="000.00.00.H39", eid="H39", name="UBND tỉnh Đồng Nai", level="province")
    await add_agency(
        None, code="000.30.31.H39", name="UBND phường Trấn Biên", level="commune", parent_code="000.00.00.H39"
    )
    await add_agency(None, code="000.00.00.H12", eid="H12", name="UBND tỉnh Cà Mau", level="province")
    await add_agency(
        None,
        code="000.01.00.H12",
        eid="H12.001",
        name="UBND huyện Năm Căn",
        level="district",
        parent_code="000.00.00.H12",
    )
    await add_agency(
        None, code="000.01.21.H12", name="UBND xã Hàm Rồng", level="commune", parent_code="000.01.00.H12"
    )
    boss = await make_user("quantri")
    await grant(
        boss,
        {"id": (await Agency.select(Agency.id).where(Agency.code == "000.00.00.H39").first())["id"]},
        "province_admin",
    )
    await login_as(client, boss)
    text = (await client.get("/quan-tri/co-quan")).text
    sections = text.split("<section>")[1:]
    ca_mau = next(s for s in sections if "UBND tỉnh Cà Mau" in s)
    dong_nai = next(s for s in sections if "UBND tỉnh Đồng Nai" in s)
    assert "Chính quyền địa phương hai cấp (tỉnh và xã)." in dong_nai
    assert "Chính quyền địa phương ba cấp (tỉnh, huyện, xã)." in ca_mau
    assert "<code>000.01.00.H12</code> <code" in ca_mau and ">H12.001</code>" in ca_mau
    assert ca_mau.index("UBND huyện Năm Căn") < ca_mau.index("UBND xã Hàm Rồng")


async def test_roles_are_granted_per_agency_within_the_admins_reach(client):
    from tests.fixtures.builders import login_as

    tree = await standard_tree()
    ward_admin = await make_user("qt.phuong")
    await grant(ward_admin, tree["ward"], "agency_admin")
    clerk = await make_user("tiepnhan.moi", full_name="Đinh Thị Mới")
    await login_as(client, ward_admin)

    async def post(**data):
        return await client.post(
            "/quan-tri/nguoi-dung",
            data={"action": "grant", **data},
            headers={"x-csrftoken": csrf_from(client)},
            follow_redirects=False,
        )

    r = await post(username="tiepnhan.moi", agency_id=str(tree["ward"]["id"]), role="receiver")
    assert r.status_code == 303
    grants = await RoleGrant.select(
        RoleGrant.id, RoleGrant.agency, RoleGrant.role, RoleGrant.granted_by
    ).where(RoleGrant.user == clerk["id"])
    assert [(g["agency"], g["role"], g["granted_by"]) for g in grants] == [
        (tree["ward"]["id"], "receiver", ward_admin["id"])
    ]
    r = await post(
        username="tiepnhan.moi", agency_id=str(tree["commune"]["id"]), role="receiver"
    )  # not their agency
    assert r.status_code == 422 and "Bạn không có quyền cấp vai trò này tại cơ quan đã chọn." in r.text
    r = await post(username="tiepnhan.moi", agency_id=str(tree["ward"]["id"]), role="province_admin")
    assert r.status_code == 422 and "Bạn không có quyền cấp vai trò này" in r.text
    r = await post(username="tiepnhan.moi", agency_id=str(tree["ward"]["id"]), role="receiver")  # twice
    assert r.status_code == 422 and "Người dùng đã có vai trò này tại cơ quan này." in r.text
    assert await RoleGrant.count().where(RoleGrant.user == clerk["id"]) == 1
    own = await RoleGrant.select(RoleGrant.id).where(RoleGrant.user == ward_admin["id"]).first()
    r = await client.post(
        "/quan-tri/nguoi-dung",
        data={"action": "revoke", "grant_id": str(own["id"])},
        headers={"x-csrftoken": csrf_from(client)},
    )
    assert r.status_code == 403 and "Không thể tự thu hồi quyền quản trị của chính mình." in r.text
    r = await client.post(
        "/quan-tri/nguoi-dung",
        data={"action": "revoke", "grant_id": str(grants[0]["id"])},
        headers={"x-csrftoken": csrf_from(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and await RoleGrant.count().where(RoleGrant.user == clerk["id"]) == 0
    chain = [
        e["action"]
        for e in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.chain == f"agency:{tree['ward']['code']}")
        .order_by(AuditEntry.seq)
    ]
    assert chain == ["role_granted", "role_revoked"]
    assert (await client.get("/quan-tri/co-quan")).status_code == 403  # the tree is the province admin's


async def test_control_characters_in_typed_values_are_dropped(client):
    """A NUL byte (forged: no keyboard types it) must not reach the database, where PostgreSQL refuses it."""
    await standard_tree()
    await client.get("/dang-ky")
    r = await _reg(
        client,
        full_name="Trần Thị\x00 Bích",
        email="bich\x00@example.vn",
        username="tran\x00thibich",
        phone="0912\x00345678",
    )
    assert r.status_code == 303
    user = await User.select(User.full_name, User.email, User.username, User.phone).first()
    assert user == {
        "full_name": "Trần Thị Bích",
        "email": "bich@example.vn",
        "username": "tranthibich",
        "phone": "0912345678",
    }
    client.cookies.clear()
    r = await _login(client, "tranthibich\x00", "MatKhau2026")
    assert r.status_code == 303
