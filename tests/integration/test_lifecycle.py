"""The dossier lifecycle through the service API, on a 3-agency route (tests/fixtures/engine_route.py):
receive → check → tax ∥ police → decide → result ready → returned, with every check the law asks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.contract.errors import InvalidInput, NotAllowed, NotFound, StaleVersion
from core.dossiers import service
from core.dossiers.tables import Dossier, DossierEvent, DossierStep, Suspension
from core.jobs.tables import Outbox
from tests.fixtures.engine_route import PROC, PROC_CENTRAL, PROC_PAUSE, PROC_SUSPEND, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def new_dossier(w, procedure=PROC, agency="ward", channel="truc_tiep", who="receiver"):
    receiver = "commune_receiver" if agency == "commune" and who == "receiver" else who
    return await service.create(
        procedure,
        w["tree"][agency]["id"],
        actor=w["as"][receiver],
        applicant={"name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678"},
        data={"subject": "Đề nghị thử nghiệm"},
        channel=channel,
    )


async def received(w, procedure=PROC, agency="ward"):
    d = await new_dossier(w, procedure, agency)
    receiver = "commune_receiver" if agency == "commune" else "receiver"
    return await service.receive(d.id, actor=w["as"][receiver], version=d.version)


def step(d, step_id):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def test_counter_dossier_full_path(world):
    w = world
    d = await new_dossier(w)
    assert d.state == "draft" and d.code is None and d.version == 1
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=1)
    assert d.state == "received" and d.version == 2
    assert d.code.startswith("000.30.31.H39-") and d.code.endswith("-0001")
    assert d.received_at and d.clock_start_at and d.due_at and d.due_at > d.clock_start_at
    assert d.procedure_version_id is not None
    assert [(s.step_id, s.status, s.agency.code) for s in d.steps] == [
        ("check", "active", "000.30.31.H39"),
        ("tax_op", "waiting", "000.40.01.H39"),
        ("police_op", "waiting", "000.40.02.H39"),
        ("decide", "waiting", "000.30.31.H39"),
    ]
    assert step(d, "check").due_at is not None and step(d, "check").budget_minutes > 0

    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    assert d.state == "in_processing"
    assert {s.step_id for s in d.active_steps()} == {"tax_op", "police_op"}

    d = await service.complete_step(
        d.id, step(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    assert {s.step_id for s in d.active_steps()} == {"tax_op"}, "the stage waits for its parallel step"
    d = await service.complete_step(
        d.id, step(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    assert [s.step_id for s in d.active_steps()] == ["decide"]
    assert w["plugin"].issued[-1]["step"] == "tax_op", "a step's own result is issued when it completes"

    d = await service.approve(d.id, step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    assert d.state == "result_approved" and d.finished_at is not None
    assert w["plugin"].issued[-1] == {"number": "TN-0002", "dossier": d.code, "step": None}
    assert all(s.outcome in ("early", "on_time") for s in d.steps if s.status == "done")

    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    assert d.state == "result_ready"
    with pytest.raises(NotAllowed, match="50.000"):
        await service.return_result(
            d.id,
            actor=w["as"]["receiver"],
            version=d.version,
            channel="counter",
            receiver={"name": "Nguyễn Văn An", "id_number": "079123456789"},
        )
    from core.fees import service as fees

    await fees.record_payment(d.id, actor=w["as"]["receiver"], method="cash", amount=50_000)
    d = await service.get(d.id)
    d = await service.return_result(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        channel="counter",
        receiver={"name": "Nguyễn Văn An", "id_number": "079123456789"},
    )
    assert d.state == "returned" and d.returned_at is not None

    events = await service.events(d.id)
    assert [e.action for e in events] == [
        "create",
        "receive",
        "complete_step",
        "complete_step",
        "complete_step",
        "approve",
        "mark_result_ready",
        "return_result",
    ]
    assert [e.seq for e in events] == list(range(1, 9)) and events[-1].seq == d.version
    assert (
        events[2].agency_name == "UBND phường Trấn Biên" and events[3].agency_id == w["tree"]["police"]["id"]
    )
    # every event was queued for dispatch, in the same transactions
    outbox = await Outbox.select(Outbox.payload).where(Outbox.task == "dispatch_event").output(load_json=True)
    assert sorted(r["payload"]["event_id"] for r in outbox) == sorted(e.id for e in events)


async def test_online_submit_allocates_code_once(world):
    w = world
    d = await new_dossier(w, channel="truc_tuyen", who="citizen")
    assert d.applicant_id == w["users"]["citizen"]["id"]
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    assert d.state == "submitted" and d.code and d.submitted_at
    code = d.code
    d = await service.receive(d.code, actor=w["as"]["receiver"], version=d.version)
    assert d.code == code, "one code across channels and hand-overs (R6)"
    second = await received(w)
    assert second.code.endswith("-0002")


async def test_only_the_right_role_at_the_right_agency_may_act(world):
    w = world
    d = await new_dossier(w)
    with pytest.raises(NotFound):  # another agency's dossier: it may not even read it
        await service.receive(d.id, actor=w["as"]["commune_receiver"], version=d.version)
    with pytest.raises(NotAllowed):
        await service.receive(d.id, actor=w["as"]["ward_specialist"], version=d.version)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    check = step(d, "check")
    with pytest.raises(NotFound):  # the tax unit's step waits in stage 2: not handed over yet
        await service.complete_step(d.id, check.id, actor=w["as"]["tax_specialist"], version=d.version)
    with pytest.raises(NotAllowed):
        await service.approve(d.id, check.id, actor=w["as"]["ward_specialist"], version=d.version)
    assert (await service.get(d.id)).version == d.version, "refused attempts change nothing"
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == 2


async def test_stale_version_lists_changes_and_changes_nothing(world):
    w = world
    d = await received(w)
    d2 = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    with pytest.raises(StaleVersion) as info:
        await service.stop(d.id, actor=w["as"]["receiver"], version=d.version, reason="Người nộp xin rút")
    assert len(info.value.changes) == 1 and "Ward Specialist" in info.value.changes[0]
    after = await service.get(d.id)
    assert after.version == d2.version and after.state == "in_processing"


async def test_refusal_and_supplement_need_a_reason(world):
    w = world
    d = await new_dossier(w)
    for call in (
        service.refuse_intake(d.id, actor=w["as"]["receiver"], version=d.version, reasons="  "),
        service.request_supplement(
            d.id, actor=w["as"]["receiver"], version=d.version, items=["Bản sao CCCD"]
        ),
    ):
        with pytest.raises(InvalidInput) as info:
            await call
        assert info.value.errors[0][0] == "note"
    assert (await service.get(d.id)).version == 1
    d = await service.refuse_intake(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        reasons="Thủ tục không thuộc thẩm quyền giải quyết",
    )
    assert d.state == "refused"
    from core.documents.tables import GeneratedDocument

    assert await GeneratedDocument.count().where(GeneratedDocument.kind == "form03") == 1


async def test_intake_supplement_then_resubmit_and_close(world):
    w = world
    d = await new_dossier(w, channel="truc_tuyen", who="citizen")
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    d = await service.request_supplement(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        items=["Bản sao giấy tờ tùy thân"],
        reason="Thiếu giấy tờ",
    )
    assert d.state == "supplement_requested"
    with pytest.raises(NotAllowed):
        await service.request_supplement(
            d.id, actor=w["as"]["receiver"], version=d.version, items=["x"], reason="lần hai"
        )
    d = await service.resubmit(d.id, actor=w["as"]["citizen"], version=d.version)
    assert d.state == "submitted"
    with pytest.raises(InvalidInput) as info:
        await service.request_supplement(
            d.id, actor=w["as"]["receiver"], version=d.version, items=["x"], reason="lần hai"
        )
    assert info.value.errors[0][0] == "override_reason", (
        "a second request from one agency needs an override (R12)"
    )


async def test_r9_a_supplement_request_later_than_8_working_hours_after_online_receipt_needs_a_reason(
    world, monkeypatch
):
    from core.dossiers import engine
    from core.dossiers.tables import DossierEvent

    w = world
    d = await new_dossier(w, channel="truc_tuyen", who="citizen")
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    real = engine.utcnow
    monkeypatch.setattr(
        engine, "utcnow", lambda: real() + timedelta(days=7)
    )  # a week: > 8 working hours later
    with pytest.raises(InvalidInput) as info:
        await service.request_supplement(
            d.id, actor=w["as"]["receiver"], version=d.version, items=["Bản sao CCCD"], reason="Thiếu"
        )
    assert info.value.errors[0][0] == "late_reason" and "8 giờ làm việc" in info.value.errors[0][1]
    assert (await service.get(d.id)).state == "submitted"  # the failed step left the dossier as it was
    d = await service.request_supplement(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        items=["Bản sao CCCD"],
        reason="Thiếu",
        late_reason="Hệ thống liên thông gián đoạn hai ngày",
    )
    ev = (
        await DossierEvent.select(DossierEvent.data)
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "request_supplement"))
        .first()
        .output(load_json=True)
    )
    assert ev["data"]["late_reason"] == "Hệ thống liên thông gián đoạn hai ngày"
    assert ev["data"]["working_minutes"] > 8 * 60


async def test_r9_within_8_working_hours_no_reason_is_asked(world):
    w = world
    d = await new_dossier(w, channel="truc_tuyen", who="citizen")
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    d = await service.request_supplement(
        d.id, actor=w["as"]["receiver"], version=d.version, items=["Bản sao CCCD"], reason="Thiếu"
    )
    assert d.state == "supplement_requested"


async def test_r1_a_channel_the_procedure_does_not_declare_is_refused_at_the_field(world, monkeypatch):
    import dataclasses

    from core.catalogue.registry import get_catalogue
    from core.dossiers import intake

    cat = get_catalogue()
    counter_only = dataclasses.replace(cat.procedures[PROC], intake_channels=("truc_tiep",))

    class OnlyAtTheCounter:
        def __getattr__(self, name):
            return getattr(cat, name)

        def procedure(self, code):
            return counter_only if code == PROC else cat.procedure(code)

    monkeypatch.setattr(intake, "get_catalogue", lambda: OnlyAtTheCounter())
    with pytest.raises(InvalidInput) as info:
        await new_dossier(world, channel="truc_tuyen", who="citizen")
    assert info.value.errors == [("channel", "Thủ tục này chỉ nhận hồ sơ trực tiếp.")]
    assert (await new_dossier(world)).channel == "truc_tiep"


async def test_r12_a_second_supplement_request_needs_a_supervisors_override_with_a_reason(world):
    from core.dossiers.tables import DossierEvent

    w = world
    d = await received(w)
    check = step(d, "check").id
    d = await service.request_supplement(
        d.id, check, actor=w["as"]["ward_specialist"], version=d.version, items=["Bản vẽ"], reason="Thiếu"
    )
    d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    check = step(d, "check").id
    with pytest.raises(InvalidInput) as info:  # the officer alone, even with a reason: role checked
        await service.request_supplement(
            d.id,
            check,
            actor=w["as"]["ward_specialist"],
            version=d.version,
            items=["Bản vẽ có chữ ký"],
            reason="Bản vẽ chưa ký",
            override_reason="Người nộp chưa làm đúng hướng dẫn",
        )
    assert info.value.errors[0][0] == "override_reason" and "lãnh đạo" in info.value.errors[0][1]
    d = await service.request_supplement(
        d.id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        items=["Bản vẽ có chữ ký"],
        reason="Bản vẽ chưa ký",
        override_reason="Người nộp chưa làm đúng hướng dẫn",
    )
    assert d.state == "supplement_requested"
    ev = (
        await DossierEvent.select(DossierEvent.data)
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "request_supplement"))
        .order_by(DossierEvent.seq, ascending=False)
        .first()
        .output(load_json=True)
    )
    assert ev["data"]["count"] == 2 and ev["data"]["override_by"] == w["users"]["ward_leader"]["id"]
    assert ev["data"]["override_reason"] == "Người nộp chưa làm đúng hướng dẫn"


async def test_return_step_sends_the_stage_back(world):
    w = world
    d = await received(w)
    with pytest.raises(NotAllowed):
        await service.return_step(
            d.id,
            step(d, "check").id,
            actor=w["as"]["ward_specialist"],
            version=d.version,
            reason="Không có bước trước",
        )
    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    d = await service.return_step(
        d.id,
        step(d, "tax_op").id,
        actor=w["as"]["tax_specialist"],
        version=d.version,
        reason="Thiếu thông tin giá chuyển nhượng",
    )
    assert [s.step_id for s in d.active_steps()] == ["check"]
    statuses = [(s.step_id, s.status) for s in d.steps]
    assert ("tax_op", "returned") in statuses and ("police_op", "returned") in statuses
    assert ("check", "done") in statuses, "the first completion stays on record (control sheet)"
    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    assert {s.step_id for s in d.active_steps()} == {"tax_op", "police_op"}


async def test_reject_after_appraisal(world):
    w = world
    d = await received(w)
    for name, sid in (
        ("ward_specialist", "check"),
        ("tax_specialist", "tax_op"),
        ("police_specialist", "police_op"),
    ):
        d = await service.complete_step(d.id, step(d, sid).id, actor=w["as"][name], version=d.version)
    with pytest.raises(InvalidInput):
        await service.reject(
            d.id, step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version, reasons=""
        )
    d = await service.reject(
        d.id,
        step(d, "decide").id,
        actor=w["as"]["ward_leader"],
        version=d.version,
        reasons="Không đủ điều kiện theo quy định",
    )
    assert d.state == "result_refused" and d.finished_at
    with pytest.raises(NotAllowed, match="dừng|Không thể"):
        await service.stop(d.id, actor=w["as"]["receiver"], version=d.version, reason="xin dừng")


async def test_stop_before_decision_issues_form05(world):
    w = world
    d = await received(w)
    d = await service.stop(
        d.id, actor=w["as"]["receiver"], version=d.version, reason="Người nộp đề nghị dừng"
    )
    assert d.state == "stopped"
    assert all(s.status == "cancelled" for s in d.steps)
    from core.documents.tables import GeneratedDocument

    assert await GeneratedDocument.count().where(GeneratedDocument.kind == "form05") == 1


async def test_apology_once_per_agency(world):
    w = world
    d = await received(w)
    from datetime import timedelta

    with pytest.raises(InvalidInput) as info:
        await service.apologise(
            d.id,
            actor=w["as"]["ward_leader"],
            version=d.version,
            new_due=d.due_at + timedelta(days=30),
            reason="Quá xa",
        )
    assert (
        info.value.errors[0][0] == "new_due" and "tối đa 1,25 ngày làm việc" in info.value.errors[0][1]
    )  # ¼ of 5 days
    new_due = d.due_at + timedelta(minutes=30)
    with pytest.raises(NotFound):  # the tax unit has not been handed the dossier: it cannot even read it
        await service.apologise(
            d.id, actor=w["as"]["tax_leader"], version=d.version, new_due=new_due, reason="Chậm"
        )
    d = await service.apologise(
        d.id, actor=w["as"]["ward_leader"], version=d.version, new_due=new_due, reason="Cần xác minh thêm"
    )
    assert d.extended_due_at == new_due and d.appointment_at == new_due and d.state == "received"
    with pytest.raises(InvalidInput) as info:
        await service.apologise(
            d.id,
            actor=w["as"]["ward_leader"],
            version=d.version,
            new_due=new_due + timedelta(minutes=10),
            reason="Lần nữa",
        )
    assert info.value.errors[0][0] == "new_due"


async def test_suspending_step_and_two_appointments(world):
    w = world
    d = await received(w, PROC_SUSPEND)
    assert d.appointment1_at is not None and d.appointment1_at < d.due_at
    d = await service.complete_step(
        d.id, step(d, "prepare").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    pay = step(d, "pay")
    assert await Suspension.count().where((Suspension.dossier == d.id) & Suspension.ended_at.is_null()) == 1
    d = await service.complete_step(d.id, pay.id, actor=w["as"]["tax_specialist"], version=d.version)
    assert await Suspension.count().where((Suspension.dossier == d.id) & Suspension.ended_at.is_null()) == 0
    d = await service.approve(d.id, step(d, "sign").id, actor=w["as"]["ward_leader"], version=d.version)
    assert d.state == "result_approved"


async def test_r19_remote_area_extension_records_its_legal_basis(world):
    w = world
    far = await received(w, PROC_SUSPEND, "commune")
    ev = next(e for e in await service.events(far.id) if e.action == "receive")
    assert ev.data["remote_area_extra_days"] == 10
    assert ev.data["remote_area_basis"] == "Quyết định thử nghiệm về xã vùng sâu, vùng xa"
    near = await received(w, PROC_SUSPEND, "ward")
    near_ev = next(e for e in await service.events(near.id) if e.action == "receive")
    assert near_ev.data["remote_area_basis"] is None


async def test_remote_commune_gets_extra_days(world):
    w = world
    near = await received(w, PROC_SUSPEND, "ward")
    far = await received(w, PROC_SUSPEND, "commune")
    assert far.due_at > near.due_at
    assert (far.due_at - near.due_at).days >= 10
    # an explicit adjustment, recorded with the receipt, not a silently longer limit
    ev = next(e for e in await service.events(far.id) if e.action == "receive")
    assert ev.data["remote_area_extra_days"] == 10
    assert any(line.startswith("Điều chỉnh: +10 ngày làm việc (xã vùng sâu") for line in ev.data["clock"])
    near_ev = next(e for e in await service.events(near.id) if e.action == "receive")
    assert near_ev.data["remote_area_extra_days"] == 0
    assert not any(line.startswith("Điều chỉnh") for line in near_ev.data["clock"])


async def test_pause_policy_keeps_elapsed_time(world):
    w = world
    d = await received(w, PROC_PAUSE)
    due = d.due_at
    d = await service.request_supplement(
        d.id,
        step(d, "check").id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Bản vẽ"],
        reason="Thiếu bản vẽ",
    )
    assert d.state == "supplement_requested"
    assert await Suspension.count().where(Suspension.reason == "supplement") == 1
    d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    assert d.state == "received" and d.due_at >= due


async def test_views_and_rows_agree(world):
    w = world
    d = await received(w)
    row = await Dossier.select().where(Dossier.id == d.id).first()
    assert row["version"] == d.version and row["state"] == d.state
    assert await DossierStep.count().where(DossierStep.dossier == d.id) == 4
    public = d.public_dict()
    assert "applicant_name" not in public and "data" not in public
    assert public["steps"][0]["agency"] == "UBND phường Trấn Biên"


async def test_hook_assign_step(world, temp_plugin):
    """A plugin places a step itself (tryfirst); core's selectors place the others; a selector
    nobody understands stops the receipt with a clear message and changes nothing."""
    from core.api import AgencyRef, hookimpl

    w = world
    seen = []

    class Placer:
        @hookimpl(tryfirst=True)
        def assign_step(self, dossier, step, ctx):
            seen.append((dossier["code"], step.id))
            if step.id == "police_op":
                post = w["tree"]["post"]
                return AgencyRef(post["id"], post["code"], post["name"], "sector", "post")
            return None

    temp_plugin(Placer(), "t_placer")
    d = await received(w)
    assert {s.step_id: s.agency.code for s in d.steps} == {
        "check": "000.30.31.H39",
        "tax_op": "000.40.01.H39",
        "police_op": "000.40.05.H39",
        "decide": "000.30.31.H39",
    }
    assert ("check" in {s for _, s in seen}) and all(code == d.code for code, _ in seen)


async def test_unknown_selector_stops_receipt(world, monkeypatch):
    from core.contract.errors import Unavailable
    from core.dossiers import hooks as core_hooks

    w = world
    d = await new_dossier(w)

    async def nobody(selector, dossier, agencies):
        return None

    monkeypatch.setattr(core_hooks, "resolve_selector", nobody)
    with pytest.raises(Unavailable, match="Không xác định được cơ quan"):
        await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    after = await service.get(d.id)
    assert after.state == "draft" and after.code is None and after.steps == ()


async def test_restart_policy_resets_the_clock_on_resubmission(world, monkeypatch):
    from datetime import timedelta

    from core.dossiers import engine

    w = world
    d = await received(w)
    first_start, first_due = d.clock_start_at, d.due_at
    d = await service.request_supplement(
        d.id,
        step(d, "check").id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        items=["Bản vẽ"],
        reason="Thiếu bản vẽ",
    )
    assert await Suspension.count().where(Suspension.dossier == d.id) == 0, "restart: no pause interval"
    real = engine.utcnow
    monkeypatch.setattr(engine, "utcnow", lambda: real() + timedelta(days=7))
    d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    assert d.state == "received"
    assert d.clock_start_at > first_start and d.due_at > first_due, "elapsed time goes back to zero (R17)"
    assert step(d, "check").started_at == d.clock_start_at
    ev = (await service.events(d.id))[-1]
    assert ev.action == "resubmit" and ev.data["back_to"] == "received"


async def test_every_transition_is_on_the_agency_audit_chain(world):
    from core.audit import chain
    from core.audit.tables import AuditEntry

    w = world
    d = await received(w)
    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    rows = await AuditEntry.select(AuditEntry.chain, AuditEntry.action).where(
        AuditEntry.object_type == "dossier"
    )
    assert [(r["chain"], r["action"]) for r in rows] == [
        ("agency:000.30.31.H39", "dossier.create"),
        ("agency:000.30.31.H39", "dossier.receive"),
        ("agency:000.30.31.H39", "dossier.complete_step"),
    ]
    assert await chain.verify("agency:000.30.31.H39") is None


async def test_applicant_may_stop_online(world):
    w = world
    d = await new_dossier(w, channel="truc_tuyen", who="citizen")
    d = await service.submit(d.id, actor=w["as"]["citizen"], version=d.version)
    d = await service.stop(d.id, actor=w["as"]["citizen"], version=d.version, reason="Tôi không còn nhu cầu")
    assert d.state == "stopped"
    ev = (await service.events(d.id))[-1]
    assert ev.actor_id == w["users"]["citizen"]["id"] and ev.agency_id == w["tree"]["ward"]["id"]
    with pytest.raises(NotAllowed):
        await service.resubmit(d.id, actor=w["as"]["citizen"], version=d.version)


async def test_centralised_system_code_variant(world):
    from core.dossiers import codes
    from core.identity.tables import Agency

    w = world
    await Agency.update({Agency.eid: "H39.31"}).where(Agency.id == w["tree"]["ward"]["id"])
    d = await received(w, PROC_CENTRAL)
    parsed = codes.parse_code(d.code, central=True)
    assert d.code.startswith("H39.31-") and parsed.system_owner == "01" and parsed.seq == 1
    plain = await received(w, PROC)
    assert plain.code.endswith("-0001"), "the two variants never share a sequence"
