"""Errors raised by core services; the web layer turns each into a Vietnamese page or problem+json."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = (
    "MotcuaError",
    "NotFound",
    "NotAllowed",
    "Conflict",
    "StaleVersion",
    "InvalidInput",
    "Unavailable",
    "TooManyRequests",
)


class MotcuaError(Exception):
    status_code = 400
    title = "Yêu cầu không hợp lệ"

    def __init__(self, message: str, *, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(MotcuaError):
    status_code = 404
    title = "Không tìm thấy"


class NotAllowed(MotcuaError):
    """The actor may not do this, here, now (permission, agency or state)."""

    status_code = 403
    title = "Không được phép"


class Conflict(MotcuaError):
    status_code = 409
    title = "Xung đột dữ liệu"


class StaleVersion(Conflict):
    """Someone changed the object since the form was loaded; nothing was changed by this request."""

    def __init__(self, message: str, *, changes: Sequence[str] = ()):
        super().__init__(message)
        self.changes = list(changes)


class InvalidInput(MotcuaError):
    """Input rejected with field errors (``[(field, message)]``)."""

    status_code = 422
    title = "Dữ liệu chưa hợp lệ"

    def __init__(self, message: str, errors: Sequence[tuple[str | None, str]] = ()):
        super().__init__(message)
        self.errors = list(errors)


class Unavailable(MotcuaError):
    """The procedure is not taken in at this agency (disabled), or a service is down."""

    status_code = 410
    title = "Không tiếp nhận"


class TooManyRequests(MotcuaError):
    """Too many requests of one kind from one client address (``core.identity.throttle.limit``): the
    answer is a 429 with ``Retry-After: retry_after`` (seconds) and a message saying when to try again."""

    status_code = 429
    title = "Quá nhiều yêu cầu"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)
