"""Who may see the province's back-office pages (background jobs, outgoing mail, audit log)."""

from __future__ import annotations

from core.identity.guards import requires_role

__all__ = ("BACK_OFFICE",)

BACK_OFFICE = [requires_role("province_admin", message="Chỉ quản trị viên tỉnh được xem trang này.")]
"""The guard of the back-office pages: the province administrator."""
