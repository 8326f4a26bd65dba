"""Core plugin for core.stats: the counters follow every transition (``after_transition``) and every
settled payment (``on_payment``) in their own transaction; the rebuild job and command."""

from __future__ import annotations

from core.contract.hookspecs import hookimpl
from core.contract.specs import JobSpec


@hookimpl
async def after_transition(transition):
    """Count what the transition counts (a receipt, a decision and its timeliness, a hand-over …),
    in the transition's transaction: the dashboard never scans dossiers."""
    from core.stats.counters import facts_of, record

    facts = facts_of(
        event_id=transition.event_id,
        action=transition.action,
        from_state=transition.from_state,
        to_state=transition.to_state,
        at=transition.at,
        dossier={**transition.dossier, "id": transition.dossier_id},
    )
    if facts:
        await record(facts)
    return None


@hookimpl
async def on_payment(payment_id, dossier_id):
    """Count a settled payment (and whether it was made online), in the payment's transaction."""
    from core.dossiers.tables import Dossier
    from core.fees.tables import Payment
    from core.stats.counters import payment_facts, record

    payment = await Payment.select().where(Payment.id == payment_id).first()
    dossier = (
        await Dossier.select(
            Dossier.id, Dossier.receiving_agency, Dossier.procedure_code, Dossier.domain, Dossier.channel
        )
        .where(Dossier.id == dossier_id)
        .first()
    )
    if payment and dossier:
        await record(payment_facts(payment, dossier))
    return None


@hookimpl
def register_jobs():
    from core.stats.rebuild import rebuild_task

    return [JobSpec(name="stats_rebuild", func=rebuild_task)]


@hookimpl
def register_commands(subparsers):
    from core.stats.rebuild import cmd_rebuild

    p = subparsers.add_parser("thong-ke", help="thống kê: tính lại bộ đếm từ nhật ký sự kiện hồ sơ")
    p.add_argument("action", choices=["tinh-lai"], help="tinh-lai: xoá và tính lại mọi bộ đếm")
    p.set_defaults(func=cmd_rebuild)
