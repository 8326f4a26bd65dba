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
