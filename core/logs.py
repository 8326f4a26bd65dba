"""Logging of a motcua process: JSON lines (or plain text for a developer's terminal) carrying the
request id, at INFO without library noise, with personal data masked.

``dict_config()`` is the ``logging.config.dictConfig`` of ``motcua serve`` (each uvicorn worker applies
it) and ``motcua worker``; ``REQUEST_ID`` is set for each request by ``core.app``'s request-id
middleware and read by :class:`RequestIdFilter`. :class:`MaskFilter` sits on the handler, so every
record that reaches the output is masked, whichever logger wrote it: CCCD numbers (12 digits), phone
numbers, passwords/secrets/tokens written as ``name=value``, and bearer tokens.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from contextvars import ContextVar
from typing import Any

__all__ = (
    "REQUEST_ID",
    "RequestIdFilter",
    "MaskFilter",
    "mask",
    "dict_config",
    "configure",
    "new_request_id",
)

REQUEST_ID: ContextVar[str] = ContextVar("motcua_request_id", default="-")
"""The id of the request being served in this task (``-`` outside a request)."""

_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Libraries that log a line per font, glyph or query at INFO: only their warnings are kept.
QUIET_LOGGERS = ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib", "PIL", "asyncio", "httpx")

_CCCD = re.compile(r"(?<![\dA-Za-z])\d{12}(?![\dA-Za-z])")
# a Vietnamese mobile or landline: 0 or +84/84, then 9 digits (10 with the 84), optionally grouped
_PHONE = re.compile(r"(?<![\dA-Za-z-])(?:\+84|84|0)(?:\d{9}|\d{2,3}[ .]\d{3}[ .]\d{3,4})(?![\dA-Za-z-])")
_SECRET = re.compile(
    r"(?i)\b((?:password|passwd|pwd|mat_khau|mật khẩu|secret|token|api_key|apikey|otp)\w*"
    r"[\"']?\s*[:=]\s*[\"']?)([^\"'&\s,;}]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRET_KEYS = re.compile(r"(?i)password|passwd|pwd|mat_khau|secret|token|api_key|otp|cccd|id_number|phone")


def mask(text: str) -> str:
    """``text`` with CCCD numbers, phone numbers, ``password=…``-like values and bearer tokens masked.

    >>> mask("cccd 075185003344, phone 0912 345 678, password=Demo@2026")
    'cccd ********3344, phone **********, password=********'
    """
    text = _SECRET.sub(lambda m: m.group(1) + "********", text)
    text = _BEARER.sub(lambda m: m.group(1) + "********", text)
    text = _CCCD.sub(lambda m: "********" + m.group(0)[-4:], text)
    return _PHONE.sub("**********", text)


def new_request_id(offered: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a plain token of at most 64 characters, else a new id
    (a header is not copied into logs and responses unchecked)."""
    if offered and _GOOD_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


_PLAIN_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "request_id"}


class MaskFilter(logging.Filter):
    """Masks personal data in the message, its arguments, the traceback and any ``extra`` field."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log what there is rather than nothing
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = mask(message), None
        if record.exc_info:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, mask(text)
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key in _PLAIN_ATTRS:
                continue
            if _SECRET_KEYS.search(key):
                record.__dict__[key] = "********"
            elif isinstance(value, str):
                record.__dict__[key] = mask(value)
        return True


def dict_config(*, json: bool | None = None, level: str | None = None) -> dict[str, Any]:
    """The logging configuration of a motcua process.

    Args:
        json: JSON lines (default: unless ``MOTCUA_LOG_FORMAT=text``).
        level: the root level (default ``MOTCUA_LOG_LEVEL``, else ``INFO``).
    """
    if json is None:
        json = os.environ.get("MOTCUA_LOG_FORMAT", "json") != "text"
    level = (level or os.environ.get("MOTCUA_LOG_LEVEL") or "INFO").upper()
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        }
        if json
        else {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}, "mask": {"()": MaskFilter}},
        "formatters": {"main": formatter},
        "handlers": {
            "main": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "main",
                "filters": ["request_id", "mask"],
            }
        },
        "root": {"level": level, "handlers": ["main"]},
        "loggers": {
            **{name: {"level": "WARNING"} for name in QUIET_LOGGERS},
            # uvicorn's own lines go through the same handler; its access log is replaced by
            # core.app's request line (route template, status, time, request id: no query string)
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure(**kwargs: Any) -> None:
    """Apply :func:`dict_config` to this process."""
    import logging.config

    logging.config.dictConfig(dict_config(**kwargs))
