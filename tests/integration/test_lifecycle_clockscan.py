"""The clock scan: late dossiers flagged against the agency holding the overdue step, supplements
never answered closed, idempotent; lateness recorded on step completion; the apology that follows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.contract.errors import InvalidInput, NotAllowed
from core.dossiers import clockscan, engine, service
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


@pytest.fixture
def travel(monkeypatch):
    """``travel(delta)``: the engine's clock jumps ``delta`` ahead of real time."""
    real = engine.utcnow

    def go(delta: timedelta):
        monkeypatch.setattr(engine, "utcnow", lambda: real() + delta)
        return real() + delta

    return go


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def _in_stage_two(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Hoàng Văn Em"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    return await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )


async def test_scan_flags_late_against_the_overdue_step_and_is_idempotent(world, travel):
    w = world
    d = await _in_stage_two(w)
    d = await service.complete_step(
        d.id, active(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    assert (await clockscan.scan(d.due_at - timedelta(minutes=1))).flagged_late == []
    later = travel(timedelta(days=40))
    summary = await clockscan.scan(later)
    assert summary.flagged_late == [d.id]
    d = await service.get(d.id)
    assert d.late and d.late_agency_id == w["tree"]["tax"]["id"] and d.late_step == "tax_op"
    assert d.colour == "red"
    ev = (await service.events(d.id))[-1]
    assert ev.action == "flag_late" and ev.agency_id == w["tree"]["tax"]["id"] and ev.actor_id is None
    again = await clockscan.scan(later)
    assert again.flagged_late == [] and (await service.get(d.id)).version == d.version

    # the unit at fault apologises, once; the receiving desk is not that unit
    with pytest.raises(NotAllowed):
        await service.apologise(
            d.id,
            actor=w["as"]["ward_leader"],
            version=d.version,
            new_due=later + timedelta(hours=1),
            reason="Chậm",
        )
    d = await service.apologise(
        d.id,
        actor=w["as"]["tax_leader"],
        version=d.version,
        new_due=later + timedelta(hours=1),
        reason="Chờ xác minh giá trị",
    )
    assert d.extended_due_at is not None
    with pytest.raises(InvalidInput):
        await service.apologise(
            d.id,
            actor=w["as"]["tax_leader"],
            version=d.version,
            new_due=later + timedelta(hours=2),
            reason="Lần hai",
        )


async def test_step_finished_after_its_due_is_late_and_attributed(world, travel):
    w = world
    d = await _in_stage_two(w)
    travel(timedelta(days=30))
    d = await service.complete_step(
        d.id, active(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    assert d.late and d.late_agency_id == w["tree"]["tax"]["id"] and d.late_step == "tax_op"
    assert next(s for s in d.steps if s.step_id == "tax_op").outcome == "late"
    assert next(s for s in d.steps if s.step_id == "check").outcome in ("early", "on_time")


async def test_unanswered_supplement_is_closed_after_the_limit(world, travel):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["citizen"],
        applicant={"name": "Nguyễn Văn An"},
        data={"subject": "x"},
        channel="truc_tuyen",
    )
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    d = await service.request_supplement(
        d.id, actor=w["as"]["receiver"], version=d.version, items=["Bản sao CCCD"], reason="Thiếu giấy tờ"
    )
    soon = travel(timedelta(days=5))
    assert (await clockscan.scan(soon)).closed == []
    later = travel(timedelta(days=40))
    summary = await clockscan.scan(later)
    assert summary.closed == [d.id]
    d = await service.get(d.id)
    assert d.state == "closed" and d.finished_at is not None
    assert (await clockscan.scan(later)).closed == []


async def test_hook_register_jobs():
    """Core registers the clock scan through ``register_jobs``, daily at 00:05 (Vietnam time)."""
    from core.catalogue.registry import get_catalogue

    job = get_catalogue().jobs["clock_scan"]
    assert job.cron == {"hour": 0, "minute": 5}
    assert job.func is clockscan.scan_job


async def test_scan_on_demand_by_api_and_command(client, world, capsys):
    from core.dossiers import hooks as core_hooks
    from core.identity.api_auth import issue_token
    from tests.fixtures.builders import grant

    w = world
    admin = w["users"]["ward_leader"]
    tok = await issue_token(admin["id"], "t")
    r = await client.post("/api/v1/clock-scan", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 403
    await grant(admin, w["tree"]["province"], "province_admin")
    r = await client.post("/api/v1/clock-scan", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200 and r.json() == {"flagged_late": [], "closed": [], "errors": []}
    import argparse

    sub = argparse.ArgumentParser().add_subparsers()
    core_hooks.register_commands(subparsers=sub)
    assert "clock-scan" in sub.choices


async def test_supplement_limit_of_an_older_bound_version_closes_it_on_time(world, travel, count_queries):
    """A dossier received under a version allowing 3 working days is closed after 3 days even though
    every procedure in today's catalogue allows 15 or more: the scan's pre-filter follows the versions
    the waiting dossiers are bound to, in one query however many dossiers wait."""
    import dataclasses

    from core.api import hookimpl
    from core.catalogue import registry
    from core.dossiers import timing
    from core.plugins import get_plugin_manager
    from tests.fixtures.engine_route import EngineTestPlugin

    class ShortRelease(EngineTestPlugin):
        @hookimpl
        def register_procedures(self):
            return [
                dataclasses.replace(p, supplement_limit_days=3) if p.code == PROC else p
                for p in EngineTestPlugin.register_procedures(self)
            ]

    def release(plugin):
        pm = get_plugin_manager()
        pm.unregister(name="t_engine")
        pm.register(plugin, name="t_engine")
        registry.reset()

    w = world
    release(ShortRelease())
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Trịnh Văn Khánh"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    release(EngineTestPlugin())  # today's release: 15 days again
    assert min(p.supplement_limit_days for p in registry.get_catalogue().procedures.values()) > 3
    d = await service.request_supplement(
        d.id,
        active(d, "check").id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Sơ đồ thửa đất"],
        reason="Thiếu sơ đồ",
    )
    asked = (await service.events(d.id))[-1].at
    limit = await timing.add(asked, 3 * 480, None)
    assert (await clockscan.scan(limit - timedelta(minutes=1))).closed == []

    # more dossiers waiting (bound to today's version, not yet due) cost no extra query
    async def waiting():
        x = await service.create(
            PROC,
            w["tree"]["ward"]["id"],
            actor=w["as"]["receiver"],
            applicant={"name": "Lê Thị Hoa"},
            data={"subject": "x"},
            channel="truc_tiep",
        )
        x = await service.receive(x.id, actor=w["as"]["receiver"], version=x.version)
        await service.request_supplement(
            x.id,
            active(x, "check").id,
            actor=w["as"]["ward_specialist"],
            version=x.version,
            items=["Sơ đồ"],
            reason="Thiếu",
        )

    await waiting()
    with count_queries() as few:
        assert (await clockscan.scan(limit - timedelta(minutes=1))).closed == []
    for _ in range(3):
        await waiting()
    with count_queries() as many:
        assert (await clockscan.scan(limit - timedelta(minutes=1))).closed == []
    assert len(many) == len(few)

    travel(limit - engine.utcnow() + timedelta(minutes=1))
    summary = await clockscan.scan(limit + timedelta(minutes=1))
    assert summary.closed == [d.id]
    assert (await service.get(d.id)).state == "closed"
    assert (await clockscan.scan(limit + timedelta(minutes=1))).closed == []
