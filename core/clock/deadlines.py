"""Deadlines in working time (R14–R19): sessions, cut-off, suspensions, colours, step budgets.

Pure functions over a ``WorkCalendar`` and an agency's ``WorkSessions``. Datetimes in are timezone-aware
(naive ones are taken as UTC); the wall clock is Vietnam time (Asia/Ho_Chi_Minh); datetimes out are UTC.
A working day is the length of the agency's sessions (8 h = 480 min by default, R14).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.clock.calendar import WorkCalendar
from core.contract.vntime import VN_TZ

__all__ = (
    "VN_TZ",
    "MINUTES_PER_DAY",
    "DEFAULT_SESSIONS",
    "WorkSessions",
    "Deadline",
    "TwoAppointments",
    "Suspension",
    "clock_start",
    "add_working_minutes",
    "working_minutes_between",
    "due_for",
    "elapsed_minutes",
    "due_with_suspensions",
    "remaining_minutes",
    "colour",
    "step_budgets",
    "apology_extension_cap",
    "APOLOGY_CAP_FRACTION",
    "two_appointments",
    "second_appointment",
    "fmt_dt",
    "fmt_date",
)

MINUTES_PER_DAY = 480
"""1 working day = 8 working hours (R14) with the default sessions."""
DEFAULT_SESSIONS: tuple[tuple[str, str], ...] = (("08:00", "12:00"), ("13:00", "17:00"))

_DEFAULT_APOLOGY_CAP = 0.25
APOLOGY_CAP_FRACTION = float(os.environ.get("MOTCUA_APOLOGY_CAP_FRACTION", _DEFAULT_APOLOGY_CAP))
"""Province setting ``MOTCUA_APOLOGY_CAP_FRACTION``: the largest extension a unit may grant itself in an
apology letter, as a fraction of the statutory time (default ¼, Ho Chi Minh City practice)."""

_MAX_DAYS = 3660
_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

Suspension = tuple[datetime, datetime | None]
"""A stored suspension interval: (start, end); ``end`` None while it lasts."""


# -- sessions -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WorkSessions:
    """An agency's daily working sessions (ordered, non-overlapping), e.g. 08:00–12:00 and 13:00–17:00."""

    sessions: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13), time(17)))

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("Cần ít nhất một buổi làm việc")
        prev = time(0)
        for i, (a, b) in enumerate(self.sessions):
            if not a < b:
                raise ValueError(f"Buổi làm việc {a:%H:%M}–{b:%H:%M}: giờ kết thúc phải sau giờ bắt đầu")
            if i and a < prev:
                raise ValueError("Các buổi làm việc phải theo thứ tự và không chồng lên nhau")
            prev = b

    @classmethod
    def from_json(cls, value: Any = None) -> WorkSessions:
        """From an agency's ``work_sessions`` JSON (``[["08:00", "12:00"], ...]``, a JSON string or
        None for the default). Raises ``ValueError`` (Vietnamese message) on a malformed value."""
        if isinstance(value, WorkSessions):
            return value
        try:
            if isinstance(value, str):
                value = json.loads(value) if value.strip() else None
            if not value:
                value = DEFAULT_SESSIONS
            pairs = tuple((_as_time(a), _as_time(b)) for a, b in value)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Giờ làm việc không hợp lệ: {value!r}") from exc
        return cls(pairs)

    def to_json(self) -> list[list[str]]:
        return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in self.sessions]

    @property
    def minutes_per_day(self) -> int:
        """Working minutes in one day (480 with the default sessions)."""
        return sum(_minutes(b) - _minutes(a) for a, b in self.sessions)

    @property
    def opening(self) -> time:
        return self.sessions[0][0]

    @property
    def closing(self) -> time:
        return self.sessions[-1][1]

    def on(self, cal: WorkCalendar, d: date) -> list[tuple[datetime, datetime]]:
        """The sessions of date ``d`` as Vietnam-time datetimes (none on a non-working day)."""
        if not cal.is_working_day(d):
            return []
        return [(datetime.combine(d, a, VN_TZ), datetime.combine(d, b, VN_TZ)) for a, b in self.sessions]


def _as_time(v: Any) -> time:
    return v if isinstance(v, time) else time.fromisoformat(str(v))


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _local(t: datetime) -> datetime:
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(VN_TZ)


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC)


