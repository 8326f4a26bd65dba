"""Core plugin for the audit log: its menu entry and nightly anchor (the page: core.web.pages.audit)."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec, L, MenuItem


@hookimpl
def menu_items(user, request):
    if user is not None and user.has_role("province_admin"):
        return [MenuItem("/quan-tri/nhat-ky", L("Nhật ký kiểm toán", "Audit log"), order=930)]
    return []


@hookimpl
def register_jobs():
    from core.audit import anchors

    # Vietnam time, like every schedule (core.jobs.cron): 00:15, after the clock scan.
    return [JobSpec(name="audit_anchor", func=anchors.anchor_job, cron={"hour": 0, "minute": 15})]
