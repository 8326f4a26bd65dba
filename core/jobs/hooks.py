"""Core plugin for background work: core's own tasks, the dispatch of each dossier event after commit
(``after_transition`` queues it), and the admin page of the outbox."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec


@hookimpl
def register_jobs():
    from core.jobs.events import dispatch_event

    return [JobSpec("dispatch_event", dispatch_event)]


@hookimpl(tryfirst=True)
async def after_transition(transition):
    """Queue the event's dispatch (``on_dossier_event`` after commit) in the transition's transaction."""
    from core.jobs import outbox

    await outbox.add("dispatch_event", event_id=transition.event_id)


@hookimpl
def menu_items(user, request):
    from core.contract.specs import L, MenuItem

    if user is not None and user.has_role("province_admin"):
        return [MenuItem("/quan-tri/tac-vu", L("Tác vụ nền", "Background jobs"), order=910)]
    return []
