"""Core plugin for core.catalogue: the admin menu entries (the pages are core.web.pages.catalogue and
catalogue_admin; the procedures JSON API is core.json_api)."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import L, MenuItem


@hookimpl
def menu_items(user, request):
    if user is None or not user.has_role("province_admin"):
        return []
    return [
        MenuItem("/quan-tri/thu-tuc", L("Cấu hình thủ tục", "Procedure set-up"), order=80),
        MenuItem("/quan-tri/le-phi", L("Mức phí, lệ phí", "Fee amounts"), order=81),
    ]
