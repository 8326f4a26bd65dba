"""A Litestar ``Store`` kept in the database, so sessions survive restarts and work across processes
(the same on SQLite and PostgreSQL; never ``MemoryStore``)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty
from litestar.utils.dataclass import extract_dataclass_items

from core.identity.tables import SessionRow

__all__ = ("DatabaseStore", "SessionConfig", "purge_expired")


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


class DatabaseStore(Store):
    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        raw = value.encode() if isinstance(value, str) else value
        if raw.strip() in (b"", b"{}"):
            # An empty session needs no row: anonymous visitors (and bots) must not grow the table.
            await self.delete(key)
            return
        encoded = base64.b64encode(raw).decode()
        expires_at = _expiry(expires_in)
        updated = (
            await SessionRow.update({SessionRow.value: encoded, SessionRow.expires_at: expires_at})
            .where(SessionRow.key == key)
            .returning(SessionRow.id)
        )
        if not updated:
            await SessionRow.insert(SessionRow(key=key, value=encoded, expires_at=expires_at))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await SessionRow.select(SessionRow.value, SessionRow.expires_at)
            .where(SessionRow.key == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None:
            await SessionRow.update({SessionRow.expires_at: _expiry(renew_for)}).where(SessionRow.key == key)
        return base64.b64decode(row["value"])

    async def delete(self, key: str) -> None:
        await SessionRow.delete().where(SessionRow.key == key)

    async def delete_all(self) -> None:
        await SessionRow.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await SessionRow.select(SessionRow.expires_at).where(SessionRow.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - datetime.now(UTC)).total_seconds())

    async def delete_expired(self) -> int:
        deleted = (
            await SessionRow.delete()
            .where(SessionRow.expires_at < datetime.now(UTC))
            .returning(SessionRow.id)
        )
        return len(deleted)


class SessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend, minus the work for a visitor who has no session.

    Litestar stores the session of every response: for an anonymous page view it makes up a new id,
    calls the store (our ``set`` turns the empty value into a ``DELETE``) and sends a cookie, so a QR
    scan or a crawler costs a database statement and gets a cookie it will never use. Here a response
    whose session is empty touches the store and the cookie only when the request brought a session
    cookie (sign-out, or an emptied session: the row is deleted and the cookie expired). The CSRF
    token does not need a session: Litestar's is a double-submit cookie of its own.
    """

    async def store_in_message(self, scope_session, message, connection) -> None:
        if not scope_session or scope_session is Empty:
            brought = connection.cookies.get(self.config.key)
            if not brought or brought == "null":
                return  # nothing stored, nothing to forget: no statement, no cookie
            store = self.config.get_store_from_app(connection.scope["app"])
            await self.delete(brought, store=store)
            params = dict(
                extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
            )
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie",
                Cookie(value="null", key=self.config.key, expires=0, **params).to_header(header=""),
            )
            return
        await super().store_in_message(scope_session, message, connection)


class SessionConfig(ServerSideSessionConfig):
    """``ServerSideSessionConfig`` with :class:`SessionBackend`."""

    _backend_class = SessionBackend


async def purge_expired(ctx: dict | None = None) -> dict[str, int]:
    """Task (nightly): delete expired sessions and dead sign-in counters; live ones stay."""
    from core.identity import throttle

    return {"sessions": await DatabaseStore().delete_expired(), "counters": await throttle.purge_expired()}
