"""Bearer-token authentication for the JSON API.

The API is excluded from CSRF, so it never trusts the session cookie for writes: callers present
``Authorization: Bearer <token>``. Read-only public endpoints need no token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException

from core.contract.views import UserView
from core.identity.current import load_user
from core.identity.tables import ApiToken

__all__ = (
    "issue_token",
    "api_user",
    "bearer_token",
    "token_refusal",
    "user_for_token",
    "ApiTokenRequired",
    "TOKEN_COMMAND",
)

TOKEN_COMMAND = "motcua token <username>"  # noqa: S105 - a command line, not a secret
"""How an administrator issues a token (``core.cli``): there is no page for it."""


class ApiTokenRequired(NotAuthorizedException):
    """The JSON API was called without a bearer token. ``signed_in_by_session`` is True when the
    caller is signed in to the website: its cookie is not accepted here, and the message says so."""

    def __init__(self, *, signed_in_by_session: bool) -> None:
        super().__init__("Bearer token required")
        self.signed_in_by_session = signed_in_by_session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user_id: int, name: str) -> str:
    """Create a token for ``user_id``; the clear value is returned once and never stored."""
    token = "mc_" + secrets.token_urlsafe(32)
    await ApiToken(user=user_id, name=name, token_hash=_hash(token), created_at=datetime.now(UTC)).save()
    return token


def bearer_token(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None when there is none."""
    if not header.lower().startswith("bearer "):
        return None
    return header[7:].strip()


async def user_for_token(token: str) -> UserView | None:
    """The active user of a live token (its use is recorded), or None for an unknown or revoked one.
    Called once per API request by ``core.identity.auth.AuthMiddleware``."""
    row = (
        await ApiToken.select(ApiToken.id, ApiToken.user)
        .where((ApiToken.token_hash == _hash(token)) & (ApiToken.revoked.eq(False)))
        .first()
    )
    if row is None:
        return None
    await ApiToken.update({ApiToken.last_used_at: datetime.now(UTC)}).where(ApiToken.id == row["id"])
    return await load_user(row["user"])


async def token_refusal(connection: ASGIConnection[Any, Any, Any, Any]) -> NotAuthorizedException:
    """The 401 for an API call that needs a user and has none: a token that is not valid, or no token
    (``ApiTokenRequired``, which tells a website session apart). Raised by the route's guard
    (``core.identity.guards``) and by ``api_user``."""
    if getattr(connection.scope.get("auth"), "rejected", False):
        return NotAuthorizedException("Mã truy cập API không hợp lệ hoặc đã bị thu hồi.")
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
