"""Core plugin for background work: core's own tasks, and the admin page of the outbox."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.catalogue.specs import JobSpec


@hookimpl
def register_jobs():
    from core.jobs.events import dispatch_event

    return [JobSpec("dispatch_event", dispatch_event)]


@hookimpl
def register_routes():
    from core.jobs.admin import routes

    return routes()


@hookimpl
def menu_items(user, request):
    from core.catalogue.specs import L, MenuItem

    if user is not None and user.has_role("province_admin"):
        return [MenuItem("/quan-tri/tac-vu", L("Tác vụ nền", "Background jobs"), order=910)]
    return []
