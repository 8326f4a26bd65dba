"""The permission registry: core permissions plus those plugins declare (``register_permissions``).

A permission is held by a user at an agency when one of the user's roles *at that agency* is among
the permission's ``default_roles``; a province administrator holds every permission.
"""

from __future__ import annotations

from core.contract.specs import L, PermissionSpec
from core.contract.views import UserView

__all__ = ("CORE_PERMISSIONS", "permissions", "has_permission")

_STAFF = ("receiver", "specialist", "approver", "agency_admin")

CORE_PERMISSIONS: tuple[PermissionSpec, ...] = (
    PermissionSpec("dossier.submit", L("Nộp hồ sơ trực tuyến", "Submit a dossier online"), ("citizen",)),
    PermissionSpec(
        "dossier.receive", L("Tiếp nhận, trả kết quả hồ sơ", "Receive and return dossiers"), ("receiver",)
    ),
    PermissionSpec(
        "dossier.process", L("Thẩm định, xử lý hồ sơ", "Examine and process dossiers"), ("specialist",)
    ),
    PermissionSpec("dossier.approve", L("Phê duyệt kết quả", "Approve results"), ("approver",)),
    PermissionSpec("dossier.view_agency", L("Xem hồ sơ của cơ quan", "See the agency's dossiers"), _STAFF),
    PermissionSpec(
        "dossier.deliver", L("Chuyển phát hồ sơ, kết quả", "Carry dossiers and results"), ("postal_agent",)
    ),
    PermissionSpec(
        "identity.users.manage",
        L("Quản lý người dùng và phân quyền", "Manage users and roles"),
        ("agency_admin",),
    ),
    PermissionSpec("identity.agencies.view", L("Xem cây cơ quan", "See the agency tree"), ("agency_admin",)),
    PermissionSpec("catalogue.configure", L("Cấu hình thủ tục, lệ phí", "Configure procedures and fees"), ()),
    PermissionSpec("audit.view", L("Xem nhật ký kiểm toán", "See the audit log"), ("agency_admin",)),
)
"""Permissions the core checks (the province administrator holds them all)."""


def permissions() -> dict[str, PermissionSpec]:
    """Every permission by code: core's and those declared with ``register_permissions`` by core's
    identity plugin and every domain plugin, asked of the plugins themselves (identity sits below the
    catalogue). The catalogue validates the same declarations at startup: duplicates stop it, naming
    both plugins."""
    from core.plugins import get_plugin_manager

    found = {p.code: p for p in CORE_PERMISSIONS}
    for specs in get_plugin_manager().hook.register_permissions():
        for spec in specs or ():
            found.setdefault(spec.code, spec)
    return found


def has_permission(user: UserView | None, agency_id: int | None, perm: str) -> bool:
    """Whether ``user`` holds ``perm`` at ``agency_id`` (at any agency when ``agency_id`` is None).

    Unknown permission codes are never held (a typo must not open a door).
    """
    if user is None:
        return False
    spec = permissions().get(perm)
    if spec is None:
        return False
    if user.has_role("province_admin"):
        return True
    roles = set(spec.default_roles)
    return any(r in roles and (agency_id is None or a == agency_id) for a, r in user.grants)
