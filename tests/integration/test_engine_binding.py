"""Issue 3: a dossier is bound to the procedure version in force when it was received. A new release
of the procedure (longer time limit, another supplement policy and limit) changes nothing for a
dossier received before it: not its due, not its clock policy, not its supplement limit."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from core.api import hookimpl
from core.dossiers import clockscan, engine, service, timing
from core.dossiers.tables import Dossier
from tests.fixtures.engine_route import PROC, EngineTestPlugin, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


@pytest.fixture
def travel(monkeypatch):
    real = engine.utcnow

    def go(delta: timedelta):
        monkeypatch.setattr(engine, "utcnow", lambda: real() + delta)
        return real() + delta

    return go


class EditedRelease(EngineTestPlugin):
    """The same plugin, next release: PROC now takes 20 days, pauses on supplements, waits 30 days."""

    @hookimpl
    def register_procedures(self):
        return [
            dataclasses.replace(p, processing_days=20, supplement_policy="pause", supplement_limit_days=30)
            if p.code == PROC
            else p
            for p in EngineTestPlugin.register_procedures(self)
        ]


def release_new_version():
    from core.catalogue import registry
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    pm.unregister(name="t_engine")
    pm.register(EditedRelease(), name="t_engine")
    registry.reset()
    assert registry.get_catalogue().procedure(PROC).processing_days == 20


async def _received(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Trịnh Văn Khánh"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def _span(start, end) -> int:
    return await timing.working_minutes(start, end, None)


async def test_editing_the_procedure_never_moves_an_existing_deadline(world):
    w = world
    old = await _received(w)
    assert await _span(old.clock_start_at, old.due_at) == 5 * 480
    release_new_version()
    new = await _received(w)
    assert new.procedure_version_id != old.procedure_version_id
    assert await _span(new.clock_start_at, new.due_at) == 20 * 480, "a new dossier takes the new release"

    again = await service.get(old.id)
    assert (again.due_at, again.procedure_version_id) == (old.due_at, old.procedure_version_id)
    # acting on the old dossier under the new release keeps its deadline too
    d = await service.complete_step(
        old.id, active(again, "check").id, actor=w["as"]["ward_specialist"], version=again.version
    )
    assert d.due_at == old.due_at
    row = await Dossier.select(Dossier.due_at, Dossier.procedure_version).where(Dossier.id == old.id).first()
    assert (timing.as_utc(row["due_at"]), row["procedure_version"]) == (old.due_at, old.procedure_version_id)


async def test_supplement_policy_of_the_bound_version_applies(world):
    """Received under "restart": after the release switches to "pause", the old dossier's clock
    still restarts on resubmission with its own 5 days, and no pause interval is opened."""
    from core.dossiers.tables import Suspension

    w = world
    d = await _received(w)
    release_new_version()
    d = await service.request_supplement(
        d.id,
        active(d, "check").id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Bản sao giấy tờ"],
        reason="Thiếu",
    )
    assert await Suspension.count().where(Suspension.dossier == d.id) == 0, "restart policy: no pause"
    d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    ev = (await service.events(d.id))[-1]
    assert ev.action == "resubmit" and "clock_restarted_at" in ev.data
    assert await _span(d.clock_start_at, d.due_at) == 5 * 480


async def test_supplement_limit_of_the_bound_version_closes_it(world, travel):
    """Bound limit 15 working days (the release says 30): closed by the scan after 15, not before."""
    w = world
    d = await _received(w)
    release_new_version()
    d = await service.request_supplement(
        d.id,
        active(d, "check").id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Sơ đồ thửa đất"],
        reason="Thiếu sơ đồ",
    )
    asked = (await service.events(d.id))[-1].at
    limit = await timing.add(asked, 15 * 480, None)
    assert (await clockscan.scan(limit - timedelta(minutes=1))).closed == []
    travel(limit - engine.utcnow() + timedelta(minutes=1))
    summary = await clockscan.scan(limit + timedelta(minutes=1))
    assert summary.closed == [d.id]
    assert (await service.get(d.id)).state == "closed"


class RouteRelease(EngineTestPlugin):
    """Next release of the route: the police opinion is dropped and the tax step renamed."""

    @hookimpl
    def register_workflows(self):
        from core.api import L, StageSpec, StepSpec, WorkflowSpec

        new = WorkflowSpec(
            id="t_engine_route",
            name=L("Quy trình rút gọn", "Shorter route"),
            stages=(
                StageSpec(
                    steps=(
                        StepSpec(
                            id="check",
                            name=L("Kiểm tra hồ sơ", "Check"),
                            role="specialist",
                            agency="receiving",
                            days=1,
                        ),
                    )
                ),
                StageSpec(
                    steps=(
                        StepSpec(
                            id="tax_opinion",
                            name=L("Ý kiến thuế", "Tax"),
                            role="specialist",
                            agency="sector:tax",
                            days=3,
                        ),
                    )
                ),
                StageSpec(
                    steps=(
                        StepSpec(
                            id="decide",
                            name=L("Lãnh đạo phê duyệt", "Decision"),
                            role="approver",
                            agency="receiving",
                            days=1,
                            outcomes=("approve", "reject"),
                        ),
                    )
                ),
            ),
        )
        return [new if wf.id == "t_engine_route" else wf for wf in EngineTestPlugin.register_workflows(self)]


async def test_a_new_route_never_strands_a_dossier_mid_route(world):
    """Received on the old route (tax ∥ police, decision may send back): after a release that drops
    the police step and renames the tax step, the dossier finishes on its own route."""
    from core.catalogue import registry
    from core.plugins import get_plugin_manager

    w = world
    d = await _received(w)
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    pm = get_plugin_manager()
    pm.unregister(name="t_engine")
    pm.register(RouteRelease(), name="t_engine")
    registry.reset()
    assert "police_op" not in {s.id for s in registry.get_catalogue().workflows["t_engine_route"].steps()}

    # the page still names the old steps and offers their actions
    from core.dossiers.access import allowed_actions

    d = await service.get(d.id)
    assert active(d, "police_op").name == "Ý kiến công an" and "complete" in active(d, "police_op").outcomes
    assert {
        "action": "complete_step",
        "step_id": active(d, "police_op").id,
        "step": "Ý kiến công an",
        "agency": w["tree"]["police"]["name"],
    } in allowed_actions(w["as"]["police_specialist"], d)
    d = await service.complete_step(
        d.id, active(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, active(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    # the old route's decision step may still send back (the new one may not)
    d = await service.return_step(
        d.id,
        active(d, "decide").id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        reason="Bổ sung ý kiến công an",
    )
    assert {s.step_id for s in d.active_steps()} == {"tax_op", "police_op"}
    for who, sid in (("tax_specialist", "tax_op"), ("police_specialist", "police_op")):
        d = await service.complete_step(d.id, active(d, sid).id, actor=w["as"][who], version=d.version)
    d = await service.approve(d.id, active(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    assert d.state == "result_approved"
    issued = [e for e in await service.events(d.id) if e.action == "approve"][0].data["results"]
    assert [r["id"] for r in issued] == ["t_engine_cert"]
