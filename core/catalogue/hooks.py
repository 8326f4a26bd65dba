"""Core plugin for core.catalogue: the public catalogue pages, the province administration of
activation and fees, the procedures JSON API, and the admin menu entries."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.catalogue.specs import L, MenuItem


@hookimpl
def register_routes():
    from core.catalogue.admin import activation_page, activation_toggle, fees_add, fees_page
    from core.catalogue.controllers import catalogue_index, procedure_page
    from core.json_api.procedures import ProceduresController

    return [catalogue_index, procedure_page, activation_page, activation_toggle, fees_page, fees_add,
            ProceduresController]


@hookimpl
def menu_items(user, request):
    if user is None or not user.has_role("province_admin"):
        return []
    return [
        MenuItem("/quan-tri/thu-tuc", L("Cấu hình thủ tục", "Procedure set-up"), order=80),
        MenuItem("/quan-tri/le-phi", L("Mức phí, lệ phí", "Fee amounts"), order=81),
    ]
