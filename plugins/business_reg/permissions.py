"""Permissions of the business-registration domain."""

from __future__ import annotations

from core.api import L, PermissionSpec

REGISTER_VIEW = "business_reg.register.view"

ALL = (
    PermissionSpec(
        REGISTER_VIEW,
        L(
            "Xem đầy đủ sổ đăng ký doanh nghiệp, hộ kinh doanh (kể cả thông tin cá nhân của chủ hộ, người đại diện)",
            "See the full business register (including owners' and representatives' personal data)",
        ),
        default_roles=("receiver", "specialist", "approver", "agency_admin", "province_admin"),
    ),
)
