"""Queue tickets: issue (kiosk), call the next one to a counter, recall, skip, call a skipped one back;
what the hall screen shows. A ticket is called by one counter only: the second caller is told who
called it and when (``Conflict``)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime

from core.catalogue.registry import get_catalogue
from core.contract.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.contract.views import UserView
from core.contract.vntime import VN_TZ
from core.db.tx import is_unique_violation, write_tx
from core.identity.tables import Agency
from core.queue.tables import QueueTicket

__all__ = (
    "MAX_COUNTER",
    "Group",
    "groups",
    "agency_by_code",
    "issue",
    "ticket",
    "waiting_before",
    "call_next",
    "recall",
    "skip",
    "call_number",
    "current_at_counter",
    "display",
    "label",
    "may_call",
)

MAX_COUNTER = 30
"""Counters are numbered 1 to this."""
CALLER_ROLES = ("receiver", "agency_admin")


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    letter: str
    name: str


def groups() -> list[Group]:
    """The service groups: the catalogue's domains by Vietnamese name, lettered A, B, C..."""
    domains = sorted(get_catalogue().domains.values(), key=lambda d: d.name.vi)
    letters = string.ascii_uppercase
    return [Group(d.code, letters[i % 26], d.name.vi) for i, d in enumerate(domains)]


def label(row: dict) -> str:
    """The ticket's number as printed and called: ``A012``."""
    return f"{row['letter']}{row['number']:03d}"


def _today() -> date:
    return datetime.now(UTC).astimezone(VN_TZ).date()


async def agency_by_code(code: str) -> dict:
    row = (
        await Agency.select(Agency.id, Agency.code, Agency.name)
        .where((Agency.code == code.strip().upper()[:32]) & Agency.active.eq(True))
        .first()
    )
    if row is None:
        raise NotFound("Không có cơ quan mang mã này.")
    return row


async def issue(agency_code: str, group_code: str) -> dict:
    """A new ticket, the next number of its group today at this agency (concurrent kiosks never print
    the same number: the unique index decides, the loser takes the next one)."""
    agency = await agency_by_code(agency_code)
    group = next((g for g in groups() if g.code == group_code), None)
    if group is None:
        msg = "Vui lòng chọn một nhóm thủ tục."
        raise InvalidInput(msg, [("group", msg)])
    day = _today()
    for _ in range(20):
        last = (
            await QueueTicket.select(QueueTicket.number)
            .where(
                (QueueTicket.agency == agency["id"])
                & (QueueTicket.day == day)
                & (QueueTicket.grp == group.code)
            )
            .order_by(QueueTicket.number, ascending=False)
            .first()
        )
        row = QueueTicket(
            agency=agency["id"],
            day=day,
            grp=group.code,
            letter=group.letter,
            number=(last["number"] if last else 0) + 1,
            token=secrets.token_urlsafe(12),
            created_at=datetime.now(UTC),
        )
        try:
            async with write_tx():
                await row.save()
        except Exception as exc:
            if is_unique_violation(exc):
                continue
            raise
        return await ticket(row.token)
    raise Conflict("Máy lấy số đang bận, vui lòng thử lại.")


async def ticket(token: str) -> dict:
    """A ticket by its token, with its agency and group names."""
    row = (
        await QueueTicket.select(
            *QueueTicket.all_columns(),
            QueueTicket.agency.code.as_alias("agency_code"),
            QueueTicket.agency.name.as_alias("agency_name"),
        )
        .where(QueueTicket.token == token[:32])
        .first()
    )
    if row is None:
        raise NotFound("Không tìm thấy số thứ tự này.")
    row["label"] = label(row)
    row["group_name"] = next((g.name for g in groups() if g.code == row["grp"]), row["grp"])
    return row


async def waiting_before(row: dict) -> int:
    """How many tickets of the same group wait before this one."""
    return await QueueTicket.count().where(
        (QueueTicket.agency == row["agency"])
        & (QueueTicket.day == row["day"])
        & (QueueTicket.grp == row["grp"])
        & (QueueTicket.status == "waiting")
        & (QueueTicket.number < row["number"])
    )


def may_call(user: UserView, agency_id: int) -> bool:
    return any(user.has_role(r, agency_id) for r in CALLER_ROLES)


def _check(user: UserView, agency_id: int, counter: int) -> None:
    if not may_call(user, agency_id):
        raise NotAllowed("Bạn không tiếp nhận hồ sơ tại cơ quan này.")
    if not 1 <= counter <= MAX_COUNTER:
        msg = f"Số quầy là một số từ 1 đến {MAX_COUNTER}."
        raise InvalidInput(msg, [("counter", msg)])


async def _claim(row_id: int, user: UserView, counter: int, from_status: str) -> bool:
    """Mark the ticket called by ``counter`` only if it is still ``from_status`` (one caller wins)."""
    now = datetime.now(UTC)
    async with write_tx():
        done = (
            await QueueTicket.update(
                {
                    QueueTicket.status: "called",
                    QueueTicket.counter: counter,
                    QueueTicket.called_at: now,
                    QueueTicket.called_by: user.id,
                    QueueTicket.calls: QueueTicket.calls + 1,
                }
            )
            .where((QueueTicket.id == row_id) & (QueueTicket.status == from_status))
            .returning(QueueTicket.id)
        )
    return bool(done)


async def _finish_current(agency_id: int, counter: int, status: str = "done") -> None:
    await QueueTicket.update({QueueTicket.status: status}).where(
        (QueueTicket.agency == agency_id)
        & (QueueTicket.day == _today())
        & (QueueTicket.counter == counter)
        & (QueueTicket.status == "called")
    )