def _sessions(s: Any) -> WorkSessions:
    return s if isinstance(s, WorkSessions) else WorkSessions.from_json(s)


def fmt_dt(t: datetime) -> str:
    """``16:10 thứ Sáu 23/01/2026`` (Vietnam time)."""
    t = _local(t)
    return f"{t:%H:%M} {_WEEKDAYS[t.weekday()]} {t:%d/%m/%Y}"


def fmt_date(d: date) -> str:
    return f"{_WEEKDAYS[d.weekday()]} {d:%d/%m/%Y}"


def _fmt_days(days: float) -> str:
    return f"{days:g}".replace(".", ",")


# -- walking working time -------------------------------------------------------------------------
def _snap_open(cal: WorkCalendar, ses: WorkSessions, t: datetime) -> datetime:
    """The first instant ≥ ``t`` at which a session is running (a session's end moves on)."""
    t = _local(t)
    d = t.date()
    for _ in range(_MAX_DAYS):
        for a, b in ses.on(cal, d):
            if t < b:
                return max(t, a)
        d += timedelta(days=1)
    raise RuntimeError("no working session within ten years")


def clock_start(cal: WorkCalendar, sessions: Any, received_at: datetime, cutoff: time | None) -> datetime:
    """When the clock of a dossier received at ``received_at`` starts (R15).

    After the cut-off or on a non-working day: the opening of the next working day; before opening:
    the opening; in the lunch break: the afternoon session's start; otherwise the receipt itself.
    """
    ses = _sessions(sessions)
    t = _local(received_at)
    if cal.is_working_day(t.date()) and cutoff is not None and t.time() > cutoff:
        nxt = cal.next_working_day(t.date())
        return _utc(datetime.combine(nxt, ses.opening, VN_TZ))
    return _utc(_snap_open(cal, ses, t))


def add_working_minutes(cal: WorkCalendar, sessions: Any, start: datetime, minutes: float) -> datetime:
    """``start`` plus ``minutes`` of working time. The result is always inside (or at the end of) a
    working session; a result exactly at a session's end stays there. ``minutes`` ≥ 0."""
    ses = _sessions(sessions)
    if minutes < 0:
        raise ValueError("minutes must be ≥ 0")
    rem = timedelta(minutes=minutes)
    day_len = timedelta(minutes=ses.minutes_per_day)
    t = _local(start)
    d = t.date()
    for _ in range(_MAX_DAYS * 2):
        today = ses.on(cal, d)
        if today and t <= today[0][0] and rem > day_len:
            rem -= day_len  # a whole working day at once
        else:
            for a, b in today:
                if t > b:
                    continue
                cur = max(t, a)
                avail = b - cur
                if rem <= avail:
                    return _utc(cur + rem)
                rem -= avail
                t = b
        d += timedelta(days=1)
        t = max(t, datetime.combine(d, time(0), VN_TZ))
    raise RuntimeError("deadline beyond ten years")


def working_minutes_between(cal: WorkCalendar, sessions: Any, a: datetime, b: datetime) -> float:
    """Working minutes in ``[a, b]`` (0 when ``b`` ≤ ``a``)."""
    ses = _sessions(sessions)
    a, b = _local(a), _local(b)
    if b <= a:
        return 0.0
    total = timedelta()
    d = a.date()
    while d <= b.date():
        for s, e in ses.on(cal, d):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        d += timedelta(days=1)
    return total.total_seconds() / 60


def _merge(
    suspensions: Iterable[Suspension], lo: datetime, hi: datetime | None
) -> list[tuple[datetime, datetime | None]]:
    """Suspensions clipped to ``[lo, hi]``, sorted and merged (an open end stays open)."""
    items = sorted(
        ((_local(s), _local(e) if e is not None else None) for s, e in suspensions), key=lambda x: x[0]
    )
    out: list[list[Any]] = []
    for s, e in items:
        s = max(s, lo)
        if hi is not None:
            s = min(s, hi)
            e = hi if e is None else min(e, hi)
        if e is not None and e <= s:
            continue
        if out and (out[-1][1] is None or s <= out[-1][1]):
            if out[-1][1] is not None:
                out[-1][1] = None if e is None else max(out[-1][1], e)
            continue
        out.append([s, e])
    return [(s, e) for s, e in out]


