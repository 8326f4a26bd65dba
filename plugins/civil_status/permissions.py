"""Permissions of the civil-status domain."""

from __future__ import annotations

from core.api import L, PermissionSpec

REGISTRY_VIEW = "civil_status.registry.view"

ALL = (
    PermissionSpec(
        REGISTRY_VIEW,
        L("Tra cứu Sổ hộ tịch của cơ quan mình", "Look up the agency's civil-status books"),
        default_roles=("receiver", "specialist", "approver", "agency_admin"),
    ),
)