async def current_at_counter(agency_id: int, counter: int) -> dict | None:
    row = (
        await QueueTicket.select()
        .where(
            (QueueTicket.agency == agency_id)
            & (QueueTicket.day == _today())
            & (QueueTicket.counter == counter)
            & (QueueTicket.status == "called")
        )
        .order_by(QueueTicket.called_at, ascending=False)
        .first()
    )
    if row is not None:
        row["label"] = label(row)
    return row


async def call_next(user: UserView, agency_id: int, counter: int, group_codes: list[str]) -> dict | None:
    """Close the counter's current ticket (served) and call the oldest waiting one of ``group_codes``
    (every group when empty); None when nobody waits."""
    _check(user, agency_id, counter)
    await _finish_current(agency_id, counter)
    for _ in range(20):
        query = QueueTicket.select(QueueTicket.id).where(
            (QueueTicket.agency == agency_id)
            & (QueueTicket.day == _today())
            & (QueueTicket.status == "waiting")
        )
        if group_codes:
            query = query.where(QueueTicket.grp.is_in(group_codes))
        nxt = await query.order_by(QueueTicket.created_at).order_by(QueueTicket.id).first()
        if nxt is None:
            return None
        if await _claim(nxt["id"], user, counter, "waiting"):
            return await current_at_counter(agency_id, counter)
    raise Conflict("Nhiều quầy cùng gọi số một lúc; vui lòng bấm gọi lại.")


async def recall(user: UserView, agency_id: int, counter: int) -> dict:
    """Call the counter's current ticket again (the screen shows it anew)."""
    _check(user, agency_id, counter)
    row = await current_at_counter(agency_id, counter)
    if row is None:
        raise Conflict(f"Quầy {counter} chưa gọi số nào để gọi lại.")
    await QueueTicket.update(
        {QueueTicket.called_at: datetime.now(UTC), QueueTicket.calls: QueueTicket.calls + 1}
    ).where(QueueTicket.id == row["id"])
    return await current_at_counter(agency_id, counter) or row


async def skip(user: UserView, agency_id: int, counter: int) -> dict:
    """The counter's current ticket did not come: set it aside (it may be called back by number)."""
    _check(user, agency_id, counter)
    row = await current_at_counter(agency_id, counter)
    if row is None:
        raise Conflict(f"Quầy {counter} chưa gọi số nào để bỏ qua.")
    await _finish_current(agency_id, counter, "skipped")
    return row


async def call_number(user: UserView, agency_id: int, counter: int, typed: str) -> dict:
    """Call a given number (a skipped ticket whose holder came back, or a waiting one out of turn).

    Raises:
        InvalidInput: not a ticket number of today. Conflict: already called (by whom, where, when)
            or already served.
    """
    _check(user, agency_id, counter)
    text = typed.strip().upper()[:8]
    letter, digits = text[:1], text[1:]
    if not (letter.isalpha() and digits.isdigit()):
        msg = "Nhập số thứ tự gồm chữ cái nhóm và số, ví dụ A012."
        raise InvalidInput(msg, [("number", msg)])
    row = (
        await QueueTicket.select(
            *QueueTicket.all_columns(), QueueTicket.called_by.full_name.as_alias("caller")
        )
        .where(
            (QueueTicket.agency == agency_id)
            & (QueueTicket.day == _today())
            & (QueueTicket.letter == letter)
            & (QueueTicket.number == int(digits))
        )
        .first()
    )
    if row is None:
        msg = f"Hôm nay chưa phát số {text}."
        raise InvalidInput(msg, [("number", msg)])
    if row["status"] in ("called", "done"):
        raise Conflict(_already(row))
    await _finish_current(agency_id, counter)
    if not await _claim(row["id"], user, counter, row["status"]):
        fresh = (
            await QueueTicket.select(
                *QueueTicket.all_columns(), QueueTicket.called_by.full_name.as_alias("caller")
            )
            .where(QueueTicket.id == row["id"])
            .first()
        )
        raise Conflict(_already(fresh or row))
    return await current_at_counter(agency_id, counter) or row


def _already(row: dict) -> str:
    at = row["called_at"].astimezone(VN_TZ).strftime("%H:%M") if row["called_at"] else ""
    who = f" ({row['caller']})" if row.get("caller") else ""
    if row["status"] == "done":
        return f"Số {label(row)} đã được phục vụ xong tại quầy {row['counter']} lúc {at}."
    return f"Số {label(row)} đã được gọi tới quầy {row['counter']} lúc {at}{who}; không gọi lại từ quầy khác."


async def display(agency_id: int, limit: int = 8) -> list[dict]:
    """The latest calls of today, newest first, one per counter: what the hall screen shows."""
    rows = (
        await QueueTicket.select(
            QueueTicket.letter,
            QueueTicket.number,
            QueueTicket.counter,
            QueueTicket.called_at,
            QueueTicket.status,
        )
        .where(
            (QueueTicket.agency == agency_id)
            & (QueueTicket.day == _today())
            & (QueueTicket.status == "called")
        )
        .order_by(QueueTicket.called_at, ascending=False)
        .limit(MAX_COUNTER)
    )
    seen: set[int] = set()
    out = []
    for r in rows:
        if r["counter"] in seen:
            continue
        seen.add(r["counter"])
        r["label"] = label(r)
        out.append(r)
    return out[:limit]
