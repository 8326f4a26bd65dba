"""Bearer-token authentication for the JSON API.

The API is excluded from CSRF, so it never trusts the session cookie for writes: callers present
``Authorization: Bearer <token>``. Read-only public endpoints need no token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from core.audit import chain as audit
from core.contract.errors import InvalidInput, NotFound
from core.contract.views import UserView
from core.db.tx import write_tx
from core.identity.current import load_user
from core.identity.tables import ApiToken

__all__ = (
    "issue_token",
    "create_token",
    "list_tokens",
    "revoke_token",
    "TokenCheck",
    "check_token",
    "SCOPES",
    "SAFE_METHODS",
    "MAX_DAYS",
    "api_user",
    "bearer_token",
    "token_refusal",
    "user_for_token",
    "ApiTokenRequired",
    "ApiTokenRefused",
    "ApiTokenReadOnly",
    "TOKEN_COMMAND",
)

TOKEN_COMMAND = "motcua token <username>"  # noqa: S105 - a command line, not a secret
"""How an administrator issues a token from the command line (``core.cli``; ``motcua token create
<username> --scope read|write --days N`` gives a scope and an expiry). The page is
``/quan-tri/nguoi-dung/<id>``, section "API tokens"."""

SCOPES = ("read", "write")
"""``read``: GET/HEAD/OPTIONS only; ``write``: every method the user's roles allow."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_DAYS = 366
"""The longest life a token may be given (a year, leap day included)."""
MAX_NAME = 100
# ``last_used_at`` is a coarse record ("used today"), not a log: a token used again within this interval
# is not written again, so an API client reading in a loop costs no database write per request.
LAST_USED_INTERVAL = timedelta(minutes=5)


class ApiTokenRefused(NotAuthorizedException):
    """A presented token is refused (401): unknown, revoked or expired; ``detail`` says which, in
    Vietnamese, and is shown as is."""


class ApiTokenReadOnly(PermissionDeniedException):
    """A read-only token was used on a method that writes (403); ``detail`` is shown as is."""


class ApiTokenRequired(NotAuthorizedException):
    """The JSON API was called without a bearer token. ``signed_in_by_session`` is True when the
    caller is signed in to the website: its cookie is not accepted here, and the message says so."""

    def __init__(self, *, signed_in_by_session: bool) -> None:
        super().__init__("Bearer token required")
        self.signed_in_by_session = signed_in_by_session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(
    user_id: int, name: str, *, scope: str = "write", expires_at: datetime | None = None
) -> str:
    """Create a token for ``user_id``; the clear value is returned once and never stored (not audited
    here: ``create_token`` and the command line audit)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown token scope {scope!r}")
    token = "mc_" + secrets.token_urlsafe(32)
    await ApiToken(
        user=user_id,
        name=name,
        token_hash=_hash(token),
        created_at=datetime.now(UTC),
        scope=scope,
        expires_at=expires_at,
    ).save()
    return token


def _token_errors(name: str, scope: str, days: str) -> tuple[int, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    if not name:
        errors.append(("name", "Vui lòng đặt tên gợi nhớ cho mã (ví dụ: tên hệ thống tích hợp)."))
    elif len(name) > MAX_NAME:
        errors.append(("name", f"Tên gợi nhớ dài tối đa {MAX_NAME} ký tự."))
    if scope not in SCOPES:
        errors.append(("scope", "Vui lòng chọn quyền của mã: chỉ đọc hoặc đọc và ghi."))
    n = int(days) if days.isdigit() else 0
    if not days:
        errors.append(("days", "Vui lòng nhập số ngày hiệu lực."))
    elif not days.isdigit() or not 1 <= n <= MAX_DAYS:
        errors.append(("days", f"Số ngày hiệu lực là một số nguyên từ 1 đến {MAX_DAYS}."))
    return n, errors


async def create_token(actor_id: int | None, user_id: int, name: str, scope: str, days: str | int) -> str:
    """Issue a token with a scope and a life of ``days`` (audited on the user's chain, without the
    token). The caller has checked that ``actor_id`` may manage ``user_id``.

    Raises:
        InvalidInput: at ``name``, ``scope`` or ``days``, Vietnamese.
    """
    name = " ".join(name.split())
    n, errors = _token_errors(name, scope.strip(), str(days).strip())
    if errors:
        raise InvalidInput(errors[0][1], errors)
    expires_at = datetime.now(UTC) + timedelta(days=n)
    async with write_tx():
        token = await issue_token(user_id, name, scope=scope.strip(), expires_at=expires_at)
        await audit.append(
            "api_token.issue",
            chain=f"user:{user_id}",
            actor_id=actor_id,
            object_type="user",
            object_id=user_id,
            data={"name": name, "scope": scope.strip(), "days": n},
        )
    return token


async def list_tokens(user_id: int) -> list[dict]:
    """The user's tokens, newest first: name, scope, created, expires, last used, and whether live."""
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scope,
            ApiToken.created_at,
            ApiToken.expires_at,
            ApiToken.last_used_at,
            ApiToken.revoked,
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id, ascending=False)
    )
    now = datetime.now(UTC)
    for r in rows:
        expired = r["expires_at"] is not None and r["expires_at"] <= now
        r["state"] = "revoked" if r["revoked"] else "expired" if expired else "live"
    return rows


