"""Notifications (R37): messages composed on dossier events, delivered by SMTP / an SMS gateway or kept
on the outbox page, with a delivery log, a visible error and a re-send; the citizen's in-app messages;
event dispatch to plugins (at least once, once per plugin)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from core.api import hookimpl
from core.jobs import runner, tasks
from core.jobs.tables import EventDelivery, Outbox
from core.notify import channels, service
from core.notify.tables import Notification
from tests.conftest import REDIS_URL, csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.engine_route import PROC, actor, setup_route


class SmtpSink:
    """A minimal SMTP server on a free local port, collecting the messages it is sent."""

    def __init__(self):
        self.messages: list[dict] = []
        self.server = None
        self.port = 0

    async def _handle(self, reader, writer):
        async def reply(line: str):
            writer.write((line + "\r\n").encode())
            await writer.drain()

        await reply("220 sink ESMTP")
        mail = {"rcpt": []}
        while line := (await reader.readline()).decode("utf-8", "replace").rstrip("\r\n"):
            cmd = line[:4].upper()
            if cmd in ("EHLO", "HELO"):
                await reply("250 sink")
            elif cmd == "MAIL":
                mail["from"] = line[10:]
                await reply("250 OK")
            elif cmd == "RCPT":
                mail["rcpt"].append(line[8:])
                await reply("250 OK")
            elif cmd == "DATA":
                await reply("354 end with .")
                data = []
                while (chunk := await reader.readline()) not in (b".\r\n", b""):
                    data.append(chunk)
                mail["data"] = b"".join(data)
                self.messages.append(mail)
                mail = {"rcpt": []}
                await reply("250 queued")
            elif cmd == "QUIT":
                await reply("221 bye")
                break
            else:
                await reply("250 OK")
        writer.close()

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_channel_overrides():
    yield
    for kind in ("email", "sms"):
        channels.set_channel(kind, None)


async def _make_due(row_id: int) -> None:
    await Outbox.update({Outbox.run_after: None}).where(Outbox.id == row_id)


async def _settle(nid: int) -> None:
    for _ in range(250):
        await runner.run_pending_now()
        if (await Notification.select(Notification.status).where(Notification.id == nid).first())[
            "status"
        ] != "pending":
            return
        await asyncio.sleep(0.02)


# --- notify() and delivery ----------------------------------------------------------------------


async def test_without_gateways_messages_wait_on_the_outbox_page(db, monkeypatch):
    monkeypatch.delenv("MOTCUA_SMTP_URL", raising=False)
    monkeypatch.delenv("MOTCUA_SMS_URL", raising=False)
    user = await make_user("an", full_name="Nguyễn Văn An")
    ids = await service.notify(
        "receipt",
        user_id=user["id"],
        to_email="an@example.vn",
        to_phone="0912345678",
        context={
            "code": "000.30.31.H39-261123-0001",
            "applicant_name": "Nguyễn Văn An",
            "agency_name": "UBND phường Trấn Biên",
            "appointment": "17:00 ngày 30/11/2026",
            "procedure_name": "Đăng ký khai sinh",
            "link": "http://x/tra-cuu/1",
        },
    )
    rows = {r["channel"]: r for r in await Notification.select().where(Notification.id.is_in(ids))}
    assert set(rows) == {"inapp", "email", "sms"}
    assert rows["inapp"]["status"] == "sent"
    assert rows["email"]["subject"] == "Đã tiếp nhận hồ sơ 000.30.31.H39-261123-0001"
    assert "Kính gửi Ông/Bà Nguyễn Văn An" in rows["email"]["body"]
    assert "Ngày hẹn trả kết quả: 17:00 ngày 30/11/2026" in rows["email"]["body"]
    assert len(rows["sms"]["body"]) < 160 and "000.30.31.H39-261123-0001" in rows["sms"]["body"]
    assert await runner.run_pending_now() == 2
    statuses = {
        r["channel"]: r["status"] for r in await Notification.select().where(Notification.id.is_in(ids))
    }
    assert statuses == {"inapp": "sent", "email": "outbox", "sms": "outbox"}


async def test_unknown_template_is_refused(db):
    with pytest.raises(ValueError, match="Không có mẫu thông báo 'nope'"):
        await service.notify("nope", to_email="a@b.vn", context={})


async def test_every_r37_template_renders():
    from core.notify.messages import MESSAGES, render

    assert {
        "receipt",
        "supplement_requested",
        "refused",
        "apology",
        "result_ready",
        "stopped",
        "returned",
        "closed",
        "late_warning",
    } <= set(MESSAGES)
    for name in MESSAGES:
        m = render(name, {"code": "HS-1", "reason": "Thiếu bản sao giấy khai sinh"})
        assert "HS-1" in m.subject and m.body and m.sms


async def test_smtp_delivery_sends_once_even_if_the_task_runs_twice(db, monkeypatch):
    async with SmtpSink() as sink:
        monkeypatch.setenv("MOTCUA_SMTP_URL", f"smtp://127.0.0.1:{sink.port}")
        monkeypatch.setenv("MOTCUA_MAIL_FROM", "motcua@dongnai.gov.vn")
        [nid] = await service.notify(
            "result_ready",
            dossier_id=None,
            to_email="an@example.vn",
            context={"code": "HS-9", "applicant_name": "Trần Thị Bình"},
        )
        await runner.run_pending_now()
        await service.deliver_notification({}, notification_id=nid)  # a duplicate delivery
    row = await Notification.select().where(Notification.id == nid).first()
    assert row["status"] == "sent" and row["sent_at"] is not None and row["attempts"] == 1
    assert len(sink.messages) == 1
    msg = sink.messages[0]
    assert "an@example.vn" in msg["rcpt"][0]
    import email

    parsed = email.message_from_bytes(msg["data"])
    assert (
        str(email.header.make_header(email.header.decode_header(parsed["Subject"])))
        == "Đã có kết quả giải quyết hồ sơ HS-9"
    )
    assert "Trần Thị Bình" in parsed.get_payload(decode=True).decode()


async def test_failed_delivery_shows_its_error_and_can_be_resent_from_the_page(db, client, monkeypatch):
    dead_port = _free_port()
    monkeypatch.setenv("MOTCUA_SMTP_URL", f"smtp://127.0.0.1:{dead_port}")
    [nid] = await service.notify(
        "stopped", to_email="an@example.vn", context={"code": "HS-5", "reason": "Theo đề nghị"}
    )
    row = await Notification.select().where(Notification.id == nid).first()
    first_job = row["outbox_id"]
    # The app's own runner (started by the client fixture) may take an attempt between two of ours:
    # attempts are counted on the row, whoever makes them, so go on until the row gives up.
    for _ in range(tasks.MAX_ATTEMPTS * 20):
        if (await Outbox.select(Outbox.status).where(Outbox.id == first_job).first())["status"] == "failed":
            break
        await _make_due(first_job)
        await runner.run_pending_now()
        await asyncio.sleep(0.01)
    row = await Notification.select().where(Notification.id == nid).first()
    job = await Outbox.select().where(Outbox.id == first_job).first()
    assert row["status"] == "failed" and "Connection refused" in row["error"]
    assert job["status"] == "failed" and row["attempts"] == tasks.MAX_ATTEMPTS

    tree = await standard_tree()
    admin = await make_user("qtv")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    r = await client.get("/quan-tri/thu-di?trang_thai=failed")
    assert r.status_code == 200
    assert "Dừng giải quyết hồ sơ HS-5" in r.text and "Connection refused" in r.text
    assert f'action="/quan-tri/thu-di/{nid}/gui-lai"' in r.text
    r = await client.post(f"/quan-tri/thu-di/{nid}/gui-lai")
    assert r.status_code == 403, "CSRF token required"

    async with SmtpSink() as sink:
        monkeypatch.setenv("MOTCUA_SMTP_URL", f"smtp://127.0.0.1:{sink.port}")
        r = await client.post(
            f"/quan-tri/thu-di/{nid}/gui-lai",
            headers={"x-csrftoken": csrf_from(client)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        row = await Notification.select().where(Notification.id == nid).first()
        assert row["outbox_id"] != first_job
        await _settle(nid)  # the app's own runner (woken by the POST) or this one delivers it
    row = await Notification.select().where(Notification.id == nid).first()
    assert row["status"] == "sent" and row["error"] == "" and len(sink.messages) == 1
    from core.audit.tables import AuditEntry

    entry = await AuditEntry.select().where(AuditEntry.action == "notification.resend").first()
    assert entry["actor_id"] == admin["id"] and entry["object_id"] == str(nid)
    r = await client.get(f"/quan-tri/thu-di/{nid}")
    assert r.status_code == 200 and "Theo đề nghị" in r.text and "gui-lai" not in r.text
    # A message that did not fail cannot be re-sent.
    r = await client.post(f"/quan-tri/thu-di/{nid}/gui-lai", headers={"x-csrftoken": csrf_from(client)})
    assert r.status_code == 409 and "không ở trạng thái gửi lỗi" in r.text


async def test_sms_gateway_adapter(db, monkeypatch):
    import httpx

    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        sent.append((request.headers.get("authorization"), json.loads(request.content)))
        return httpx.Response(200 if len(sent) > 1 else 503, text="bận")

    channels.set_channel(
        "sms",
        channels.HttpSmsChannel("http://sms.example/send", token="k", transport=httpx.MockTransport(handler)),
    )
    [nid] = await service.notify("supplement_requested", to_phone="0912345678", context={"code": "HS-7"})
    await runner.run_pending_now()
    row = await Notification.select().where(Notification.id == nid).first()
    assert row["status"] == "failed" and "Cổng SMS trả lỗi HTTP 503" in row["error"]
    await _make_due(row["outbox_id"])
    await runner.run_pending_now()
    row = await Notification.select().where(Notification.id == nid).first()
    assert row["status"] == "sent" and row["error"] == ""
    assert sent[-1] == ("Bearer k", {"to": "0912345678", "text": row["body"]})


# --- pages --------------------------------------------------------------------------------------


async def test_pages_are_for_province_admins_and_the_inbox_for_its_owner(db, client):
    tree = await standard_tree()
    citizen = await make_user("dan", full_name="Lê Văn Dân")
    other = await make_user("khac")
    await service.notify("result_ready", user_id=citizen["id"], context={"code": "HS-3"})
    await service.notify("refused", user_id=other["id"], context={"code": "HS-4"})
    r = await client.get("/thong-bao", follow_redirects=False)  # anonymous: asked to sign in, then back
    assert r.status_code == 303 and r.headers["location"] == "/dang-nhap?next=/thong-bao"
    await login_as(client, citizen)
    for url in ("/quan-tri/thu-di", "/quan-tri/tac-vu", "/quan-tri/nhat-ky"):
        r = await client.get(url)
        assert r.status_code == 403 and "quản trị viên tỉnh" in r.text
    r = await client.get("/thong-bao")
    assert r.status_code == 200
    assert "Đã có kết quả giải quyết hồ sơ HS-3" in r.text and "HS-4" not in r.text
    assert (await Notification.select().where(Notification.recipient == citizen["id"]).first())["read_at"]
    await grant(citizen, tree["province"], "province_admin")
    r = await client.get("/quan-tri/thu-di")
    assert r.status_code == 200


# --- dossier events -----------------------------------------------------------------------------


class Recorder:
    def __init__(self, fail_times: int = 0):
        self.seen: list[tuple[int, str, str]] = []
        self.fail_times = fail_times

    @hookimpl
    async def on_dossier_event(self, event, dossier, ctx):
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("Hệ thống liên thông tạm ngừng")
        self.seen.append((event["id"], event["action"], dossier["code"] or ""))


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _received(w):
    from core.dossiers import service as dossiers

    d = await dossiers.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={
            "name": "Nguyễn Văn An",
            "id_number": "079123456789",
            "phone": "0912345678",
            "email": "an@example.vn",
        },
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    return await dossiers.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def test_hook_on_dossier_event(world, temp_plugin):
    """Every plugin gets each committed event once, after commit; a retry re-runs only the failed plugin."""
    ok = temp_plugin(Recorder(), "events-ok")
    flaky = temp_plugin(Recorder(fail_times=1), "events-flaky")
    d = await _received(world)
    jobs = await Outbox.select().where(Outbox.task == "dispatch_event").order_by(Outbox.id)
    assert len(jobs) == 2, "create and receive"
    await runner.run_pending_now()
    assert [a for _, a, _ in ok.seen] == ["create", "receive"]
    assert ok.seen[1][2] == d.code
    first = await Outbox.select().where(Outbox.id == jobs[0]["id"]).first()
    if first["status"] == "pending":  # not retried yet: its error is visible
        assert "events-flaky: Hệ thống liên thông tạm ngừng" in first["last_error"]
        await _make_due(first["id"])
        await runner.run_pending_now()
    first = await Outbox.select().where(Outbox.id == jobs[0]["id"]).first()
    assert first["status"] == "done" and first["attempts"] == 2
    assert len(ok.seen) == 2, "the plugin that succeeded is not called again"
    assert sorted(a for _, a, _ in flaky.seen) == ["create", "receive"]
    assert await EventDelivery.count() == 2 * len(
        __import__("core.plugins", fromlist=["x"]).get_plugin_manager().hook.on_dossier_event.get_hookimpls()
    )
    # Delivered again (a re-sent row): nobody runs twice, no second message.
    from core.jobs.events import dispatch_event

    await dispatch_event(
        {},
        event_id=jobs[1]["payload"]["event_id"]
        if isinstance(jobs[1]["payload"], dict)
        else __import__("json").loads(jobs[1]["payload"])["event_id"],
    )
    assert len(ok.seen) == 2
    receipts = await Notification.select().where(Notification.template == "receipt")
    assert sorted(r["channel"] for r in receipts) == ["email", "sms"]
    mail = next(r for r in receipts if r["channel"] == "email")
    assert mail["subject"] == f"Đã tiếp nhận hồ sơ {d.code}" and mail["dossier"] == d.id
    assert "UBND phường Trấn Biên" in mail["body"] and "Nguyễn Văn An" in mail["body"]
    assert f"/tra-cuu/{d.code}" in mail["body"]


async def test_refusal_and_stop_notify_the_applicant_with_the_reason(world):
    from core.dossiers import service as dossiers

    d = await dossiers.create(
        PROC,
        world["tree"]["ward"]["id"],
        actor=world["as"]["receiver"],
        applicant={"name": "Phạm Thị Cúc", "id_number": "079123456780", "phone": "0987654321"},
        data={"subject": "Thử"},
        channel="truc_tiep",
    )
    await dossiers.refuse_intake(
        d.id,
        actor=world["as"]["receiver"],
        version=d.version,
        reasons="Thủ tục không thuộc thẩm quyền của phường",
    )
    await runner.run_pending_now()
    [sms] = await Notification.select().where(Notification.template == "refused")
    assert sms["channel"] == "sms" and sms["to_address"] == "0987654321" and sms["status"] == "outbox"
    assert "không được giải quyết" in sms["body"]


# --- through arq --------------------------------------------------------------------------------


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set")
async def test_delivery_and_dispatch_through_arq(world, temp_plugin):
    from arq import create_pool
    from arq.worker import Worker

    from core.jobs import relay
    from core.jobs import worker as jobs_worker
    from core.jobs.arq_pool import redis_settings

    ok = temp_plugin(Recorder(), "events-ok")
    queue = f"test:{uuid.uuid4().hex}"
    pool = await create_pool(redis_settings(REDIS_URL), default_queue_name=queue)
    try:
        d = await _received(world)
        total = 0
        for _ in range(3):  # dispatch_event rows queue deliver_notification rows
            if not await relay.drain(redis=pool, queue_name=queue):
                break
            w = Worker(
                functions=jobs_worker.functions(),
                redis_pool=pool,
                burst=True,
                poll_delay=0,
                queue_name=queue,
                handle_signals=False,
            )
            await w.main()
            assert w.jobs_failed == 0
            total += w.jobs_complete
        rows = await Outbox.select(Outbox.task, Outbox.status)
        assert total == len(rows) and {r["status"] for r in rows} == {"done"}
        notes = await Notification.select().where(Notification.dossier == d.id)
        tasks_run = sorted(r["task"] for r in rows if r["task"] in ("dispatch_event", "deliver_notification"))
        # one delivery per message: the receipt, and "fee due" when the receipt leaves fees owed
        assert tasks_run == ["deliver_notification"] * len(notes) + ["dispatch_event", "dispatch_event"]
        assert [a for _, a, _ in ok.seen] == ["create", "receive"]
        received = {r["channel"]: r["status"] for r in notes if r["template"] == "receipt"}
        assert received == {"email": "outbox", "sms": "outbox"}
        assert {r["status"] for r in notes} == {"outbox"}
    finally:
        with contextlib.suppress(Exception):
            await pool.delete(queue)
        await pool.aclose()


async def test_r9_an_online_dossier_reaches_the_receiving_officers_with_the_8_hour_limit(world):
    from core.dossiers import service as dossiers

    d = await dossiers.create(
        PROC,
        world["tree"]["ward"]["id"],
        actor=world["as"]["citizen"],
        applicant={"name": "Bùi Thị Mai", "id_number": "079123456789", "phone": "0912345678"},
        data={"subject": "Thử"},
        channel="truc_tuyen",
    )
    d = await dossiers.submit(d.id, actor=world["as"]["citizen"], version=d.version)
    await runner.run_pending_now()
    told = await Notification.select().where(Notification.template == "online_submitted")
    inapp = [m for m in told if m["channel"] == "inapp"]
    assert {m["recipient"] for m in inapp} == {world["users"]["receiver"]["id"]}  # the ward's desk only
    assert "8 giờ làm việc" in inapp[0]["body"] and "yêu cầu bổ sung" in inapp[0]["subject"]
    assert f"/ho-so/{d.code or d.id}" in inapp[0]["body"]
    assert any(m["channel"] == "email" and m["to_address"] == "receiver@example.vn" for m in told)