def elapsed_minutes(
    cal: WorkCalendar, sessions: Any, start: datetime, now: datetime, suspensions: Sequence[Suspension] = ()
) -> int:
    """Working minutes the clock has run from ``start`` to ``now``, suspended intervals excluded (R17)."""
    lo, hi = _local(start), _local(now)
    if hi <= lo:
        return 0
    total = working_minutes_between(cal, sessions, lo, hi)
    for s, e in _merge(suspensions, lo, hi):
        total -= working_minutes_between(cal, sessions, s, e or hi)
    return max(0, int(total + 1e-9))


def due_with_suspensions(
    cal: WorkCalendar, sessions: Any, start: datetime, minutes: float, suspensions: Sequence[Suspension] = ()
) -> datetime | None:
    """The due of ``minutes`` of working time from ``start``, pushed by each suspension's working
    time. None while a suspension that began before the due is still open (the due is unknown)."""
    t = _local(start)
    rem = float(minutes)
    for s, e in _merge(suspensions, t, None):
        if s > t:
            avail = working_minutes_between(cal, sessions, t, s)
            if rem <= avail:
                break
            rem -= avail
        if e is None:
            return None
        t = max(t, e)
    return add_working_minutes(cal, sessions, t, rem)


def remaining_minutes(cal: WorkCalendar, sessions: Any, now: datetime, due: datetime) -> int:
    """Working minutes left until ``due`` (negative: working minutes overdue)."""
    if _local(now) <= _local(due):
        return int(working_minutes_between(cal, sessions, now, due) + 1e-9)
    return -int(working_minutes_between(cal, sessions, due, now) + 1e-9)


def colour(cal: WorkCalendar, sessions: Any, now: datetime, due: datetime) -> str:
    """``red`` when past due, ``yellow`` when ≤ 1 working day is left, else ``green``."""
    if _local(now) > _local(due):
        return "red"
    left = working_minutes_between(cal, sessions, now, due)
    return "yellow" if left <= _sessions(sessions).minutes_per_day else "green"


# -- deadlines with their explanation -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline: clock start, due, working minutes, and why (Vietnamese lines)."""

    start: datetime
    due: datetime
    minutes: int
    explanation: tuple[str, ...] = ()


def _start_reason(
    cal: WorkCalendar, ses: WorkSessions, t: datetime, start: datetime, cutoff: time | None
) -> str:
    t, start = _local(t), _local(start)
    head = f"Tiếp nhận {fmt_dt(t)}"
    if start == t:
        return f"{head} → bắt đầu tính ngay"
    d = t.date()
    if not cal.is_working_day(d):
        name = cal.holiday_name(d) or ("ngày nghỉ cuối tuần" if d.weekday() >= 5 else "ngày nghỉ")
        why = f"ngày không làm việc ({name})"
    elif cutoff is not None and t.time() > cutoff:
        why = f"sau {cutoff:%H:%M}"
    elif t.time() < ses.opening:
        why = "trước giờ làm việc"
    elif t.time() >= ses.closing:
        why = "sau giờ làm việc"
    else:
        why = "trong giờ nghỉ giữa hai buổi làm việc"
    return f"{head}, {why} → bắt đầu tính từ {fmt_dt(start)}"


def _condense(names: list[str]) -> list[str]:
    """Drop names that contain a shorter one (``Mùng hai Tết Nguyên Đán`` → ``Tết Nguyên Đán``)."""
    out = [n for n in names if not any(o != n and o in n for o in names)]
    return out or names


def _skipped(cal: WorkCalendar, a: datetime, b: datetime) -> list[str]:
    lines = []
    for first, last, names in cal.non_working_runs(_local(a).date(), _local(b).date()):
        if not names:
            continue
        span = f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m}–{last:%d/%m/%Y}"
        lines.append(f"Bỏ qua: {span} ({'; '.join(_condense(names))})")
    return lines


