"""Issue 3, inter-agency routing: parallel steps of a stage join before the next stage starts; a step
sends the dossier back to the previous stage with a reason; every hand-over is recorded and the
processing-control sheet (form 06) is a view of those records; each step is early / on time / late."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.api import (
    DocumentRequirement,
    DomainInfo,
    FieldSpec,
    FormSpec,
    L,
    PageSpec,
    ProcedureSpec,
    StageSpec,
    StepSpec,
    WorkflowSpec,
    hookimpl,
)
from core.contract.errors import InvalidInput, NotAllowed
from core.dossiers import engine, service
from core.dossiers.tables import DossierEvent, DossierStep
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


def states_of(d):
    return {(s.step_id, s.status) for s in d.steps}


async def _at_stage_two(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Đặng Thu Hà"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    return await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )


async def test_parallel_steps_run_at_once_and_the_stage_joins(world):
    w = world
    d = await _at_stage_two(w)
    # both agencies of stage 2 hold the dossier at the same time, each with its own budget and due
    tax, police = active(d, "tax_op"), active(d, "police_op")
    assert (tax.agency.id, police.agency.id) == (w["tree"]["tax"]["id"], w["tree"]["police"]["id"])
    assert (
        tax.started_at == police.started_at and tax.budget_minutes == 2 * 480 and police.budget_minutes == 480
    )
    ev = (await service.events(d.id))[-1]
    assert sorted(ev.data["handed_to"]) == sorted([w["tree"]["tax"]["id"], w["tree"]["police"]["id"]])

    # police finishes first: no join yet, the decision waits
    d = await service.complete_step(d.id, police.id, actor=w["as"]["police_specialist"], version=d.version)
    assert d.state == "in_processing"
    assert ("decide", "waiting") in states_of(d) and ("tax_op", "active") in states_of(d)
    assert "next_stage" not in (await service.events(d.id))[-1].data
    # the police clerk cannot finish the tax step
    with pytest.raises(NotAllowed):
        await service.complete_step(d.id, tax.id, actor=w["as"]["police_specialist"], version=d.version)
    # tax finishes: the stage joins and the decision starts
    d = await service.complete_step(d.id, tax.id, actor=w["as"]["tax_specialist"], version=d.version)
    assert [s.step_id for s in d.active_steps()] == ["decide"]
    last = (await service.events(d.id))[-1]
    assert last.data["next_stage"] == 3 and last.data["handed_to"] == [w["tree"]["ward"]["id"]]
    assert last.agency_id == w["tree"]["tax"]["id"] and last.step_id == "tax_op"


async def test_send_back_needs_a_reason_and_reopens_the_previous_stage(world):
    w = world
    d = await _at_stage_two(w)
    for sid, who in (("tax_op", "tax_specialist"), ("police_op", "police_specialist")):
        d = await service.complete_step(d.id, active(d, sid).id, actor=w["as"][who], version=d.version)
    decide = active(d, "decide")
    events_before = await DossierEvent.count().where(DossierEvent.dossier == d.id)
    with pytest.raises(InvalidInput) as err:
        await service.return_step(
            d.id, decide.id, actor=w["as"]["ward_leader"], version=d.version, reason="  "
        )
    assert err.value.errors[0][0] == "note"
    same = await service.get(d.id)
    assert same.version == d.version and states_of(same) == states_of(d)
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == events_before

    d = await service.return_step(
        d.id,
        decide.id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        reason="Ý kiến của thuế chưa nêu giá tính thuế",
    )
    assert d.state == "in_processing"
    assert {s.step_id for s in d.active_steps()} == {"tax_op", "police_op"}
    assert [s.status for s in d.steps if s.step_id == "decide"] == ["returned", "waiting"]
    ev = (await service.events(d.id))[-1]
    assert ev.action == "return_step" and ev.note == "Ý kiến của thuế chưa nêu giá tính thuế"
    assert ev.data["returned_to_stage"] == 2 and ev.step_id == "decide"
    # the first stage has nowhere to send back to
    d2 = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Đặng Thu Hà"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d2 = await service.receive(d2.id, actor=w["as"]["receiver"], version=d2.version)
    with pytest.raises(NotAllowed, match="bước đầu tiên"):
        await service.return_step(
            d2.id,
            active(d2, "check").id,
            actor=w["as"]["ward_specialist"],
            version=d2.version,
            reason="Thiếu",
        )


async def test_every_hand_over_is_recorded_and_form06_is_a_view_of_it(world, monkeypatch):
    from core.documents.context import _control_rows, dossier_bundle

    w = world
    d = await _at_stage_two(w)
    d = await service.complete_step(
        d.id, active(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    real = engine.utcnow
    monkeypatch.setattr(engine, "utcnow", lambda: real() + timedelta(days=30))  # tax answers a month later
    d = await service.complete_step(
        d.id, active(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    d = await service.approve(d.id, active(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    assert d.state == "result_approved"

    rows = {r["step_id"]: r for r in await DossierStep.select().where(DossierStep.dossier == d.id)}
    users = w["users"]
    # who handed each step over, and who took it in and finished it
    assert rows["check"]["handed_by"] == users["receiver"]["id"]
    assert rows["tax_op"]["handed_by"] == rows["police_op"]["handed_by"] == users["ward_specialist"]["id"]
    assert rows["decide"]["handed_by"] == users["tax_specialist"]["id"]
    assert rows["tax_op"]["finished_by"] == rows["tax_op"]["assignee"] == users["tax_specialist"]["id"]
    assert rows["tax_op"]["outcome"] == "late" and rows["police_op"]["outcome"] in ("early", "on_time")

    sheet = _control_rows(await dossier_bundle(d.id))
    pairs = [(r["giver"], r["receiver"], r["result"]) for r in sheet]
    names = {a: w["tree"][a]["name"] for a in ("ward", "tax", "police")}
    ward, tax, police = names["ward"], names["tax"], names["police"]
    ok = ("Trước hạn", "Đúng hạn")
    hand_overs = [(g, r) for g, r, _ in pairs]
    assert hand_overs[:3] == [(ward, ward), (ward, tax), (ward, police)]  # desk → check → tax ∥ police
    assert set(hand_overs[3:5]) == {(tax, ward), (police, ward)}  # both → the decision (join)
    assert hand_overs[5:] == [(ward, ward)]  # decision → back to the desk
    results = {(g, r): res for g, r, res in pairs[1:]}
    assert results[(tax, ward)] == "Quá hạn" and results[(police, ward)] in ok and results[(ward, tax)] in ok
    assert sheet[-1]["note"] == "Trả kết quả về Bộ phận Một cửa"
    assert sheet[0]["giver_person"] == users["receiver"]["full_name"]
    taken = next(r for r in sheet if r["giver"] == tax)
    assert taken["giver_person"] == users["tax_specialist"]["full_name"]
    # and every hand-over is an event of the dossier, at the giving agency
    events = await service.events(d.id)
    steps_done = [(e.step_id, e.agency_id) for e in events if e.action in ("complete_step", "approve")]
    assert steps_done == [
        ("check", w["tree"]["ward"]["id"]),
        ("police_op", w["tree"]["police"]["id"]),
        ("tax_op", w["tree"]["tax"]["id"]),
        ("decide", w["tree"]["ward"]["id"]),
    ]


class VerticalRoutePlugin:
    """A route that goes up (commune → province department → province) and across (department ↔
    tax ∥ treasury), each agency chosen by a selector rule."""

    @hookimpl
    def domain_info(self):
        return DomainInfo(
            code="t_vertical", name=L("Thử nghiệm liên thông dọc, ngang", "Vertical route test")
        )

    @hookimpl
    def register_forms(self):
        return [
            FormSpec(
                id="t_vertical_form",
                title=L("Tờ khai", "Form"),
                pages=(
                    PageSpec(
                        id="main",
                        title=L("Thông tin", "Main"),
                        fields=(FieldSpec(name="subject", label=L("Nội dung", "Subject")),),
                    ),
                ),
            )
        ]

    @hookimpl
    def register_workflows(self):
        def step(id_, agency, role="specialist", days=1.0, outcomes=("complete", "return", "supplement")):
            return StepSpec(
                id=id_, name=L(f"Bước {id_}", id_), role=role, agency=agency, days=days, outcomes=outcomes
            )

        return [
            WorkflowSpec(
                id="t_vertical_route",
                name=L("Liên thông dọc và ngang", "Up and across"),
                stages=(
                    StageSpec(steps=(step("commune", "receiving"),)),
                    StageSpec(steps=(step("land_office", "sector:land_registry", days=3),)),
                    StageSpec(
                        steps=(step("tax", "sector:tax", days=2), step("treasury", "sector:treasury", days=1))
                    ),
                    StageSpec(
                        steps=(
                            step("sign", "parent", role="approver", outcomes=("approve", "reject", "return")),
                        )
                    ),
                ),
            )
        ]

    @hookimpl
    def register_procedures(self):
        return [
            ProcedureSpec(
                code=VERTICAL,
                name=L("Thủ tục liên thông dọc", "Vertical test"),
                domain="t_vertical",
                agency_level="commune",
                legal_basis=("Thông tư thử nghiệm",),
                processing_days=10,
                documents=(DocumentRequirement(code="don", name=L("Đơn", "Application")),),
                form="t_vertical_form",
                workflow="t_vertical_route",
            )
        ]


VERTICAL = "9.999101"


async def test_vertical_and_horizontal_route_by_selector(world, temp_plugin):
    from core.catalogue import service as catalogue
    from tests.fixtures.builders import grant
    from tests.fixtures.engine_route import make_user

    w = world
    temp_plugin(VerticalRoutePlugin(), "t_vertical")
    tree = w["tree"]
    await catalogue.set_enabled(VERTICAL, tree["ward"]["id"], True)
    people = {}
    for key, role in (("land_office", "specialist"), ("treasury", "specialist"), ("province", "approver")):
        u = await make_user(f"v_{key}", full_name=f"Cán bộ {key}")
        await grant(u, tree[key], role)
        people[key] = await actor(u)
    d = await service.create(
        VERTICAL,
        tree["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Hà Văn Nam"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    assert [(s.stage, s.step_id, s.agency.code) for s in d.steps] == [
        (1, "commune", tree["ward"]["code"]),  # the receiving commune
        (2, "land_office", tree["land_office"]["code"]),  # up: the province department, by its sector
        (3, "tax", tree["tax"]["code"]),
        (3, "treasury", tree["treasury"]["code"]),  # across, in parallel
        (4, "sign", tree["province"]["code"]),  # up: the commune's parent signs
    ]
    for who, sid in (
        (w["as"]["ward_specialist"], "commune"),
        (people["land_office"], "land_office"),
        (people["treasury"], "treasury"),
        (w["as"]["tax_specialist"], "tax"),
    ):
        d = await service.complete_step(d.id, active(d, sid).id, actor=who, version=d.version)
    # the department sends it back across to tax ∥ treasury with a reason, then the province signs
    d = await service.return_step(
        d.id,
        active(d, "sign").id,
        actor=people["province"],
        version=d.version,
        reason="Kho bạc chưa xác nhận số tiền",
    )
    assert {s.step_id for s in d.active_steps()} == {"tax", "treasury"}
    for who, sid in ((people["treasury"], "treasury"), (w["as"]["tax_specialist"], "tax")):
        d = await service.complete_step(d.id, active(d, sid).id, actor=who, version=d.version)
    d = await service.approve(d.id, active(d, "sign").id, actor=people["province"], version=d.version)
    assert d.state == "result_approved"
    agencies = [e.agency_id for e in await service.events(d.id) if e.action in ("complete_step", "approve")]
    assert agencies == [
        tree[k]["id"] for k in ("ward", "land_office", "treasury", "tax", "treasury", "tax", "province")
    ]
