"""Signing in with the national e-ID (issue 10) through a real OpenID Connect provider on loopback
(authlib's server: client secret, PKCE S256 and nonce enforced, ID tokens signed with its JWKS key)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from core.identity.current import load_user
from core.identity.tables import User
from core.settings import get_settings
from core.web.pages.eid import CALLBACK_PATH
from tests.fixtures.builders import make_user, standard_tree
from tests.fixtures.oidc_provider import CLIENT_ID, CLIENT_SECRET, loopback_provider

CCCD = "075089001234"  # Đồng Nai, male, born 1989


@pytest.fixture
def provider(monkeypatch):
    with loopback_provider() as idp:
        idp.add_client(get_settings().base_url + CALLBACK_PATH)
        idp.add_user("vneid-sub-1", name="Nguyễn Văn An", so_dinh_danh=CCCD, birthdate="1989-04-12")
        monkeypatch.setenv("MOTCUA_OIDC_ISSUER", idp.issuer)
        monkeypatch.setenv("MOTCUA_OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("MOTCUA_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv("MOTCUA_OIDC_SCOPES", "profile")
        monkeypatch.setenv("MOTCUA_OIDC_CLAIMS", "cccd=so_dinh_danh")
        yield idp


async def _to_provider(client, nxt: str = "/tai-khoan") -> str:
    r = await client.get(f"/dang-nhap/vneid?next={nxt}", follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def _consent(url: str, sub: str = "vneid-sub-1", **form: str) -> str:
    """The person approves at the provider; returns where the provider sends the browser back."""
    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
        assert page.status_code == 200, page.text
        r = await browser.post(url, data=form or {"sub": sub})
    assert r.status_code == 302, r.text
    return r.headers["location"]


def _local(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == CALLBACK_PATH
    return f"{parts.path}?{parts.query}"


async def test_sign_in_with_vneid_end_to_end_fills_a_verified_account(app, client, provider):
    """Rule: the sign-in page offers VNeID when configured; authorisation code + PKCE S256 + state +
    nonce; the verified claims (mapped by MOTCUA_OIDC_CLAIMS) open a citizen account marked e-ID
    verified; a replayed return is refused; a second sign-in reuses the account."""
    await standard_tree()
    page = await client.get("/dang-nhap")
    assert "Đăng nhập bằng VNeID" in page.text and 'href="/dang-nhap/vneid?next=' in page.text

    url = await _to_provider(client)
    assert url.startswith(provider.issuer + "/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid profile"] and query["client_id"] == [CLIENT_ID]
    assert query["state"][0] and query["nonce"][0] and "code_verifier" not in query

    back = _local(await _consent(url))
    r = await client.get(back, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tai-khoan", r.text
    account = await client.get("/tai-khoan")
    assert account.status_code == 200 and "Nguyễn Văn An" in account.text
    assert "Đã xác thực qua VNeID" in account.text and "12/04/1989" in account.text

    row = await User.select().where(User.cccd == CCCD).first()
    assert row["full_name"] == "Nguyễn Văn An" and row["birth_date"] == date(1989, 4, 12)
    assert row["eid_subject"] == "vneid-sub-1" and row["eid_verified_at"] is not None
    assert row["sex"] == "male" and row["username"] == f"vneid.{CCCD}"
    view = await load_user(row["id"])
    assert view is not None and view.identity_verified and view.has_role("citizen")
    assert view.birth_date == date(1989, 4, 12)

    # The same return replayed (another tab, a back button, an attacker holding the URL): no state left.
    await client.post("/dang-xuat", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    replay = await client.get(back, follow_redirects=False)
    assert replay.status_code == 400 and "hết hạn" in replay.text

    # Signing in again finds the same account (by subject), with the name the e-ID now says.
    provider.add_user("vneid-sub-1", name="Nguyễn Văn Ân", so_dinh_danh=CCCD, birthdate="1989-04-12")
    r = await client.get(_local(await _consent(await _to_provider(client, "/"))), follow_redirects=False)
    assert (
        r.status_code == 303 and r.headers["location"] == "/ho-so-cua-toi"
    )  # a citizen lands on their dossiers
    assert await User.count() == 1
    assert (await User.select(User.full_name).first())["full_name"] == "Nguyễn Văn Ân"


async def test_local_account_with_the_same_cccd_becomes_verified(app, client, provider):
    """Rule: an account registered locally with the CCCD the e-ID proves is the same person's: it is
    linked (no second account) and its name and birth date are replaced by the verified ones."""
    await standard_tree()
    local = await make_user("an.nguyen", full_name="Nguyen Van An (tu khai)", cccd=CCCD)
    r = await client.get(_local(await _consent(await _to_provider(client))), follow_redirects=False)
    assert r.status_code == 303
    view = await load_user(local["id"])
    assert view is not None and view.identity_verified and view.full_name == "Nguyễn Văn An"
    assert await User.count() == 1


async def test_refusals_state_signature_and_consent(app, client, provider):
    """Rule: a wrong state, a token signed by a key the provider does not publish, a refused consent
    and claims without a valid CCCD each sign nobody in, with a Vietnamese message on the sign-in page."""
    await standard_tree()
    # The provider itself refuses an authorisation request without PKCE (S256).
    url = await _to_provider(client)
    async with httpx.AsyncClient() as browser:
        bare = url.replace("code_challenge_method=S256", "code_challenge_method=plain")
        assert (await browser.get(bare)).status_code == 400

    # Wrong state: the code is not even exchanged.
    back = _local(await _consent(url))
    forged = back.replace("state=", "state=x")
    r = await client.get(forged, follow_redirects=False)
    assert r.status_code == 400 and "hết hạn" in r.text and provider.token_requests == 0

    # ID token signed by a key that is not the published one.
    provider.published_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
    r = await client.get(_local(await _consent(await _to_provider(client))), follow_redirects=False)
    assert r.status_code == 400 and "Không xác minh được" in r.text
    provider.published_key = provider.key

    # The person refuses at the provider.
    r = await client.get(_local(await _consent(await _to_provider(client), deny="1")), follow_redirects=False)
    assert r.status_code == 400 and "không đồng ý" in r.text

    # Claims with a CCCD that does not match the birth year.
    provider.add_user("vneid-sub-2", name="Trần Thị Bình", so_dinh_danh=CCCD, birthdate="1990-01-01")
    r = await client.get(
        _local(await _consent(await _to_provider(client), sub="vneid-sub-2")), follow_redirects=False
    )
    assert r.status_code == 400 and "CCCD" in r.text
    assert await User.count() == 0


async def test_without_issuer_the_sign_in_page_has_local_accounts_only(app, client, monkeypatch):
    monkeypatch.delenv("MOTCUA_OIDC_ISSUER", raising=False)
    page = await client.get("/dang-nhap")
    assert page.status_code == 200 and "VNeID" not in page.text
    assert (await client.get("/dang-nhap/vneid", follow_redirects=False)).status_code == 404


def test_claim_mapping_setting_is_checked(monkeypatch):
    from core.settings import oidc_settings

    monkeypatch.setenv("MOTCUA_OIDC_ISSUER", "https://id.example.vn/")
    monkeypatch.setenv("MOTCUA_OIDC_CLIENT_ID", "c")
    monkeypatch.setenv("MOTCUA_OIDC_CLAIMS", "cccd=idnum, birth_date=dob")
    cfg = oidc_settings()
    assert cfg is not None and cfg.issuer == "https://id.example.vn" and cfg.scopes == "openid profile"
    assert (cfg.claim("cccd"), cfg.claim("full_name"), cfg.claim("birth_date")) == ("idnum", "name", "dob")
    monkeypatch.setenv("MOTCUA_OIDC_CLAIMS", "password=x")
    with pytest.raises(ValueError, match="MOTCUA_OIDC_CLAIMS"):
        oidc_settings()
