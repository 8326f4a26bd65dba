"""Response headers every answer carries, and the limits on what a request may send before any
handler sees it (integers the database can hold, JSON nesting).

- ``security_headers`` (a ``before_send`` hook, so it also covers 404s and error pages): a
  Content-Security-Policy with no inline script or style, no framing, ``nosniff``, a same-origin
  ``Referrer-Policy`` and ``Cache-Control: no-store`` on everything that is not a static asset
  (pages show personal data once someone is signed in; the API answers about dossiers).
- ``integer_bounds`` (an app guard): an integer in the address or in a declared query parameter
  must fit the database's ``INTEGER`` (signed 32 bits on PostgreSQL); anything else is a 404 (an
  address naming no object) or a 400, never a database error.
- ``MotcuaRequest``: JSON bodies nested deeper than ``MAX_JSON_DEPTH`` are refused with a 400.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.plugins.htmx import HTMXRequest

from core.contract.views import UserView

__all__ = (
    "CSP",
    "same_site_path",
    "security_headers",
    "integer_bounds",
    "MotcuaRequest",
    "MAX_JSON_DEPTH",
    "STATIC_PREFIXES",
)

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # QR codes are SVG data URIs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
"""For HTML pages. No ``form-action``: paying online posts, then redirects to the payment gateway."""
CSP_DATA = "default-src 'none'; frame-ancestors 'none'"
"""For JSON answers: nothing to load, nothing to frame."""

STATIC_PREFIXES = ("/static/", "/theme-static/", "/theme.css")
"""Assets that carry no personal data and may be cached."""

_COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # status addresses carry a dossier code: never sent to another site
}


async def security_headers(message: Any, scope: Any) -> None:
    """``before_send`` hook: add the security headers to every HTTP response."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _COMMON.items():
        headers[name] = value
    content_type = (headers.get("content-type") or "").lower()
    if content_type.startswith("text/html"):
        headers["content-security-policy"] = CSP
        headers["x-frame-options"] = "DENY"
    elif "json" in content_type:
        headers["content-security-policy"] = CSP_DATA
        headers["x-frame-options"] = "DENY"
    if not scope.get("path", "").startswith(STATIC_PREFIXES):
        headers["cache-control"] = "no-store"
    if "server" in headers:
        del headers["server"]


DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
"""Row ids are ``SERIAL`` (a 32-bit ``INTEGER``) on PostgreSQL; SQLite takes 64 bits. A handler that
needs a bigger integer from the address or the query takes it as a string."""


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) == 1 and args[0] is int
    return False


_INT_QUERY: dict[Any, list[tuple[str, str]]] = {}


def _int_parameters(handler: Any) -> list[tuple[str, str]]:
    """``(name, key in the query string)`` of the handler's integer parameters (cached per handler)."""
    found = _INT_QUERY.get(handler)
    if found is None:
        found = []
        for name, field in handler.parsed_fn_signature.parameters.items():
            if _is_int(field.annotation):
                alias = getattr(field.kwarg_definition, "query", None) if field.kwarg_definition else None
                found.append((name, alias or name))
        _INT_QUERY[handler] = found
    return found


def integer_bounds(connection: Any, handler: Any) -> None:
    """App guard: refuse integers in the address or the query that no database row can have."""
    for value in (connection.scope.get("path_params") or {}).values():  # already converted by the router
        if isinstance(value, int) and not isinstance(value, bool) and not DB_INT_MIN <= value <= DB_INT_MAX:
            raise NotFoundException("Không có đối tượng nào mang số này.")
    if connection.scope.get("type") != "http":
        return
    path_params = connection.scope.get("path_params") or {}
    for name, key in _int_parameters(handler):
        raw = None if name in path_params else connection.query_params.get(key)
        try:
            value = int(raw) if raw is not None else None
        except ValueError:
            continue  # not a number at all: the framework's own validation answers
        if value is not None and not DB_INT_MIN <= value <= DB_INT_MAX:
            raise ValidationException(
                detail=f"Giá trị '{key}' quá lớn.",
                extra=[
                    {"key": key, "source": "query", "message": f"Nhập một số nguyên không quá {DB_INT_MAX}."}
                ],
            )


MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a JSON body may have (form answers need a handful of levels;
the JSON columns' encoder stops at 254, the decoder at Python's recursion limit)."""


def json_depth(value: Any) -> int:
    """Nesting depth of decoded JSON, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


_TOO_DEEP = f"Nội dung JSON lồng nhau quá nhiều tầng (tối đa {MAX_JSON_DEPTH} tầng)."


class MotcuaRequest(HTMXRequest):
    """The app's request: htmx details, the signed-in user, and a JSON body that is never too deep to handle."""

    @property
    def user(self) -> UserView | None:  # type: ignore[override]
        """The signed-in user (``core.identity.auth.AuthMiddleware``), or None: nobody is signed in, or the
        request reached no route (a 404 for an unknown address is rendered without one)."""
        return self.scope.get("user")  # type: ignore[return-value]

    async def json(self) -> Any:
        try:
            value = await super().json()
        except RecursionError:
            raise ClientException(_TOO_DEEP) from None
        if json_depth(value) > MAX_JSON_DEPTH:
            raise ClientException(_TOO_DEEP)
        return value


def same_site_path(url: str | None, host: str, default: str | None = "/") -> str | None:
    """The path and query of ``url`` when it points into this site, else ``default``.

    Only a URL without a host, or with exactly our ``host``, counts; the path must be a plain absolute
    path (``//evil.example``, ``/\\evil.example`` and control characters are refused: a browser
    reads them as another site).
    """
    if not url or any(ord(ch) < 32 or ch == "\\" for ch in url):
        return default
    try:
        parts = urlsplit(url)
    except ValueError:
        return default
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc.lower() != host.lower()):
        return default
    if not parts.netloc and parts.scheme:  # "http:/x" without a host
        return default
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return default
    return path + (f"?{parts.query}" if parts.query else "")
