"""Signing in with the national e-ID (VNeID) through OpenID Connect.

Authorisation code flow with PKCE (S256), ``state`` and ``nonce``: ``begin`` builds the provider's
authorisation address and what the session must keep; ``finish`` checks the answer, exchanges the code
(with the client secret and the PKCE verifier), verifies the ID token's signature against the provider's
JWKS and its ``iss``, ``aud``, ``exp``, ``nonce`` and ``at_hash`` (authlib's ``CodeIDToken``), and maps the
claims named in ``MOTCUA_OIDC_CLAIMS`` to a CCCD, a full name and a birth date. ``sign_in_verified`` then
opens or updates the citizen's account, marked e-ID verified (those three fields become read-only).
The protocol work is authlib's (client) and joserfc's (JOSE); this module only wires and checks.
"""

from __future__ import annotations

import hmac
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from piccolo.columns import Column

from core.audit import chain as audit
from core.contract.errors import InvalidInput
from core.contract.views import UserView
from core.db.tx import write_tx
from core.identity.cccd import normalise_cccd, parse_cccd, validate_cccd
from core.identity.current import load_user
from core.identity.tables import Agency, LoginAttempt, RoleGrant, User
from core.settings import OidcSettings
from core.text.formats import parse_date

__all__ = (
    "EidError",
    "EidIdentity",
    "PENDING_TTL_SECONDS",
    "begin",
    "finish",
    "identity_from_claims",
    "sign_in_verified",
)

PENDING_TTL_SECONDS = 600
"""How long a started e-ID sign-in may take before its state is refused."""
_TIMEOUT = httpx.Timeout(10.0)
_UNUSABLE_PASSWORD = "!eid"  # noqa: S105 (not a password: a value no hash check accepts)
"""Stored as the password hash of accounts opened by the e-ID: argon2 refuses it as a hash, so no password
signs in to them."""


class EidError(InvalidInput):
    """The e-ID sign-in failed; the message (Vietnamese) says why and what to do."""

    status_code = 400

    def __init__(self, message: str):
        super().__init__(message, [("", message)])


@dataclass(frozen=True, slots=True)
class EidIdentity:
    """What a verified ID token says about the person."""

    subject: str
    cccd: str
    full_name: str
    birth_date: date


async def _get_json(url: str) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
            resp = await client.get(url)
            resp.raise_for_status()
            data = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise EidError(
            "Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại sau ít phút, "
            "hoặc đăng nhập bằng tài khoản của cổng."
        ) from exc
    if not isinstance(data, dict):
        raise EidError("Hệ thống định danh điện tử VNeID trả lời không đúng định dạng. Vui lòng thử lại sau.")
    return data