def due_for(
    cal: WorkCalendar,
    sessions: Any,
    received_at: datetime,
    days: float,
    cutoff: time | None,
    extra_days: float = 0,
) -> Deadline:
    """Clock start and due of a dossier received at ``received_at`` with ``days`` working days (R14–R16,
    R19). ``days == 0``: the end of the working day the clock starts on. ``extra_days`` (remote area)
    appear as an explicit adjustment line."""
    ses = _sessions(sessions)
    start = _local(clock_start(cal, ses, received_at, cutoff))
    lines = [_start_reason(cal, ses, received_at, start, cutoff)]
    total = float(days) + float(extra_days)
    minutes = round(total * ses.minutes_per_day)
    if total <= 0:
        closing = ses.on(cal, start.date())[-1][1]
        due = closing
        lines.append(f"Giải quyết trong ngày → hạn là cuối ngày làm việc {fmt_dt(due)}")
    else:
        lines.append(
            f"Thời hạn theo quy định: {_fmt_days(days)} ngày làm việc "
            f"(1 ngày = {ses.minutes_per_day // 60} giờ {ses.minutes_per_day % 60:02d} phút làm việc)".replace(
                " giờ 00 phút", " giờ"
            )
        )
        if extra_days:
            lines.append(
                f"Điều chỉnh: +{_fmt_days(extra_days)} ngày làm việc (xã vùng sâu, vùng xa, "
                f"biên giới, hải đảo) → tổng {_fmt_days(total)} ngày"
            )
        due = _local(add_working_minutes(cal, ses, start, minutes))
        lines.extend(_skipped(cal, start, due))
    lines.append(f"Hạn giải quyết: {fmt_dt(due)}")
    return Deadline(_utc(start), _utc(due), minutes, tuple(lines))


# -- budgets, extensions, two appointments --------------------------------------------------------
def step_budgets(workflow_stages: Sequence[Any], total_days: float) -> dict[str, int]:
    """Working minutes of each step (``StepSpec.days`` × 480). Parallel steps each get their own
    budget; suspending steps (``suspends_for``) get 0 and stop the clock. When the declared shares
    (stages in sequence, the longest parallel step) exceed ``total_days`` they are scaled down to fit."""
    declared = sum(
        max((float(s.days) for s in st.steps if not s.suspends_for), default=0.0) for st in workflow_stages
    )
    scale = total_days / declared if declared > total_days > 0 else 1.0
    out: dict[str, int] = {}
    for st in workflow_stages:
        for s in st.steps:
            out[s.id] = 0 if s.suspends_for else round(float(s.days) * scale * MINUTES_PER_DAY)
    return out


def apology_extension_cap(total_days: float, fraction: float | None = None) -> float:
    """The largest extension (working days) an apology letter may grant: at most ``fraction`` (province
    setting ``MOTCUA_APOLOGY_CAP_FRACTION``, default ¼) of the statutory time, rounded down to a whole
    working hour (15 days → 3.75)."""
    f = APOLOGY_CAP_FRACTION if fraction is None else fraction
    if total_days <= 0 or f <= 0:
        return 0.0
    return math.floor(total_days * f * 8 + 1e-9) / 8


@dataclass(frozen=True, slots=True)
class TwoAppointments:
    """R18: appointment 1 (information slip sent to tax) and appointment 2 (result returned).
    ``second`` is provisional (counted from appointment 1) until ``second_appointment`` is called
    again when the payment is confirmed."""

    first: Deadline
    second: Deadline


def second_appointment(
    cal: WorkCalendar, sessions: Any, paid_at: datetime, second_days: float, cutoff: time | None
) -> Deadline:
    """Appointment 2, counted from the confirmation of the financial obligation (R18)."""
    d = due_for(cal, sessions, paid_at, second_days, cutoff)
    head = f"Hẹn lần 2 tính từ khi xác nhận hoàn thành nghĩa vụ tài chính ({fmt_dt(paid_at)})"
    return Deadline(d.start, d.due, d.minutes, (head, *d.explanation[1:]))


def two_appointments(
    cal: WorkCalendar,
    sessions: Any,
    received_at: datetime,
    first_days: float,
    second_days: float,
    cutoff: time | None,
) -> TwoAppointments:
    """Both appointments of a procedure with a financial obligation; the second assumes the
    obligation is met at appointment 1 and is recomputed by ``second_appointment`` on payment."""
    first = due_for(cal, sessions, received_at, first_days, cutoff)
    ses = _sessions(sessions)
    due2 = add_working_minutes(cal, ses, first.due, round(second_days * ses.minutes_per_day))
    lines = (
        f"Hẹn lần 2 (dự kiến, nếu nghĩa vụ tài chính hoàn thành ngay): {_fmt_days(second_days)} ngày làm việc "
        f"sau hẹn lần 1 → {fmt_dt(due2)}",
    )
    return TwoAppointments(first, Deadline(first.due, due2, round(second_days * ses.minutes_per_day), lines))
