"""Core plugin for core.clock: the menu entry of the working calendar (its page: core.web.pages.clock_admin)."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import L, MenuItem


@hookimpl
def menu_items(user, request):
    if user is None or not user.has_role("province_admin"):
        return []
    return [MenuItem("/quan-tri/lich-lam-viec", L("Lịch làm việc", "Working calendar"), order=83)]
