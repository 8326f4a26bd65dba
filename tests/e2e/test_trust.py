"""Trust journeys (issue 10): signing in with the national e-ID through a real OpenID Connect provider on
loopback (authlib's server), and verifying an issued document at ``/xac-minh/{id}``: the very PDF, a
tampered one, then the issuing agency revoking it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import LIVE_ENV, MOBILE, ROOT, login
from tests.fixtures.oidc_provider import CLIENT_ID, CLIENT_SECRET, loopback_provider

pytestmark = pytest.mark.e2e

_FIND_RESULT = """
import asyncio, json
from core.documents.tables import GeneratedDocument as G
from core.identity.tables import RoleGrant as R

async def main():
    row = await G.select(G.public_id, G.path, G.dossier.receiving_agency.id).where(
        G.kind.like("result:%") & (G.status == "ready") & G.public_id.is_not_null()
    ).order_by(G.id).first()
    if row is None:
        print("{}")
        return
    grant = await R.select(R.user.username).where(
        (R.agency == row["dossier.receiving_agency.id"]) & (R.role == "approver")
    ).first()
    print(json.dumps({"public_id": row["public_id"], "path": row["path"], "approver": grant["user.username"]}))

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _issued_result() -> dict:
    """An issued, rendered result document of the demo province (the server renders them after start)."""
    for _ in range(120):
        out = subprocess.run(
            [sys.executable, "-c", _FIND_RESULT],
            cwd=ROOT,
            env=LIVE_ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        found = json.loads(out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}")
        if found:
            return found
        time.sleep(1)
    raise AssertionError("no result document of the demo was rendered in two minutes")


def test_sign_in_with_vneid_through_a_loopback_provider(page: Page, live_server, shot):
    with loopback_provider() as idp:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        idp.add_client(base + "/dang-nhap/vneid/ve")
        idp.add_user("vneid-e2e-1", name="Hoàng Thị Mai", cccd="079195012345", birthdate="1995-08-20")
        env = {
            **LIVE_ENV,
            "MOTCUA_BASE_URL": base,
            "MOTCUA_CRON": "0",
            "MOTCUA_OIDC_ISSUER": idp.issuer,
            "MOTCUA_OIDC_CLIENT_ID": CLIENT_ID,
            "MOTCUA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }
        log_path = Path(LIVE_ENV["MOTCUA_DATA_DIR"]) / "server-vneid.log"
        log = open(log_path, "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            for _ in range(1200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert proc.poll() is None, "the second server stopped: " + log_path.read_text()[-3000:]
                    time.sleep(0.1)
            else:
                raise AssertionError("the second server did not start: " + log_path.read_text()[-3000:])
            page.set_viewport_size(MOBILE)
            page.goto(base + "/dang-nhap")
            eid = page.get_by_role("link", name="Đăng nhập bằng VNeID")
            expect(eid).to_be_visible()
            shot("trust-01-login-vneid")
            assert_accessible(page, "trust-login-vneid")
            eid.click()

            # At the provider (authlib's server): the person approves sharing their identity.
            expect(page.get_by_role("heading", level=1)).to_contain_text("VNeID")
            assert (
                page.url.startswith(idp.issuer + "/authorize?") and "code_challenge_method=S256" in page.url
            )
            page.get_by_role("button", name="Hoàng Thị Mai").click()

            # Back on the portal, signed in with the verified identity.
            expect(page.locator(".site-header").get_by_role("button", name="Đăng xuất")).to_be_visible()
            expect(page.locator("body")).to_contain_text("Đã đăng nhập bằng VNeID: Hoàng Thị Mai")
            page.goto(base + "/tai-khoan")
            expect(page.locator("main")).to_contain_text("Hoàng Thị Mai")
            shot("trust-02-signed-in-vneid")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()


def test_verify_an_issued_document_then_revoke_it(page: Page, live_server, shot):
    found = _issued_result()
    pdf = (Path(LIVE_ENV["MOTCUA_DATA_DIR"]) / "files" / found["path"]).read_bytes()
    url = f"{live_server}/xac-minh/{found['public_id']}"
    page.set_viewport_size(MOBILE)
    page.goto(url)
    expect(page.locator("#doc-state")).to_have_text("Còn hiệu lực")
    shot("trust-03-verify")
    assert_accessible(page, "trust-verify")

    page.locator("#f-file").set_input_files(
        {"name": "van-ban.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#verify-check")).to_contain_text("giống hệt")
    shot("trust-04-verify-match")

    middle = len(pdf) // 2
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x20]) + pdf[middle + 1 :]
    page.locator("#f-file").set_input_files(
        {"name": "van-ban.pdf", "mimeType": "application/pdf", "buffer": tampered}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#verify-check")).to_contain_text("KHÔNG phải văn bản đã ban hành")
    shot("trust-05-verify-tampered")

    login(page, live_server, found["approver"])
    page.goto(url)
    page.get_by_label("Thu hồi văn bản").check()
    page.get_by_label("Lý do").fill("Cấp nhầm: văn bản được lập trên hồ sơ chưa đủ điều kiện.")
    page.get_by_role("button", name="Ghi nhận thay đổi").click()
    expect(page.locator("#doc-state")).to_have_text("Đã bị thu hồi")
    shot("trust-06-revoked")
