"""Litestar guards: ``requires_login``, ``requires_role(*roles)``, ``requires_staff``, ``requires_permission``.

Not signed in → ``NotAuthorizedException`` (the error handler redirects to ``/dang-nhap?next=…``);
signed in without the right → ``PermissionDeniedException`` (a Vietnamese 403 page).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from core.contract.views import UserView
from core.identity.current import load_user
from core.identity.permissions import has_permission

__all__ = ("requires_login", "requires_role", "requires_staff", "requires_permission", "signed_in")

Guard = Callable[[ASGIConnection, Any], Awaitable[None]]


async def signed_in(connection: ASGIConnection) -> UserView:
    """The signed-in user, or ``NotAuthorizedException``.

    Guards run before the app's ``before_request``, so the user is loaded here when it is not yet in
    the scope (and kept there, so the request loads it once).
    """
    if "motcua_user" not in connection.scope:
        session = connection.scope.get("session") or {}
        uid = session.get("uid") if isinstance(session, dict) else None
        connection.scope["motcua_user"] = await load_user(uid) if uid else None  # type: ignore[typeddict-unknown-key]
    user = connection.scope.get("motcua_user")
    if user is None:
        raise NotAuthorizedException("Vui lòng đăng nhập để tiếp tục.")
    return user


async def requires_login(connection: ASGIConnection, _: Any) -> None:
    """Guard: any signed-in user."""
    await signed_in(connection)


def requires_role(*roles: str) -> Guard:
    """Guard factory: the user holds one of ``roles`` at some agency."""

    async def guard(connection: ASGIConnection, _: Any) -> None:
        user = await signed_in(connection)
        if not any(user.has_role(r) for r in roles):
            raise PermissionDeniedException("Tài khoản của bạn không có quyền mở trang này.")

    guard.__name__ = f"requires_role_{'_'.join(roles)}"
    return guard


async def requires_staff(connection: ASGIConnection, _: Any) -> None:
    """Guard: the user holds a role other than ``citizen``."""
    if not (await signed_in(connection)).is_staff:
        raise PermissionDeniedException("Trang này chỉ dành cho cán bộ, công chức.")


def requires_permission(perm: str) -> Guard:
    """Guard factory: the user holds ``perm`` at some agency."""

    async def guard(connection: ASGIConnection, _: Any) -> None:
        if not has_permission(await signed_in(connection), None, perm):
            raise PermissionDeniedException("Tài khoản của bạn không có quyền mở trang này.")

    guard.__name__ = f"requires_permission_{perm}"
    return guard
