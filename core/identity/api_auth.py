"""Bearer-token authentication for the JSON API.

The API is excluded from CSRF, so it never trusts the session cookie for writes: callers present
``Authorization: Bearer <token>``. Read-only public endpoints need no token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from core.contract.views import UserView
from core.identity.current import load_user
from core.identity.tables import ApiToken

__all__ = ("issue_token", "api_user", "optional_api_user", "ApiTokenRequired", "TOKEN_COMMAND")

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


async def optional_api_user(request: Request) -> UserView | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    token_hash = _hash(header[7:].strip())
    row = await ApiToken.select(ApiToken.id, ApiToken.user).where(
        (ApiToken.token_hash == token_hash) & (ApiToken.revoked.eq(False))
    ).first()
    if row is None:
        raise NotAuthorizedException("Mã truy cập API không hợp lệ hoặc đã bị thu hồi.")
    await ApiToken.update({ApiToken.last_used_at: datetime.now(UTC)}).where(ApiToken.id == row["id"])
    return await load_user(row["user"])


async def api_user(request: Request) -> UserView:
    """Dependency: the token's user, or 401."""
    user = await optional_api_user(request)
    if user is None:
        raise ApiTokenRequired(signed_in_by_session=await _session_user_id(request) is not None)
    return user


async def _session_user_id(request: Request) -> int | None:
    """The id of the active user signed in to the website by this request's cookie, if any."""
    if (known := request.scope.get("motcua_user")) is not None:
        return known.id
    session = request.scope.get("session")
    uid = session.get("uid") if isinstance(session, dict) else None
    if not isinstance(uid, int):
        return None
    user = await load_user(uid)
    return user.id if user is not None else None
