"""Core plugin for core.identity: account and administration menu entries, the core permissions and
the nightly session purge (the pages: core.web.pages.identity and identity_admin)."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec, L, MenuItem


@hookimpl
def register_jobs():
    from core.identity.session_store import purge_expired

    # Nightly, Vietnam time: expired sessions and sign-in counters would otherwise stay for ever.
    return [JobSpec(name="purge_expired_sessions", func=purge_expired, cron={"hour": 0, "minute": 35})]


@hookimpl
def register_permissions():
    from core.identity.permissions import CORE_PERMISSIONS

    return CORE_PERMISSIONS


@hookimpl
def menu_items(user, request):
    if user is None:
        return []
    items = [MenuItem("/tai-khoan", L("Tài khoản của tôi", "My account"), order=90)]
    if user.has_role("province_admin"):
        items.append(MenuItem("/quan-tri/co-quan", L("Cơ quan", "Agencies"), order=85))
    if user.has_role("province_admin") or user.has_role("agency_admin"):
        items.append(
            MenuItem("/quan-tri/nguoi-dung", L("Người dùng, phân quyền", "Users and roles"), order=86)
        )
    return items
