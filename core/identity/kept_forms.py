"""A form posted after the session expired is kept, so nothing typed is lost on the way through
sign-in.

When a page form (URL-encoded or multipart) reaches a guard with nobody signed in, ``keep`` stores its
text fields server-side (the session store's table, one hour, under a random one-time token) and marks
the request (the CSRF check has passed: the form came from one of this site's pages); the sign-in
redirect then gives the browser that token in an HttpOnly cookie (never in the
URL: the form may hold an applicant's personal data). After sign-in the browser returns to the page that
held the form; the page calls ``take`` and fills the form again from what was kept. ``take`` hands a kept
form out once, only to a signed-in user and only on the page it was typed on. Files are not kept (the
browser must attach them again), nor the CSRF token.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import MultiDict

from core.identity.session_store import DatabaseStore

__all__ = ("COOKIE", "SCOPE_KEY", "TTL_SECONDS", "keep", "take")

COOKIE = "motcua_kept_form"
SCOPE_KEY = "motcua_kept_form"
"""Where ``keep`` leaves the token in the request's scope for the sign-in redirect."""
TTL_SECONDS = 3600
MAX_BYTES = 64 * 1024
"""A bigger form is not kept (a page form's text is far smaller)."""
_PREFIX = "kept-form:"
_SKIPPED = frozenset({"_csrf_token"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def keep(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """Store the text fields of the form ``connection`` posts and return the token (also left in
    the scope under ``SCOPE_KEY``); ``None`` for a read, a request without a form or an empty one."""
    scope = connection.scope
    if scope.get("method", "GET") in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = connection.headers.get("content-type", "").lower()
    if not content_type.startswith(_FORM_TYPES):
        return None
    try:
        form = await Request(scope, connection.receive).form()
    except Exception:  # noqa: BLE001 - a body that does not parse is simply not kept
        return None
    pairs = [[k, v] for k, v in form.multi_items() if isinstance(v, str) and k not in _SKIPPED]
    if not pairs:
        return None
    referer = urlsplit(connection.headers.get("referer", ""))
    raw = json.dumps(
        {"pairs": pairs, "post_path": scope.get("path", ""), "page": referer.path}, ensure_ascii=False
    ).encode()
    if len(raw) > MAX_BYTES:
        return None
    token = secrets.token_urlsafe(32)
    await DatabaseStore().set(_PREFIX + token, raw, expires_in=TTL_SECONDS)
    scope[SCOPE_KEY] = token  # type: ignore[literal-required]
    return token


async def take(
    request: Request[Any, Any, Any], *, post_prefix: str = ""
) -> tuple[MultiDict[str], str] | None:
    """The form kept for the page ``request`` shows (its fields, and the path it was posted to), once.

    Args:
        request: A signed-in page view carrying the kept form's cookie.
        post_prefix: Only a form posted to a path starting with this is handed out.

    Returns:
        ``(fields, post_path)``, or ``None`` when nothing was kept for this page (the kept form then
        stays for the right page until it expires).
    """
    token = request.cookies.get(COOKIE) or ""
    if not token or len(token) > 64 or request.scope.get("user") is None:
        return None
    store = DatabaseStore()
    raw = await store.get(_PREFIX + token)
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        pairs = [(str(k), str(v)) for k, v in data["pairs"]]
        page, post_path = str(data.get("page") or ""), str(data.get("post_path") or "")
    except (ValueError, KeyError, TypeError):
        await store.delete(_PREFIX + token)
        return None
    if request.url.path not in (page, post_path) or not post_path.startswith(post_prefix):
        return None
    await store.delete(_PREFIX + token)
    return MultiDict(pairs), post_path
