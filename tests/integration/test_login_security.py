"""Security review (issue 7): sign-in lockout under parallel guesses, a per-client limit shared by
every app process, no account enumeration (sign-in and registration), CSRF token rotation at
sign-in, the nightly session purge, owner-only data files; argon2id and hashed API tokens kept."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.contract.errors import InvalidInput
from core.identity import service
from core.identity.tables import ApiToken, LoginAttempt, LoginThrottle, SessionRow, User
from tests.conftest import csrf_from
from tests.fixtures.builders import TEST_PASSWORD, make_user, standard_tree

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "tạm bị khóa"
VALID_CCCD = "075089001234"


async def _csrf(client) -> str:
    await client.get("/dang-nhap")
    return csrf_from(client)


def _post_login(client, token: str, username: str, password: str):
    return client.post(
        "/dang-nhap",
        data={"username": username, "password": password, "_csrf_token": token},
        follow_redirects=False,
    )


async def _failures(username: str, n: int, ip: str = "10.1.1.1") -> list[InvalidInput]:
    async def one(i):
        try:
            await service.authenticate(username, f"sai-mat-khau-{i}", ip=ip)
        except InvalidInput as exc:
            return exc
        raise AssertionError("a wrong password signed in")

    return list(await asyncio.gather(*(one(i) for i in range(n))))


# --- 1. Lockout holds under parallel guesses ----------------------------------------------------------


async def test_parallel_wrong_passwords_over_http_lock_the_account(app, client):
    """Rule: N concurrent failures count N (atomic increment), so a burst of guesses locks the account
    and even the right password is then refused with the lockout message."""
    import httpx

    await make_user("tranthib")
    token = await _csrf(client)
    # Litestar's test client hands requests to the app one at a time; httpx's ASGI transport runs
    # them concurrently on this event loop, as a server would.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.4.0.1", 4000)),
        base_url="http://127.0.0.1:8000",
        cookies=dict(client.cookies),
    ) as burst:
        responses = await asyncio.gather(
            *(_post_login(burst, token, "tranthib", f"doan-{i}") for i in range(20))
        )
    assert all(r.status_code == 422 for r in responses)
    assert any(LOCKED in r.text for r in responses)
    assert await LoginAttempt.count().where(LoginAttempt.success.eq(False)) == 20
    row = await User.select(User.locked_until).first()
    assert row["locked_until"] is not None and row["locked_until"] > datetime.now(UTC)
    r = await _post_login(client, token, "tranthib", TEST_PASSWORD)
    assert r.status_code == 422 and LOCKED in r.text and "Vui lòng thử lại sau" in r.text
    assert (await client.get("/tai-khoan", follow_redirects=False)).status_code == 303  # not signed in


async def test_parallel_wrong_passwords_at_the_service_level_lock_the_account(db):
    await make_user("tranthic")
    errors = await _failures("tranthic", 12)
    assert sum(LOCKED in e.message for e in errors) >= 12 - service.MAX_FAILURES + 1
    with pytest.raises(InvalidInput, match=LOCKED) as exc:
        await service.authenticate("tranthic", TEST_PASSWORD, ip="10.1.1.2")
    assert exc.value.errors[0][0] == "username"


# --- 11. Same answers for unknown and real usernames ----------------------------------------------------


def _shape(exc: InvalidInput) -> list[tuple[str, str]]:
    return [(f, re.sub(r"sau \d\d:\d\d ngày [\d/]+", "sau …", m)) for f, m in exc.errors]


async def test_an_unknown_username_is_locked_like_a_real_one(db):
    """Rule: the answers (wrong password, then the lockout with its time) do not tell whether an
    account exists; an unknown name is locked after the same number of failures."""
    await make_user("thatsu")
    real, ghost = [], []
    for i in range(service.MAX_FAILURES + 1):
        for name, out in (("thatsu", real), ("khongcoai", ghost)):
            with pytest.raises(InvalidInput) as exc:
                await service.authenticate(name, f"sai-{i}", ip=f"10.2.0.{i}")
            out.append(_shape(exc.value))
    assert real == ghost
    assert LOCKED in ghost[-1][0][1] and ghost[-1][0][0] == "username"
    assert LOCKED not in ghost[0][0][1]


async def test_parallel_guesses_on_an_unknown_username_lock_it_too(db):
    await _failures("khongco.ai", 10)
    with pytest.raises(InvalidInput, match=LOCKED):
        await service.authenticate("khongco.ai", "bat-ky", ip="10.3.0.1")


# --- 1. Per-client limit, shared by app processes --------------------------------------------------------


async def test_one_client_is_paused_after_too_many_failures_on_any_app_instance(db, monkeypatch):
    """Rule: one client address gets at most CLIENT_MAX_FAILURES failures per window, counted in the
    database (or Redis), so two app processes share the count; then a Vietnamese message (429)."""
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    monkeypatch.setattr(service, "CLIENT_MAX_FAILURES", 6)
    await make_user("nguoidung")
    async with (
        AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as a,
        AsyncTestClient(app=create_app(), base_url="http://127.0.0.1:8000") as b,
    ):
        tokens = {a: await _csrf(a), b: await _csrf(b)}
        for i in range(6):  # a different username each time: no account lock involved
            c = a if i % 2 else b
            r = await _post_login(c, tokens[c], f"doan.ten{i}", "sai-mat-khau")
            assert r.status_code == 422 and "không đúng" in r.text
        for c in (a, b):
            r = await _post_login(c, tokens[c], "nguoidung", TEST_PASSWORD)
            assert r.status_code == 429
            assert "Có quá nhiều lần đăng nhập không thành công từ địa chỉ mạng" in r.text
    # Another client is not affected.
    user = await service.authenticate("nguoidung", TEST_PASSWORD, ip="10.9.9.9")
    assert user.username == "nguoidung"


# --- 11. Registration does not tell the visitor who has an account ------------------------------------------


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


async def test_registration_with_a_used_cccd_or_email_looks_the_same_and_mails_the_owner(client):
    """Rule: the visitor sees the same outcome whether or not the CCCD/e-mail already had an account;
    the owner is told by mail (notify's outbox path) and in-app."""
    from core.notify.tables import Notification

    await standard_tree()
    owner = await make_user("chu.taikhoan", full_name="Lê Văn Chủ", cccd=VALID_CCCD, email="chu@example.vn")
    await client.get("/dang-ky")
    fresh = await _reg(client, cccd="075089005678", email="moi@example.vn", username="nguoimoi")
    dup = await _reg(client, email="chu@example.vn", username="nguoikhac")
    assert fresh.status_code == dup.status_code == 303
    assert fresh.headers["location"] == dup.headers["location"] == "/dang-ky/da-tiep-nhan"
    assert not await User.exists().where(User.username == "nguoikhac")
    assert await User.exists().where(User.username == "nguoimoi")
    for r in (fresh, dup):
        assert "đã được dùng" not in r.text
    mails = await Notification.select().where(
        (Notification.recipient == owner["id"]) & (Notification.template == "registration_attempt")
    )
    assert {m["channel"] for m in mails} == {"email", "inapp"}
    mail = next(m for m in mails if m["channel"] == "email")
    assert mail["to_address"] == "chu@example.vn" and "chu.taikhoan" in mail["subject"]
    assert "số CCCD và địa chỉ thư điện tử" in mail["body"] and "không được tạo" in mail["body"]
    welcome = (
        await Notification.select()
        .where((Notification.template == "account_created") & (Notification.channel == "email"))
        .first()
    )
    assert welcome["to_address"] == "moi@example.vn" and "nguoimoi" in welcome["subject"]


async def test_registration_still_reports_invalid_input_at_its_field(client):
    await standard_tree()
    await make_user("chu.taikhoan", cccd=VALID_CCCD)
    await client.get("/dang-ky")
    r = await _reg(client, phone="12345")
    assert r.status_code == 422 and "Số điện thoại gồm 10 chữ số" in r.text and "đã được dùng" not in r.text


async def test_hook_on_account_event(db, temp_plugin):
    """``on_account_event`` is called inside the registration's transaction, for a new account and
    for an attempt with an existing account's CCCD."""
    from core.api import hookimpl

    seen = []

    class Recorder:
        @hookimpl
        def on_account_event(self, event):
            seen.append(dict(event))

    temp_plugin(Recorder(), "account-recorder")
    await standard_tree()
    reg = service.Registration(
        full_name="Trần Thị Bích",
        cccd=VALID_CCCD,
        phone="0912345678",
        email="",
        username="tranthibich",
        password="MatKhau2026",
        password_confirm="MatKhau2026",
        birth_date="02/05/1989",
        sex="male",
    )
    uid = await service.register_citizen(reg, ip="10.0.0.1")
    again = await service.register_citizen(replace(reg, username="khac"))
    assert uid is not None and again is None
    assert [e["action"] for e in seen] == ["registered", "registration_duplicate"]
    assert seen[1]["user_id"] == uid and seen[1]["fields"] == ["cccd"]


# --- 16. CSRF token and session id rotate at sign-in ------------------------------------------------------


async def test_sign_in_rotates_the_csrf_token_and_the_session_id(client):
    """Rule: a CSRF token (or session id) known before sign-in is worthless after it."""
    await make_user("canbo.x")
    old = await _csrf(client)
    client.cookies.set("motcua_session", "planted-id", domain="127.0.0.1")
    r = await _post_login(client, old, "canbo.x", TEST_PASSWORD)
    assert r.status_code == 303
    new = csrf_from(client)
    assert new and new != old
    assert client.cookies.get("motcua_session") not in (None, "planted-id")
    refused = await client.post("/dang-xuat", data={"_csrf_token": old}, follow_redirects=False)
    assert refused.status_code == 403
    ok = await client.post("/dang-xuat", data={"_csrf_token": new}, follow_redirects=False)
    assert ok.status_code == 303


# --- 16. Nightly purge of expired sessions ---------------------------------------------------------------


async def test_nightly_schedule_purges_expired_sessions_only(db):
    """Rule: expired sessions (and dead sign-in counters) are deleted every night; live ones stay."""
    from core.jobs.cron import cron_specs, matches

    spec = next((s for s in cron_specs() if s.name == "purge_expired_sessions"), None)
    assert spec is not None, "the nightly schedule has no session purge"
    nights = [
        t
        for t in (datetime(2026, 12, 3, 17, 0, tzinfo=UTC) + timedelta(minutes=m) for m in range(24 * 60))
        if matches(spec.cron, t)
    ]
    assert len(nights) == 1 and 0 <= (nights[0] + timedelta(hours=7)).hour < 6  # once a day, at night
    now = datetime.now(UTC)
    for key, expires in (
        ("old", now - timedelta(minutes=1)),
        ("live", now + timedelta(hours=1)),
        ("open", None),
    ):
        await SessionRow.insert(SessionRow(key=key, value="e30=", expires_at=expires))
    await LoginThrottle.insert(
        LoginThrottle(key="ip:old", hits=3, until=now - timedelta(seconds=1)),
        LoginThrottle(key="ip:live", hits=3, until=now + timedelta(minutes=5)),
    )
    await spec.func({})
    assert sorted(r["key"] for r in await SessionRow.select(SessionRow.key)) == ["live", "open"]
    assert [r["key"] for r in await LoginThrottle.select(LoginThrottle.key)] == ["ip:live"]


# --- 16. Owner-only data folder and SQLite file ----------------------------------------------------------


def test_data_dir_and_sqlite_file_are_created_owner_only(tmp_path):
    """Rule: the data folder is 0700 and the SQLite file (with its WAL) and secret key 0600 when created."""
    data = tmp_path / "moi" / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MOTCUA_SECRET_KEY")}
    env.update(MOTCUA_DATA_DIR=str(data), PICCOLO_CONF="core.db.piccolo_conf")
    code = (
        "import asyncio\nfrom core.db.tx import raw\nfrom core.settings import get_settings\nget_settings()\n"
        "asyncio.run(raw('CREATE TABLE t (x INTEGER)'))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("motcua.sqlite") or p.name == "secret_key"]
    assert {p.name for p in files} >= {"motcua.sqlite", "secret_key"}
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


# --- Kept: argon2id and hashed API tokens -----------------------------------------------------------------


async def test_passwords_are_argon2id_and_api_tokens_are_stored_hashed(db):
    from core.identity.api_auth import issue_token

    assert service.hash_password("MatKhau2026").startswith("$argon2id$")
    user = await make_user("tichhop")
    token = await issue_token(user["id"], "tích hợp")
    row = await ApiToken.select(ApiToken.token_hash).first()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(await ApiToken.select())


def test_production_password_hasher_keeps_its_cost():
    """The app's own hasher (the tests swap in a cheap one, tests/conftest.py) is argon2id with at least
    RFC 9106's low-memory parameters: 64 MiB, 3 passes."""
    from argon2 import Type

    from tests.conftest import PRODUCTION_HASHER

    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.memory_cost >= 65536 and PRODUCTION_HASHER.time_cost >= 3
    assert PRODUCTION_HASHER.hash("MatKhau2026").startswith("$argon2id$")


async def test_simultaneous_registrations_with_one_cccd_open_one_account_and_never_fail(db):
    """Two registrations with the same new CCCD at the same moment: one account is opened, the other gets
    the ordinary outcome (the owner is told by mail), never an error from the unique constraint."""
    await standard_tree()
    reg = service.Registration(
        full_name="Trần Thị Bích",
        cccd=VALID_CCCD,
        phone="0912345678",
        email="",
        username="tranthibich",
        password="MatKhau2026",
        password_confirm="MatKhau2026",
        birth_date="02/05/1989",
        sex="male",
    )
    results = await asyncio.gather(
        *(service.register_citizen(replace(reg, username=f"bich{i}")) for i in range(4))
    )
    assert sum(r is not None for r in results) == 1
    assert await User.count().where(User.cccd == VALID_CCCD) == 1
