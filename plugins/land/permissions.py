"""Permissions of the land domain."""

from __future__ import annotations

from core.api import L, PermissionSpec

REGISTRY_VIEW = "land.registry.view"

ALL = (
    PermissionSpec(
        REGISTRY_VIEW,
        L(
            "Tra cứu cơ sở dữ liệu địa chính (thửa đất, Giấy chứng nhận, người sử dụng đất)",
            "Look up the land registry (parcels, certificates, holders)",
        ),
        default_roles=("receiver", "specialist", "approver", "agency_admin", "province_admin"),
    ),
)
