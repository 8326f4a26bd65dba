"""Issue 8, "The JSON API describes itself": a caller without a bearer token is told what to send and
who issues tokens. Someone signed in to the website by cookie is told that the cookie is not accepted
by the API. The command the message names (``motcua token``) exists and issues a working token."""

from __future__ import annotations

import os
import subprocess
import sys

from core.audit.tables import AuditEntry
from core.identity.api_auth import TOKEN_COMMAND
from core.identity.tables import ApiToken
from tests.fixtures.builders import grant, login_as, make_user, standard_tree

ROUTES = (
    ("GET", "/api/v1/dossiers/1"),
    ("GET", "/api/v1/dossiers/1/events"),
    ("POST", "/api/v1/dossiers"),
    ("POST", "/api/v1/dossiers/1/submit"),
    ("POST", "/api/v1/dossiers/1/actions/stop"),
    ("POST", "/api/v1/clock-scan"),
)


async def _call(client, method: str, path: str, **kw):
    if method == "GET":
        return await client.get(path, **kw)
    return await client.post(path, json={"version": 1}, **kw)


def _token_problem(r, *, by_session: bool) -> dict:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"].startswith("Bearer")
    body = r.json()
    assert body["status"] == 401 and body["signed_in_by_session"] is by_session
    assert body["token_command"] == TOKEN_COMMAND
    assert "Authorization: Bearer <token>" in body["detail"] and TOKEN_COMMAND in body["detail"]
    assert "Authorization: Bearer <token>" in body["detail_en"] and TOKEN_COMMAND in body["detail_en"]
    return body


async def test_a_session_signed_in_user_is_told_the_api_needs_a_token(client, db):
    tree = await standard_tree()
    user = await make_user("nguoidan", cccd="079203001234")
    await grant(user, tree["province"], "citizen")
    await login_as(client, user)
    for method, path in ROUTES:
        body = _token_problem(await _call(client, method, path), by_session=True)
        assert "đã đăng nhập vào trang web" in body["detail"], (path, body)
        assert body["detail_en"].startswith(
            "You are signed in to the website, but the JSON API does not accept"
        )
    # in English when the visitor chose English
    client.cookies.set("lang", "en")
    body = _token_problem(await client.get("/api/v1/dossiers/1"), by_session=True)
    assert body["detail"] == body["detail_en"]


async def test_an_anonymous_caller_is_told_the_api_needs_a_token(client, db):
    for method, path in ROUTES:
        body = _token_problem(await _call(client, method, path), by_session=False)
        assert body["detail"].startswith("API này cần mã truy cập"), body
        assert body["detail_en"].startswith("This API needs an API token")


async def test_an_invalid_token_is_refused_as_before(client, db):
    r = await client.get("/api/v1/dossiers/1", headers={"Authorization": "Bearer mc_not-a-token"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


def _motcua(*args: str) -> subprocess.CompletedProcess:
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
        cwd=root,
    )


async def test_the_command_the_message_names_issues_a_working_token(client, db):
    from core.cli import build_parser

    assert TOKEN_COMMAND.split()[1] in build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    tree = await standard_tree()
    user = await make_user("tichhop")
    await grant(user, tree["province"], "citizen")
    done = _motcua("token", "tichhop", "--name", "Cổng dịch vụ công")
    assert done.returncode == 0, done.stderr
    token = done.stdout.splitlines()[1].strip()
    assert token.startswith("mc_")
    row = await ApiToken.select().where(ApiToken.user == user["id"]).first()
    assert row["name"] == "Cổng dịch vụ công" and token not in str(row), "only the hash is stored"
    assert await AuditEntry.exists().where(AuditEntry.action == "api_token.issue")
    r = await client.get("/api/v1/dossiers/999999", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404, r.text  # past the token check: the dossier does not exist
    missing = _motcua("token", "khong-co-ai")
    assert missing.returncode != 0 and "Không có tài khoản đang hoạt động tên 'khong-co-ai'" in missing.stderr