async def revoke_token(actor_id: int | None, user_id: int, token_id: int) -> bool:
    """Revoke one of ``user_id``'s tokens (audited); False when it was already revoked.

    Raises:
        NotFound: no such token of this user.
    """
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.revoked)
        .where((ApiToken.id == token_id) & (ApiToken.user == user_id))
        .first()
    )
    if row is None:
        raise NotFound("Không tìm thấy mã truy cập này.")
    if row["revoked"]:
        return False
    async with write_tx():
        await ApiToken.update({ApiToken.revoked: True}).where(ApiToken.id == token_id)
        await audit.append(
            "api_token.revoke",
            chain=f"user:{user_id}",
            actor_id=actor_id,
            object_type="user",
            object_id=user_id,
            data={"token_id": token_id, "name": row["name"]},
        )
    return True


def bearer_token(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None when there is none."""
    if not header.lower().startswith("bearer "):
        return None
    return header[7:].strip()


class TokenCheck:
    """What a presented token allows: ``user`` (None when refused) and, when refused, ``refusal``:
    ``invalid`` (unknown, revoked or inactive user), ``expired`` or ``read_only`` (a read token on a
    method that writes)."""

    __slots__ = ("user", "refusal")

    def __init__(self, user: UserView | None, refusal: str = "") -> None:
        self.user = user
        self.refusal = refusal


async def check_token(token: str, method: str) -> TokenCheck:
    """Check a bearer token for a request of ``method``; a use that is let through is recorded, at most
    once per ``LAST_USED_INTERVAL``.
    Called once per API request by ``core.identity.auth.AuthMiddleware``."""
    row = (
        await ApiToken.select(
            ApiToken.id, ApiToken.user, ApiToken.scope, ApiToken.expires_at, ApiToken.last_used_at
        )
        .where((ApiToken.token_hash == _hash(token)) & (ApiToken.revoked.eq(False)))
        .first()
    )
    if row is None:
        return TokenCheck(None, "invalid")
    now = datetime.now(UTC)
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return TokenCheck(None, "expired")
    if row["scope"] != "write" and method.upper() not in SAFE_METHODS:
        return TokenCheck(None, "read_only")
    user = await load_user(row["user"])
    if user is None:
        return TokenCheck(None, "invalid")
    stale = now - LAST_USED_INTERVAL
    if row["last_used_at"] is None or row["last_used_at"] < stale:
        # conditional: of several processes that saw the old time at once, one writes
        await ApiToken.update({ApiToken.last_used_at: now}).where(
            (ApiToken.id == row["id"]) & (ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < stale))
        )
    return TokenCheck(user)


async def user_for_token(token: str, method: str = "GET") -> UserView | None:
    """The active user of a live token allowed for ``method`` (its use is recorded), or None."""
    return (await check_token(token, method)).user


async def token_refusal(
    connection: ASGIConnection[Any, Any, Any, Any],
) -> ApiTokenRequired | ApiTokenRefused | ApiTokenReadOnly:
    """The 401 for an API call that needs a user and has none: a token that is not valid or expired, or
    no token (``ApiTokenRequired``, which tells a website session apart); the 403 for a read-only token
    used to write. Raised by the route's guard (``core.identity.guards``) and by ``api_user``."""
    auth = connection.scope.get("auth")
    if getattr(auth, "rejected", False):
        refusal = getattr(auth, "refusal", "")
        if refusal == "read_only":
            return ApiTokenReadOnly(
                "Mã truy cập API này chỉ có quyền đọc: không dùng được để gửi, sửa hay xóa dữ liệu."
            )
        if refusal == "expired":
            return ApiTokenRefused("Mã truy cập API đã hết hạn. Hãy xin cấp mã mới.")
        return ApiTokenRefused("Mã truy cập API không hợp lệ hoặc đã bị thu hồi.")
    return ApiTokenRequired(signed_in_by_session=await _session_user_id(connection) is not None)


async def api_user(request: Request) -> UserView:
    """Dependency: ``request.user`` as the bearer token identified it, or 401."""
    user = request.scope.get("user")
    if user is None:
        raise await token_refusal(request)
    return user  # type: ignore[no-any-return]


async def _session_user_id(connection: ASGIConnection[Any, Any, Any, Any]) -> int | None:
    """The id of the active user signed in to the website by this request's cookie, if any (the API
    does not accept it: ``request.user`` there is the token's user)."""
    session = connection.scope.get("session")
    uid = session.get("uid") if isinstance(session, dict) else None
    if not isinstance(uid, int):
        return None
    user = await load_user(uid)
    return user.id if user is not None else None
