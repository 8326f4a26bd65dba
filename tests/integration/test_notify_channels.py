"""Delivery channels against real servers on loopback: e-mail to an aiosmtpd SMTP server, SMS to a tiny
HTTP gateway; a plugin's channel through ``register_notification_channels``; the delivery status on the
staff dossier page."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from core.api import L, NotificationChannelSpec, hookimpl
from core.notify import channels, service
from core.notify.tables import Notification
from tests.fixtures.builders import login_as
from tests.integration.test_documents_builders import CODE, build_dossier

CONTEXT = {
    "code": "000.30.31.H39-261123-0001",
    "applicant_name": "Nguyễn Văn An",
    "agency_name": "UBND phường Trấn Biên",
    "appointment": "17:00 ngày 30/11/2026",
    "procedure_name": "Đăng ký khai sinh",
    "link": "http://127.0.0.1:8000/tra-cuu/000.30.31.H39-261123-0001",
}


class _Inbox:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler interface
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    with socket.socket() as s:  # aiosmtpd's controller checks its own port on start: give it a free one
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802 (http.server's interface)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}' if type(self).status == 200 else b'{"error": "quota exceeded"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway():
    handler = type("Handler", (_Gateway,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/send", handler
    finally:
        server.shutdown()
        server.server_close()


async def _deliver(ids):
    for nid in ids:
        with contextlib.suppress(Exception):  # a failure is recorded on the row (asserted by the test)
            await service.deliver_notification({}, nid)
    return {r["channel"]: r for r in await Notification.select().where(Notification.id.is_in(ids))}


async def test_email_through_a_real_smtp_server(db, monkeypatch, smtp_server):
    port, inbox = smtp_server
    monkeypatch.setenv("MOTCUA_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("MOTCUA_MAIL_FROM", "motcua@dongnai.gov.vn")
    assert channels.channel_name("email") == "smtp"
    ids = await service.notify("receipt", to_email="an@example.vn", context=CONTEXT)
    rows = await _deliver(ids)
    assert rows["email"]["status"] == "sent" and rows["email"]["sent_at"] is not None
    await service.deliver_notification({}, ids[0])  # delivered once, even if the task runs again
    [(sender, rcpts, raw)] = inbox.messages
    msg = message_from_bytes(raw, policy=policy.default)
    assert sender == "motcua@dongnai.gov.vn" and rcpts == ["an@example.vn"]
    assert msg["Subject"] == "Đã tiếp nhận hồ sơ 000.30.31.H39-261123-0001"
    assert "Kính gửi Ông/Bà Nguyễn Văn An" in msg.get_content()


async def test_sms_through_the_http_gateway_and_its_failure(db, monkeypatch, sms_gateway):
    url, handler = sms_gateway
    monkeypatch.setenv("MOTCUA_SMS_URL", url)
    monkeypatch.setenv("MOTCUA_SMS_TOKEN", "tok-123")
    assert channels.channel_name("sms") == "http_sms"
    rows = await _deliver(await service.notify("receipt", to_phone="0912345678", context=CONTEXT))
    assert rows["sms"]["status"] == "sent"
    [(path, auth, payload)] = handler.received
    assert path == "/send" and auth == "Bearer tok-123"
    assert payload["to"] == "0912345678" and "000.30.31.H39-261123-0001" in payload["text"]
    handler.status = 503
    failed = await _deliver(await service.notify("receipt", to_phone="0987654321", context=CONTEXT))
    assert failed["sms"]["status"] == "failed" and "HTTP 503" in failed["sms"]["error"]
    assert "quota exceeded" in failed["sms"]["error"] and failed["sms"]["attempts"] == 1


class _Zalo:
    sent: list = []

    async def send(self, to, subject, body):
        self.sent.append((to, body))
        return "sent"


async def test_hook_register_notification_channels(db, monkeypatch, temp_plugin, sms_gateway):
    url, handler = sms_gateway
    monkeypatch.setenv("MOTCUA_SMS_URL", url)
    zalo = _Zalo()

    class ZaloPlugin:
        configured = True

        @hookimpl
        def register_notification_channels(self):
            build = (lambda: zalo) if self.configured else (lambda: None)
            return [NotificationChannelSpec("sms", "zalo_oa", L("Zalo OA"), build)]

    plugin = temp_plugin(ZaloPlugin(), "test-zalo")
    assert channels.channel_name("sms") == "zalo_oa"  # a plugin's configured channel wins over core's
    rows = await _deliver(await service.notify("receipt", to_phone="0912345678", context=CONTEXT))
    assert rows["sms"]["status"] == "sent" and zalo.sent and not handler.received
    plugin.configured = False  # not configured here: core's HTTP gateway delivers
    assert channels.channel_name("sms") == "http_sms"
    monkeypatch.delenv("MOTCUA_SMS_URL")
    assert channels.channel_name("sms") == "outbox"
    assert isinstance(channels.get_channel("sms"), channels.OutboxPage)


async def test_delivery_status_on_the_staff_dossier_page(client, monkeypatch, sms_gateway):
    url, handler = sms_gateway
    monkeypatch.setenv("MOTCUA_SMS_URL", url)
    built = await build_dossier()
    handler.status = 500
    await _deliver(
        await service.notify(
            "receipt", dossier_id=built["dossier_id"], to_phone="0912345678", context=CONTEXT
        )
    )
    await login_as(client, built["clerk"])
    page = await client.get(f"/ho-so/{CODE}")
    assert "Thông báo đã gửi" in page.text and "0912345678" in page.text and "HTTP 500" in page.text
    client.cookies.clear()
    await login_as(client, built["applicant"])
    assert "Thông báo đã gửi" not in (await client.get(f"/ho-so/{CODE}")).text  # staff only
