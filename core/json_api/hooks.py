"""Core plugin for the JSON API: its routes under ``/api/v1``."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl


@hookimpl
def register_routes():
    from core.json_api.dossiers import ROUTES
    from core.json_api.procedures import ProceduresController

    return [ProceduresController, *ROUTES]
