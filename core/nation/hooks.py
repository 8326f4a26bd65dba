"""Core plugin for the national portal: the reference HTTP connection (registered last), the sync
tasks and their schedule, the pushes queued with each change and payment, the admin menu entry and
the ``motcua dvcqg`` command."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec, L, MenuItem, NationalPortalSpec

SKIPPED_ACTIONS = frozenset({"create", "edit_draft", "import_national"})
"""Changes the portal is not told of: a draft's (it has no code yet) and a dossier that came from
the portal itself (it knows)."""


@hookimpl(trylast=True)
def register_national_portals():
    from core.nation.client import from_environment

    return [
        NationalPortalSpec(
            name="dvcqg_http",
            label=L("Cổng Dịch vụ công quốc gia (HTTP)", "National public-service portal (HTTP)"),
            build=from_environment,
        )
    ]


@hookimpl
def register_jobs():
    from core.nation import sync

    return [
        JobSpec("national_push", sync.national_push),
        JobSpec("national_pull", sync.national_pull, cron={"minute": set(range(0, 60, 5))}),
        JobSpec("national_reconcile", sync.national_reconcile, cron={"hour": 1, "minute": 30}),
    ]


@hookimpl
async def after_transition(transition):
    """Queue the change's push in its own transaction, when a portal connection is configured."""
    from core.nation import sync

    code = transition.dossier.get("code")
    if not code or transition.action in SKIPPED_ACTIONS or transition.to_state == "draft":
        return None
    if sync.portal() is None:
        return None
    await sync.queue_push(transition.dossier_id, code, f"{code}:e{transition.seq}", transition.at)
    return None


@hookimpl
async def on_payment(payment_id, dossier_id):
    """A settled payment is part of the data set: push it, in the payment's transaction."""
    from datetime import UTC, datetime

    from core.dossiers.tables import Dossier
    from core.nation import sync

    if sync.portal() is None:
        return None
    row = await Dossier.select(Dossier.code).where(Dossier.id == dossier_id).first()
    if row and row["code"]:
        await sync.queue_push(dossier_id, row["code"], f"{row['code']}:p{payment_id}", datetime.now(UTC))
    return None


@hookimpl
def menu_items(user, request):
    if user is not None and user.has_role("province_admin"):
        return [MenuItem("/quan-tri/dvc-quoc-gia", L("Cổng DVC quốc gia", "National portal"), order=915)]
    return []


@hookimpl
def register_commands(subparsers):
    from core.nation.cli import cmd_national

    p = subparsers.add_parser("dvcqg", help="Cổng Dịch vụ công quốc gia: đối soát, lấy hồ sơ")
    p.add_argument(
        "action",
        choices=["doi-soat", "lay-ho-so"],
        help="doi-soat: đối soát một ngày; lay-ho-so: lấy hồ sơ mới",
    )
    p.add_argument("--ngay", default=None, help="ngày đối soát (YYYY-MM-DD; mặc định: hôm qua)")
    p.set_defaults(func=cmd_national)