async def provider_metadata(cfg: OidcSettings) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one (OIDC Discovery §4.3)."""
    meta = await _get_json(f"{cfg.issuer}/.well-known/openid-configuration")
    if str(meta.get("issuer", "")).rstrip("/") != cfg.issuer or not all(
        isinstance(meta.get(k), str) and meta[k]
        for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
    ):
        raise EidError(
            "Cấu hình của hệ thống định danh điện tử VNeID không khớp với cổng (issuer hoặc địa chỉ thiếu). "
            "Vui lòng báo quản trị viên."
        )
    return meta


def _client(cfg: OidcSettings, redirect_uri: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=cfg.client_id,
        client_secret=cfg.client_secret or None,
        scope=cfg.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if cfg.client_secret else "none",
        timeout=_TIMEOUT,
    )


async def begin(cfg: OidcSettings, redirect_uri: str, next_path: str) -> tuple[str, dict[str, Any]]:
    """Start a sign-in.

    Returns:
        The provider's authorisation address to send the browser to, and what the session must keep
        until the provider sends the browser back (state, nonce, PKCE verifier, where to go next, when).
    """
    meta = await provider_metadata(cfg)
    pending = {
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": generate_token(64),
        "next": next_path,
        "at": int(time.time()),
    }
    client = _client(cfg, redirect_uri)
    url, _state = client.create_authorization_url(
        meta["authorization_endpoint"],
        state=pending["state"],
        code_verifier=pending["verifier"],
        nonce=pending["nonce"],
    )
    await client.aclose()
    return url, pending


def _expired() -> EidError:
    return EidError(
        "Phiên đăng nhập bằng VNeID đã hết hạn hoặc không còn hợp lệ (có thể do mở ở thẻ khác). "
        "Vui lòng bấm “Đăng nhập bằng VNeID” lại."
    )


async def finish(
    cfg: OidcSettings, pending: Mapping[str, Any] | None, params: Mapping[str, str], redirect_uri: str
) -> EidIdentity:
    """Check the provider's answer and return the verified identity.

    Args:
        cfg: The provider's settings.
        pending: What ``begin`` asked the session to keep (None when the session lost it).
        params: The query of the address the provider sent the browser back to.
        redirect_uri: The same redirect address as in ``begin``.

    Raises:
        EidError: Refused by the person or the provider, state missing, mismatched or old, code exchange
            refused, ID token not signed by the provider's keys, not for this client, expired, or with
            another nonce, or its claims lacking a valid CCCD, name or birth date.
    """
    if params.get("error"):
        if params.get("error") == "access_denied":
            raise EidError("Bạn đã không đồng ý chia sẻ thông tin định danh từ VNeID, nên chưa đăng nhập.")
        raise EidError("Hệ thống định danh điện tử VNeID từ chối yêu cầu đăng nhập. Vui lòng thử lại.")
    state = params.get("state") or ""
    if (
        not pending
        or not isinstance(pending.get("state"), str)
        or not hmac.compare_digest(state.encode(), pending["state"].encode())
        or int(time.time()) - int(pending.get("at", 0)) > PENDING_TTL_SECONDS
    ):
        raise _expired()
    code = params.get("code") or ""
    if not code or len(code) > 2048:
        raise EidError("VNeID không gửi mã xác thực. Vui lòng thử lại.")
    meta = await provider_metadata(cfg)
    try:
        async with _client(cfg, redirect_uri) as client:
            token = await client.fetch_token(
                meta["token_endpoint"],
                code=code,
                code_verifier=pending["verifier"],
                redirect_uri=redirect_uri,
            )
    except (AuthlibBaseError, httpx.HTTPError, ValueError) as exc:
        raise EidError(
            "VNeID không chấp nhận mã xác thực (mã đã dùng, hết hạn hoặc không khớp). Vui lòng đăng nhập lại."
        ) from exc
    claims = await _verified_claims(cfg, meta, dict(token), str(pending["nonce"]))
    return identity_from_claims(cfg, claims)


async def _verified_claims(
    cfg: OidcSettings, meta: Mapping[str, Any], token: dict[str, Any], nonce: str
) -> dict[str, Any]:
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise EidError("VNeID không gửi mã định danh (ID token). Vui lòng thử lại.")
    keys = await _get_json(meta["jwks_uri"])
    algorithms = [
        a for a in meta.get("id_token_signing_alg_values_supported") or ["RS256"] if a and a != "none"
    ]
    try:
        decoded = jwt.decode(id_token, KeySet.import_key_set(cast(Any, keys)), algorithms=algorithms)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {"iss": {"essential": True, "value": cfg.issuer}},
            {"nonce": nonce, "client_id": cfg.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=60)
    except (JoseError, AuthlibBaseError, ValueError, TypeError, KeyError) as exc:
        raise EidError(
            "Không xác minh được mã định danh do VNeID cấp (chữ ký, hạn dùng hoặc đối tượng không hợp lệ). "
            "Vui lòng đăng nhập lại."
        ) from exc
    return dict(claims)


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str | int):
        return ""
    text = unicodedata.normalize("NFC", str(value)).strip()
    return "" if len(text) > limit or any(unicodedata.category(c) == "Cc" for c in text) else text


def identity_from_claims(cfg: OidcSettings, claims: Mapping[str, Any]) -> EidIdentity:
    """Map verified claims to an identity with the configured claim names.

    Raises:
        EidError: A claim is missing or invalid (CCCD checked like a typed one, birth date against it).
    """
    subject = _text(claims.get("sub"), 255)
    cccd = normalise_cccd(_text(claims.get(cfg.claim("cccd")), 20))
    full_name = " ".join(_text(claims.get(cfg.claim("full_name")), 255).split())
    raw_born = _text(claims.get(cfg.claim("birth_date")), 20)
    missing = [
        label
        for label, value in (
            ("số định danh", subject),
            ("số CCCD", cccd),
            ("họ tên", full_name),
            ("ngày sinh", raw_born),
        )
        if not value
    ]
    if missing:
        raise EidError(
            f"VNeID không cung cấp đủ thông tin định danh (thiếu: {', '.join(missing)}). "
            "Vui lòng báo quản trị viên kiểm tra phạm vi (scope) và ánh xạ thông tin."
        )
    try:
        born = parse_date(raw_born)
    except ValueError:
        raise EidError(f"Ngày sinh VNeID gửi về (“{raw_born}”) không phải là ngày hợp lệ.") from None
    if problem := validate_cccd(cccd, born):
        raise EidError(f"Số CCCD VNeID gửi về không hợp lệ: {problem}")
    return EidIdentity(subject=subject, cccd=cccd, full_name=full_name, birth_date=born)


async def _province_root() -> dict:
    row = (
        await Agency.select(Agency.id, Agency.code, Agency.name)
        .where((Agency.level == "province") & (Agency.active.eq(True)))
        .order_by(Agency.id)
        .first()
    )
    if row is None:
        raise EidError(
            "Chưa có cơ quan cấp tỉnh trong hệ thống: quản trị viên cần nạp danh mục cơ quan trước."
        )
    return row


async def sign_in_verified(identity: EidIdentity, ip: str = "") -> UserView:
    """Open or update the citizen account of a verified e-ID identity and record the sign-in.

    The account is found by the provider's subject, else by the CCCD (an account registered locally with
    the same number is the same person's: the e-ID proves it). Its CCCD, full name and birth date are
    (re)written from the token and marked verified; a new account gets the citizen role at the province
    and no usable password.

    Raises:
        EidError: The account is deactivated, or the subject is linked to another CCCD than an existing
            account of that number.
    """
    now = datetime.now(UTC)
    ip = ip[:64]
    async with write_tx():
        by_subject = (
            await User.select(User.id, User.active, User.cccd)
            .where(User.eid_subject == identity.subject)
            .first()
        )
        by_cccd = await User.select(User.id, User.active, User.cccd).where(User.cccd == identity.cccd).first()
        if by_subject and by_cccd and by_subject["id"] != by_cccd["id"]:
            raise EidError(
                "Số CCCD do VNeID xác nhận đang gắn với một tài khoản khác trên cổng. "
                "Vui lòng liên hệ bộ phận một cửa để được hỗ trợ."
            )
        row = by_subject or by_cccd
        fields: dict[Column | str, Any] = {
            User.full_name: identity.full_name,
            User.cccd: identity.cccd,
            User.birth_date: identity.birth_date,
            User.sex: parse_cccd(identity.cccd).sex,
            User.eid_subject: identity.subject,
            User.eid_verified_at: now,
        }
        if row is not None:
            if not row["active"]:
                raise EidError("Tài khoản gắn với số CCCD này đã bị khoá. Vui lòng liên hệ bộ phận một cửa.")
            user_id = row["id"]
            await User.update(fields).where(User.id == user_id)
        else:
            root = await _province_root()
            user = User(
                username=f"vneid.{identity.cccd}",
                full_name=identity.full_name,
                cccd=identity.cccd,
                birth_date=identity.birth_date,
                sex=fields[User.sex],
                password_hash=_UNUSABLE_PASSWORD,
                created_at=now,
                eid_subject=identity.subject,
                eid_verified_at=now,
            )
            await user.save()
            user_id = user.id
            await RoleGrant(user=user_id, agency=root["id"], role="citizen", granted_at=now).save()
            await audit.append(
                "user_registered",
                chain=f"user:{user_id}",
                actor_id=user_id,
                object_type="user",
                object_id=user_id,
                data={"ip": ip, "method": "vneid"},
            )
            await audit.append(
                "role_granted",
                chain=f"agency:{root['code']}",
                actor_id=user_id,
                object_type="user",
                object_id=user_id,
                data={"role": "citizen", "agency_id": root["id"]},
            )
        username = await User.select(User.username).where(User.id == user_id).first()
        await LoginAttempt.insert(
            LoginAttempt(username=username["username"] if username else "", success=True, ip=ip, at=now)
        )
        await audit.append(
            "login",
            chain=f"user:{user_id}",
            actor_id=user_id,
            object_type="user",
            object_id=user_id,
            data={"ip": ip, "method": "vneid", "verified": True},
        )
    view = await load_user(user_id)
    if view is None:
        raise RuntimeError(f"user {user_id} vanished while signing in")
    return view
