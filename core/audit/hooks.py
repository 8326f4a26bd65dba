"""Core plugin for the audit log: its admin page and menu entry."""

from __future__ import annotations

from core.api import L, MenuItem, hookimpl


@hookimpl
def register_routes():
    from core.audit.web import routes

    return routes()


@hookimpl
def menu_items(user, request):
    if user is not None and user.has_role("province_admin"):
        return [MenuItem("/quan-tri/nhat-ky", L("Nhật ký kiểm toán", "Audit log"), order=930)]
    return []
