"""Issue 3, the clock on real dossiers: a supplement lists everything missing at once and the
resubmission resumes where the dossier was; suspensions are stored intervals whose working time is
excluded (the dues move by exactly that much); two appointments for a financial obligation; status
colours; lateness attributed to the step's agency, which drafts the apology (form 04)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core.contract.errors import InvalidInput
from core.documents.tables import GeneratedDocument
from core.dossiers import engine, service, timing
from core.dossiers.engine import load_view
from core.dossiers.tables import Suspension
from tests.fixtures.engine_route import PROC, PROC_PAUSE, PROC_SUSPEND, actor, setup_route


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


@pytest.fixture
def fresh_calendar():
    """Forget the process's cached calendar before and after (overrides written here must not leak)."""
    from core.clock.calendar import invalidate

    invalidate()
    yield
    invalidate()


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def _received(w, proc=PROC):
    d = await service.create(
        proc,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Mai Anh Tuấn"},
        data={"subject": "x"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def _span(a, b) -> int:
    return await timing.working_minutes(a, b, None)


async def test_supplement_lists_everything_at_once_and_resubmission_resumes(world, travel):
    w = world
    d = await _received(w, PROC_PAUSE)
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    tax = active(d, "tax_op")
    due, tax_due = d.due_at, tax.due_at
    items = ["Hợp đồng chuyển nhượng có công chứng", "Tờ khai lệ phí trước bạ", "Bản sao sổ hộ khẩu"]
    d = await service.request_supplement(
        d.id,
        tax.id,
        actor=w["as"]["tax_specialist"],
        version=d.version,
        items=items,
        reason="Thiếu giấy tờ để xác định nghĩa vụ tài chính",
    )
    assert d.state == "supplement_requested"
    ev = (await service.events(d.id))[-1]
    assert ev.data["items"] == items and ev.agency_id == w["tree"]["tax"]["id"] and ev.step_id == "tax_op"
    form02 = (
        await GeneratedDocument.select()
        .where((GeneratedDocument.dossier == d.id) & (GeneratedDocument.kind == "form02"))
        .output(load_json=True)
    )
    assert len(form02) == 1, "one notice listing everything"
    printed = json.dumps(form02[0]["context"], ensure_ascii=False)
    assert all(item in printed for item in items)

    travel(timedelta(days=3))  # the applicant answers three days later
    d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    assert d.state == "in_processing", "back where the dossier was"
    assert {s.step_id for s in d.active_steps()} == {"tax_op", "police_op"}
    assert active(d, "tax_op").id == tax.id, "the same step resumes, it is not restarted"
    pause = (
        await Suspension.select().where((Suspension.dossier == d.id) & (Suspension.reason == "supplement"))
    )[0]
    assert pause["ended_at"] is not None
    paused = await _span(pause["started_at"], pause["ended_at"])
    assert d.due_at == await timing.add(due, paused, None), "the pause is excluded from the dossier's time"
    assert active(d, "tax_op").due_at == await timing.add(tax_due, paused, None)


async def test_suspension_is_a_stored_interval_excluded_from_the_time(world, travel):
    w = world
    d = await _received(w)
    due = d.due_at
    check = active(d, "check")
    d = await service.suspend(
        d.id,
        check.id,
        actor=w["as"]["ward_specialist"],
        version=d.version,
        reason="Chờ kết quả giám định chữ ký",
        reason_code="appraisal",
    )
    assert d.state == "suspended"
    travel(timedelta(days=20))
    d = await service.resume(d.id, check.id, actor=w["as"]["ward_specialist"], version=d.version)
    assert d.state == "received"
    rows = await Suspension.select().where(Suspension.dossier == d.id)
    assert [(r["reason"], r["note"]) for r in rows] == [("appraisal", "Chờ kết quả giám định chữ ký")]
    stopped = await _span(rows[0]["started_at"], rows[0]["ended_at"])
    assert stopped >= 5 * 480, "twenty calendar days hold at least five working days, even over Tết"
    assert d.due_at == await timing.add(due, stopped, None)
    assert (await service.events(d.id))[-1].data["clock_shift_minutes"] == stopped
    with pytest.raises(InvalidInput) as info:
        await service.suspend(
            d.id,
            active(d, "check").id,
            actor=w["as"]["ward_specialist"],
            version=d.version,
            reason="x",
            reason_code="vì thích",
        )
    assert info.value.errors[0][0] == "reason_code"


async def test_two_appointments_and_the_tax_payment_stops_only_the_second(world, travel):
    w = world
    d = await _received(w, PROC_SUSPEND)
    first, due = d.appointment1_at, d.due_at
    # appointment 1: the end of the 2-day preparation; appointment 2: the whole 3 days
    assert await _span(d.clock_start_at, first) == 2 * 480 and await _span(d.clock_start_at, due) == 3 * 480
    d = await service.complete_step(
        d.id, active(d, "prepare").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    travel(timedelta(days=9))  # the applicant pays the tax nine days later
    d = await service.complete_step(
        d.id, active(d, "pay").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    pay = (await Suspension.select().where(Suspension.reason == "tax_payment"))[0]
    paid = await _span(pay["started_at"], pay["ended_at"])
    assert d.appointment1_at == first, "appointment 1 was behind us when the clock stopped"
    assert d.due_at == await timing.add(due, paid, None)
    assert not d.late


async def test_colours_on_time_near_due_overdue(world):
    w = world
    d = await _received(w)
    assert (await load_view(d.id, now=d.clock_start_at)).colour == "green"
    near = await timing.add(d.clock_start_at, 4 * 480 + 60, None)  # less than a working day left
    assert (await load_view(d.id, now=near)).colour == "yellow"
    assert (await load_view(d.id, now=d.due_at + timedelta(minutes=1))).colour == "red"


async def test_lateness_is_the_step_agencys_and_it_drafts_the_apology(world, travel):
    w = world
    d = await _received(w)
    d = await service.complete_step(
        d.id, active(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    d = await service.complete_step(
        d.id, active(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    later = travel(timedelta(days=30))
    from core.dossiers import clockscan

    assert (await clockscan.scan(later)).flagged_late == [d.id]
    d = await service.get(d.id)
    assert (d.late_agency_id, d.late_step) == (w["tree"]["tax"]["id"], "tax_op")
    # the late agency's leaders are told (through the outbox, as the worker would run it)
    from core.jobs.relay import run_pending_now
    from core.notify.tables import Notification

    await run_pending_now()
    warned = {
        r["recipient"]
        for r in await Notification.select(Notification.recipient).where(
            (Notification.dossier == d.id) & (Notification.template == "late_warning")
        )
    }
    assert warned == {w["users"]["tax_leader"]["id"]}
    from core.dossiers.access import allowed_actions

    assert {"action": "apologise"} in allowed_actions(w["as"]["tax_leader"], d)
    assert {"action": "apologise"} not in allowed_actions(w["as"]["ward_leader"], d)
    d = await service.apologise(
        d.id,
        actor=w["as"]["tax_leader"],
        version=d.version,
        new_due=later + timedelta(hours=2),
        reason="Chờ xác minh giá đất",
    )
    form04 = (
        await GeneratedDocument.select()
        .where((GeneratedDocument.dossier == d.id) & (GeneratedDocument.kind == "form04"))
        .output(load_json=True)
    )
    assert len(form04) == 1
    assert w["tree"]["tax"]["name"] in json.dumps(form04[0]["context"], ensure_ascii=False)


async def test_receipt_after_the_cut_off_before_tet_on_a_real_date(world, monkeypatch, fresh_calendar):
    """Friday 13/02/2026 at 16:00 (after the 15:00 cut-off), the last working day before Tết Bính Ngọ:
    the clock starts on Monday 23/02 at 08:00 and 5 working days end on Friday 27/02 at 17:00; the
    receipt event explains why."""
    from datetime import UTC, datetime

    vn = timing.VN_TZ
    monkeypatch.setattr(engine, "utcnow", lambda: datetime(2026, 2, 13, 16, 0, tzinfo=vn).astimezone(UTC))
    w = world
    d = await _received(w)
    assert d.clock_start_at == datetime(2026, 2, 23, 8, 0, tzinfo=vn).astimezone(UTC)
    assert d.due_at == datetime(2026, 2, 27, 17, 0, tzinfo=vn).astimezone(UTC)
    assert d.code.split("-")[1] == "260213", "the code carries the day of receipt"
    clock = next(e for e in await service.events(d.id) if e.action == "receive").data["clock"]
    assert clock[0].endswith("sau 15:00 → bắt đầu tính từ 08:00 thứ Hai 23/02/2026")
    assert clock[-1] == "Hạn giải quyết: 17:00 thứ Sáu 27/02/2026"
    assert w["tree"]["ward"]["code"] in d.code


async def test_an_administrators_day_off_and_make_up_day_move_new_deadlines(
    world, monkeypatch, fresh_calendar
):
    """Received Tuesday 17/11/2026 at 09:00 with 5 working days: 17 (from 09:00), 18, 19, 20, 23, and
    24/11 is Vietnamese Culture Day, so due Wednesday 25/11 at 09:00. The province then declares
    Wednesday 18/11 off (due moves to 26/11), then Saturday 21/11 a make-up working day (back to 25/11).
    Dossiers received earlier keep their deadline."""
    from datetime import UTC, date, datetime

    from core.clock import service as calendar_admin

    vn = timing.VN_TZ

    def at(*args):
        return datetime(*args, tzinfo=vn).astimezone(UTC)

    monkeypatch.setattr(engine, "utcnow", lambda: at(2026, 11, 17, 9, 0))
    plain = await _received(world)
    assert plain.due_at == at(2026, 11, 25, 9, 0)
    admin = world["users"]["receiver"]["id"]
    await calendar_admin.add_override(
        date(2026, 11, 18),
        "off",
        "Nghỉ theo quyết định của UBND tỉnh",
        "Quyết định 99/QĐ-UBND",
        actor_id=admin,
    )
    day_off = await _received(world)
    assert day_off.due_at == at(2026, 11, 26, 9, 0)
    await calendar_admin.add_override(
        date(2026, 11, 21), "workday", "Làm bù ngày 18/11", "Quyết định 99/QĐ-UBND", actor_id=admin
    )
    made_up = await _received(world)
    assert made_up.due_at == at(2026, 11, 25, 9, 0)
    assert any(
        "21/11" in line or "18/11" in line
        for line in next(e for e in await service.events(day_off.id) if e.action == "receive").data["clock"]
    )
    # received on the new day off: the clock starts on Thursday 19/11 at 08:00
    monkeypatch.setattr(engine, "utcnow", lambda: at(2026, 11, 18, 10, 0))
    assert (await _received(world)).clock_start_at == at(2026, 11, 19, 8, 0)
    assert (await service.get(plain.id)).due_at == plain.due_at, "an existing deadline never moves"
    assert (await service.get(day_off.id)).due_at == day_off.due_at
