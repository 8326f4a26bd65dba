"""Who may see the province's back-office pages (background jobs, outgoing mail, audit log)."""

from __future__ import annotations

from litestar import Request

from core.contract.errors import NotAllowed

__all__ = ("require_province_admin",)


def require_province_admin(request: Request):
    """The signed-in province administrator of ``request``.

    Raises:
        NotAllowed: nobody is signed in, or the user is not a province administrator.
    """
    user = request.scope.get("motcua_user")
    if user is None:
        raise NotAllowed("Bạn cần đăng nhập bằng tài khoản quản trị viên tỉnh để xem trang này.")
    if not user.has_role("province_admin"):
        raise NotAllowed("Chỉ quản trị viên tỉnh được xem trang này.")
    return user
