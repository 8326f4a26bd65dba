"""Starting and ending a signed-in session (server-side rows in ``motcua_session``)."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token

from core.identity.session_store import DatabaseStore

__all__ = ("SESSION_COOKIE", "start_session", "end_session", "fresh_csrf_cookie", "safe_next")

SESSION_COOKIE = "motcua_session"


async def start_session(request: Request, user_id: int, *, key: str = "uid") -> None:
    """Sign ``user_id`` in under a NEW session id (no fixation: the pre-login id and row are dropped).

    Litestar's server-side backend reuses the id of the request's cookie, so the old row is deleted
    here and the cookie is removed from the request's parsed cookies; ``clear_session`` forgets the
    id the middleware loaded, and the middleware then generates a fresh id for the new data.
    """
    old = request.cookies.get(SESSION_COOKIE)
    if old and old != "null":
        await DatabaseStore().delete(old)
    request.clear_session()
    # The parsed-cookie dict is shared by every connection object of this request (the session
    # middleware's included): removing the old id from it makes the middleware generate a new one.
    request.cookies.pop(SESSION_COOKIE, None)
    request.set_session({key: user_id})


def fresh_csrf_cookie(request: Request) -> Cookie:
    """A new CSRF cookie for the response that signs someone in or out: a token known before the
    change (planted or read on a shared computer) stops working (the form token is derived from it)."""
    config = request.app.csrf_config
    if config is None:
        raise RuntimeError("the app has no CSRF configuration")
    return Cookie(
        key=config.cookie_name,
        value=generate_csrf_token(secret=config.secret),
        path=config.cookie_path,
        secure=config.cookie_secure,
        httponly=config.cookie_httponly,
        samesite=config.cookie_samesite,
        domain=config.cookie_domain,
    )


def end_session(request: Request) -> None:
    """Sign out: the middleware deletes the session row and expires the cookie."""
    request.clear_session()


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a local path of this site, else ``default`` (no open redirect)."""
    target = (target or "").strip()
    if (
        not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return default
    if target.startswith(("/dang-nhap", "/dang-xuat")):
        return default
    return target
