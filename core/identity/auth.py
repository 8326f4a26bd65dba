"""``request.user``: Litestar's authentication middleware, loading the signed-in user once per request.

- Pages: the user whose id the session holds (``session["uid"]``), if still active.
- The JSON API (``/api/``): the user of the ``Authorization: Bearer <token>`` header, never the session
  (the API is exempt from CSRF, so a cookie must not act there).

Nobody signed in is ``request.user is None``; the route's guard (``core.identity.guards``) decides
whether that is enough. ``request.auth`` says how the user was found (``Auth``), so the API can tell a
missing token from a revoked one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware

from core.identity.api_auth import bearer_token, check_token
from core.identity.current import load_user

__all__ = ("API_PREFIX", "Auth", "AuthMiddleware", "auth_middleware")

API_PREFIX = "/api/"
"""Paths authenticated by bearer token only."""


@dataclass(frozen=True, slots=True)
class Auth:
    """How ``request.user`` was found.

    Attributes:
        method: ``session`` (pages), ``token`` (the API with an ``Authorization: Bearer`` header) or
            ``none`` (nothing presented).
        rejected: a token was presented but is unknown, revoked, expired, its user inactive, or it is a
            read-only token on a method that writes.
        refusal: why it was rejected (``invalid``, ``expired``, ``read_only``), else ``""``.
    """

    method: str = "none"
    rejected: bool = False
    refusal: str = ""


NOBODY = Auth()


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``scope["user"]`` (``UserView | None``) and ``scope["auth"]`` (``Auth``) before guards run."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if connection.scope.get("path", "").startswith(API_PREFIX):
            token = bearer_token(connection.headers.get("authorization", ""))
            if token is None:
                return AuthenticationResult(user=None, auth=NOBODY)
            check = await check_token(token, str(connection.scope.get("method", "GET")))
            auth = Auth("token", rejected=check.user is None, refusal=check.refusal)
            return AuthenticationResult(user=check.user, auth=auth)
        session = connection.scope.get("session")
        uid = session.get("uid") if isinstance(session, dict) else None
        if not uid:
            return AuthenticationResult(user=None, auth=NOBODY)
        return AuthenticationResult(user=await load_user(uid), auth=Auth("session"))


def auth_middleware() -> DefineMiddleware:
    """The middleware for ``create_app``; it must come after the session middleware."""
    return DefineMiddleware(AuthMiddleware)
