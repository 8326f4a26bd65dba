"""Delivery channels: how a composed message leaves the system.

* e-mail: SMTP when ``MOTCUA_SMTP_URL`` is set (``smtp://user:pass@host:587?starttls=1`` or
  ``smtps://…:465``; sender ``MOTCUA_MAIL_FROM``), otherwise the outbox page;
* SMS: an HTTP gateway when ``MOTCUA_SMS_URL`` is set (POST ``{"to", "text"}`` as JSON, any 2xx is
  accepted; ``MOTCUA_SMS_TOKEN`` is sent as a Bearer token), otherwise the outbox page.

A channel's ``send()`` returns ``"sent"`` (handed over) or ``"outbox"`` (kept on the outbox page,
which is the delivery in the embedded set-up) and raises on failure (the task is retried).
Plugins add channels through ``register_notification_channels`` (a province's Zalo OA or its own SMS
gateway); core's two are registered last, so a configured plugin channel wins. ``set_channel()``
replaces a channel in this process (tests).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

__all__ = (
    "Channel",
    "OutboxPage",
    "SmtpChannel",
    "HttpSmsChannel",
    "core_channels",
    "get_channel",
    "channel_name",
    "set_channel",
)


class Channel(Protocol):
    """A way to deliver messages of one kind (``email`` or ``sms``)."""

    async def send(self, to: str, subject: str, body: str) -> str:
        """Deliver one message; returns ``"sent"`` or ``"outbox"``, raises on failure."""


class OutboxPage:
    """No gateway configured: the message stays on the outbox page (``/quan-tri/thu-di``)."""

    async def send(self, to: str, subject: str, body: str) -> str:
        return "outbox"


class SmtpChannel:
    """Mail through an SMTP server (``smtplib`` in a worker thread)."""

    def __init__(self, url: str, sender: str, timeout: float = 20.0):
        p = urlparse(url)
        if p.scheme not in ("smtp", "smtps"):
            raise ValueError(
                f"MOTCUA_SMTP_URL phải bắt đầu bằng smtp:// hoặc smtps:// (nhận được '{p.scheme}')."
            )
        self.ssl = p.scheme == "smtps"
        self.host = p.hostname or "localhost"
        self.port = p.port or (465 if self.ssl else 25)
        self.user = unquote(p.username or "")
        self.password = unquote(p.password or "")
        self.starttls = parse_qs(p.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.sender = sender
        self.timeout = timeout

    def _send_sync(self, msg: EmailMessage) -> None:
        context = ssl.create_default_context()
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        kwargs: dict[str, Any] = {"context": context} if self.ssl else {}
        with cls(self.host, self.port, timeout=self.timeout, **kwargs) as smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(msg)

    async def send(self, to: str, subject: str, body: str) -> str:
        import anyio.to_thread

        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        msg.set_content(body)
        await anyio.to_thread.run_sync(self._send_sync, msg)
        return "sent"


class HttpSmsChannel:
    """SMS through an HTTP gateway that takes ``{"to": phone, "text": message}``."""

    def __init__(self, url: str, token: str = "", timeout: float = 15.0, transport=None):
        self.url = url
        self.token = token
        self.timeout = timeout
        self.transport = transport

    async def send(self, to: str, subject: str, body: str) -> str:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
            resp = await client.post(self.url, json={"to": to, "text": body}, headers=headers)
        if resp.status_code // 100 != 2:
            raise RuntimeError(f"Cổng SMS trả lỗi HTTP {resp.status_code}: {resp.text[:300]}")
        return "sent"


_overrides: dict[str, Channel] = {}


def set_channel(kind: str, channel: Channel | None) -> None:
    """Use ``channel`` for ``kind`` (``email``/``sms``) in this process; None restores the default."""
    if channel is None:
        _overrides.pop(kind, None)
    else:
        _overrides[kind] = channel


def _smtp() -> Channel | None:
    url = os.environ.get("MOTCUA_SMTP_URL")
    return SmtpChannel(url, os.environ.get("MOTCUA_MAIL_FROM", "motcua@localhost")) if url else None


def _http_sms() -> Channel | None:
    url = os.environ.get("MOTCUA_SMS_URL")
    return HttpSmsChannel(url, os.environ.get("MOTCUA_SMS_TOKEN", "")) if url else None


def core_channels() -> list:
    """Core's channels (``NotificationChannelSpec``), configured from the environment."""
    from core.contract.specs import L, NotificationChannelSpec

    return [
        NotificationChannelSpec("email", "smtp", L("Thư điện tử qua máy chủ SMTP", "E-mail by SMTP"), _smtp),
        NotificationChannelSpec(
            "sms", "http_sms", L("SMS qua cổng HTTP", "SMS by an HTTP gateway"), _http_sms
        ),
    ]


def _configured(kind: str) -> tuple[str, Channel] | None:
    from core.plugins import get_plugin_manager

    for specs in get_plugin_manager().hook.register_notification_channels():
        for spec in specs or ():
            if spec.kind == kind and (channel := spec.build()) is not None:
                return spec.name, channel
    return None


def get_channel(kind: str) -> Channel:
    """The channel delivering ``kind`` messages: ``set_channel``'s, else the first configured one
    declared through ``register_notification_channels``, else the outbox page."""
    if kind in _overrides:
        return _overrides[kind]
    found = _configured(kind)
    return found[1] if found else OutboxPage()


def channel_name(kind: str) -> str:
    """The name of the channel ``get_channel(kind)`` uses (``outbox`` when none is configured)."""
    if kind in _overrides:
        return "override"
    found = _configured(kind)
    return found[0] if found else "outbox"
