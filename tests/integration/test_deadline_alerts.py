"""Deadline alerts: the receiving clerk and the step holders are told, in-app and by e-mail, when a
dossier turns near-due and when it turns overdue, naming the step and its holder; once per colour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dossiers import service
from core.notify import alerts
from core.notify.tables import DeadlineAlert, Notification
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def received(w, name: str, agency: str = "ward", receiver: str = "receiver"):
    d = await service.create(
        PROC,
        w["tree"][agency]["id"],
        actor=w["as"][receiver],
        applicant={"name": name},
        data={"subject": name},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"][receiver], version=d.version)


async def messages(template: str) -> list[dict]:
    return await Notification.select().where(Notification.template == template).order_by(Notification.id)


async def test_near_due_then_overdue_each_once_to_the_clerk_and_the_step_holders(world):
    w = world
    a = await received(w, "Nguyễn Thị Hằng")
    other = await received(w, "Lê Văn Cường", agency="commune", receiver="commune_receiver")
    assert a.due_at and other.due_at

    early = await alerts.alert_pass(a.due_at - timedelta(days=4))
    assert early.alerted == {"yellow": [], "red": []}
    assert await DeadlineAlert.count() == 0

    near = a.due_at - timedelta(hours=2)
    first = await alerts.alert_pass(near)
    assert a.id in first.alerted["yellow"] and first.alerted["red"] == []
    inapp = [m for m in await messages("deadline_near") if m["channel"] == "inapp" and m["dossier"] == a.id]
    told = {m["recipient"] for m in inapp}
    receiver, specialist = w["users"]["receiver"]["id"], w["users"]["ward_specialist"]["id"]
    assert told == {receiver, specialist}  # the clerk who received it, the holder of its step
    assert (
        w["users"]["commune_specialist"]["id"] not in told and w["users"]["tax_specialist"]["id"] not in told
    )
    body = inapp[0]["body"]
    assert a.code in body and "Kiểm tra hồ sơ" in body and "UBND phường Trấn Biên" in body
    emails = [m for m in await messages("deadline_near") if m["channel"] == "email" and m["dossier"] == a.id]
    assert {m["to_address"] for m in emails} == {"receiver@example.vn", "ward_specialist@example.vn"}

    again = await alerts.alert_pass(near + timedelta(minutes=30))
    assert a.id not in again.alerted["yellow"]
    assert len([m for m in await messages("deadline_near") if m["dossier"] == a.id]) == len(inapp) + len(
        emails
    )

    late = a.due_at + timedelta(hours=1)
    red = await alerts.alert_pass(late)
    assert a.id in red.alerted["red"]
    overdue = [
        m for m in await messages("deadline_overdue") if m["channel"] == "inapp" and m["dossier"] == a.id
    ]
    assert {m["recipient"] for m in overdue} == {receiver, specialist}
    assert "quá hạn" in overdue[0]["subject"] and "Kiểm tra hồ sơ" in overdue[0]["body"]
    assert a.id not in (await alerts.alert_pass(late + timedelta(hours=1))).alerted["red"]
    assert await DeadlineAlert.count().where(DeadlineAlert.dossier == a.id) == 2


async def test_an_assigned_step_names_its_holder_and_tells_only_them(world):
    from core.dossiers.tables import DossierStep

    w = world
    a = await received(w, "Trần Văn Đức")
    holder = w["users"]["ward_specialist"]
    await DossierStep.update({DossierStep.assignee: holder["id"]}).where(
        (DossierStep.dossier == a.id) & (DossierStep.status == "active")
    )
    await alerts.alert_pass(a.due_at + timedelta(minutes=5))
    inapp = [m for m in await messages("deadline_overdue") if m["channel"] == "inapp"]
    assert {m["recipient"] for m in inapp} == {w["users"]["receiver"]["id"], holder["id"]}
    assert holder["full_name"] in inapp[0]["body"]


async def test_the_alert_job_is_scheduled():
    from core.catalogue.registry import get_catalogue

    spec = get_catalogue().jobs["deadline_alerts"]
    assert spec.cron and spec.func is alerts.alerts_job


# --- R25: "sắp quá hạn" prompts the responsible unit to issue form 04; escalation when it has not ---


async def _grant_province_leader(w):
    from tests.fixtures.builders import grant
    from tests.fixtures.engine_route import make_user

    leader = await make_user("province_leader", full_name="Province Leader")
    await grant(leader, w["tree"]["province"], "approver")
    return leader


async def test_r25_near_due_prompts_the_responsible_unit_to_issue_form_04(world):
    w = world
    a = await received(w, "Phạm Thị Lan")
    await alerts.alert_pass(a.due_at - timedelta(hours=3))  # ≤ 1 working day left: sắp quá hạn
    prompts = [m for m in await messages("apology_prompt") if m["channel"] == "inapp"]
    # the unit holding the active step (the ward, whose "check" step runs) is told by its leader role
    assert {m["recipient"] for m in prompts} == {w["users"]["ward_leader"]["id"]}
    assert "Mẫu 04" in prompts[0]["subject"] and "UBND phường Trấn Biên" in prompts[0]["body"]
    assert w["users"]["commune_leader"]["id"] not in {m["recipient"] for m in prompts}


async def test_r25_overdue_without_form_04_is_escalated_to_the_leader_above(world):
    w = world
    above = await _grant_province_leader(w)
    a = await received(w, "Đỗ Văn Minh")
    await alerts.alert_pass(a.due_at - timedelta(hours=3))
    await alerts.alert_pass(a.due_at + timedelta(minutes=10))
    escalated = [m for m in await messages("apology_escalation") if m["channel"] == "inapp"]
    assert {m["recipient"] for m in escalated} == {above["id"]}  # the ward's parent: the province
    assert "chưa lập Phiếu xin lỗi" in escalated[0]["body"] and a.code in escalated[0]["body"]
    assert escalated[0]["dossier"] == a.id


async def test_r25_a_unit_that_issued_form_04_is_neither_prompted_again_nor_escalated(world):
    from core.dossiers import engine

    w = world
    above = await _grant_province_leader(w)
    a = await received(w, "Vũ Thị Hoa")
    near = a.due_at - timedelta(hours=3)
    real = engine.utcnow
    engine.utcnow = lambda: near  # the apology is issued on the near-due day
    try:
        a = await service.apologise(
            a.id,
            actor=w["as"]["ward_leader"],
            version=a.version,
            new_due=(a.due_at + timedelta(days=1)).isoformat(),
            reason="Chờ ý kiến cơ quan thuế.",
        )
    finally:
        engine.utcnow = real
    await alerts.alert_pass(a.extended_due_at - timedelta(hours=3))
    await alerts.alert_pass(a.extended_due_at + timedelta(minutes=10))
    assert [m for m in await messages("apology_prompt") if m["dossier"] == a.id] == []
    assert [m for m in await messages("apology_escalation") if m["dossier"] == a.id] == []
    # the near-due and overdue alerts themselves still reach the clerk and the step holder
    assert await DeadlineAlert.count().where(DeadlineAlert.dossier == a.id) == 2
    assert above["id"]


async def test_hcmc_apology_letter_within_3_working_days_of_the_missed_date_is_tracked_with_a_reminder(
    world, monkeypatch
):
    from core.dossiers import clockscan, engine

    w = world
    above = await _grant_province_leader(w)
    a = await received(w, "Hồ Văn Sáu")
    later = a.due_at + timedelta(minutes=30)
    monkeypatch.setattr(engine, "utcnow", lambda: later)
    assert (await clockscan.scan(later)).flagged_late == [a.id]  # late at the ward (its step overran)
    assert await alerts.apology_reminders(a.due_at + timedelta(hours=2)) == []  # within the 3 days
    when = a.due_at + timedelta(days=7)  # more than 3 working days after the missed date
    assert await alerts.apology_reminders(when) == [a.id]
    sent = [m for m in await messages("apology_reminder") if m["channel"] == "inapp"]
    assert {m["recipient"] for m in sent} == {w["users"]["ward_leader"]["id"], above["id"]}
    assert "3 ngày làm việc" in sent[0]["subject"] and "kiểm điểm trách nhiệm" in sent[0]["body"]
    assert await alerts.apology_reminders(when + timedelta(days=1)) == []  # once per missed date
    job = await alerts.alerts_job({})
    assert job["apology_reminders"] == []
