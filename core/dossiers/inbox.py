"""The staff inbox (``/can-bo``): the dossiers waiting for the signed-in user's work.

Whose dossiers:

* a step holder's: dossiers with an active step at an agency where the user holds the step's role
  (a step assigned to somebody else is theirs, not this user's);
* an approver's (the agency's leader): every dossier with an active step at their agency;
* a receiver's: dossiers received at (or sent online to) their agency that wait for the desk —
  submitted online and not yet received, and results to mark ready or hand back.

Colours follow the clock (``core.clock.deadlines.colour``, the dossier page's): ``red`` overdue (past
its due, or flagged late), ``yellow`` one working day or less left (in the receiving agency's
sessions), ``green`` otherwise; ``none`` for a dossier whose clock does not run (waiting for intake,
decided). One page costs a fixed number of queries whatever its rows: the page's dossiers, the counts
by colour (one aggregate), the agencies' sessions, and the active steps of the rows shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from core.catalogue.registry import get_catalogue
from core.db.tx import raw
from core.dossiers import engine, timing
from core.dossiers.routing import step_spec
from core.dossiers.states import OPEN_STATES, State
from core.text.formats import parse_date

__all__ = (
    "PAGE_SIZE",
    "COLOURS",
    "DESK_STATES",
    "InboxFilters",
    "InboxPage",
    "parse_filters",
    "inbox_page",
    "inbox_counts",
    "colour_expression",
)

PAGE_SIZE = 50
COLOURS = ("red", "yellow", "green", "none")
DESK_STATES: tuple[str, ...] = (
    State.SUBMITTED,
    State.RESULT_APPROVED,
    State.RESULT_REFUSED,
    State.RESULT_READY,
)
"""States in which a dossier waits for the receiving desk (intake, result ready, hand-back)."""
CHANNELS = ("truc_tuyen", "truc_tiep", "buu_chinh")
MAX_DAYS = 3660
_OPEN = tuple(sorted(s.value for s in OPEN_STATES))


@dataclass(frozen=True, slots=True)
class InboxFilters:
    """What the user asked for (each kept in the page's query string)."""

    procedure: str = ""
    state: str = ""
    step: str = ""
    channel: str = ""
    received_from: datetime | None = None
    """Start of the first day (UTC) of the receipt period."""
    received_to: datetime | None = None
    """Start of the day after the last day (UTC) of the receipt period."""
    due_today: bool = False
    overdue: bool = False
    colour: str = ""
    page: int = 1


def parse_filters(params: Mapping[str, str]) -> tuple[InboxFilters, dict[str, str]]:
    """The filters in ``params`` (the query string) and, per field, a Vietnamese message for a value
    that makes no sense (that filter is then left out, the others still apply)."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = 64) -> str:
        value = str(params.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"Tối đa {limit} ký tự."
            return ""
        return value

    procedure, state, step, channel = text("thu_tuc"), text("trang_thai"), text("buoc"), text("kenh")
    if procedure and get_catalogue().procedure(procedure) is None:
        errors["thu_tuc"] = "Không có thủ tục này trong danh mục."
        procedure = ""
    if state and state not in {s.value for s in State}:
        errors["trang_thai"] = "Trạng thái không hợp lệ."
        state = ""
    if channel and channel not in CHANNELS:
        errors["kenh"] = "Kênh tiếp nhận không hợp lệ."
        channel = ""
    days: dict[str, Any] = {}
    for name in ("tu_ngay", "den_ngay"):
        raw_day = text(name, 10)
        if raw_day:
            try:
                days[name] = parse_date(raw_day)
            except ValueError:
                errors[name] = "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."
    lo, hi = days.get("tu_ngay"), days.get("den_ngay")
    if lo and hi and hi < lo:
        errors["den_ngay"] = "Đến ngày phải bằng hoặc sau Từ ngày."
        hi = None
    elif lo and hi and (hi - lo).days > MAX_DAYS:
        errors["den_ngay"] = f"Mỗi lần xem tối đa {MAX_DAYS} ngày."
        hi = None
    colour = text("mau")
    if colour and colour not in COLOURS:
        errors["mau"] = "Màu không hợp lệ."
        colour = ""
    try:
        page = int(text("trang") or 1)
    except ValueError:
        page = 1
    return (
        InboxFilters(
            procedure=procedure,
            state=state,
            step=step,
            channel=channel,
            received_from=_day_start(lo) if lo else None,
            received_to=_day_start(hi + timedelta(days=1)) if hi else None,
            due_today=str(params.get("den_han_hom_nay") or "") in ("1", "on", "true"),
            overdue=str(params.get("qua_han") or "") in ("1", "on", "true"),
            colour=colour,
            page=max(1, min(page, 100_000)),
        ),
        errors,
    )


def _day_start(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timing.VN_TZ).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of the inbox."""

    rows: list[dict[str, Any]]
    counts: dict[str, int]
    """Dossiers by colour under every filter but the colour ones (``overdue``, ``colour``)."""
    total: int
    """Dossiers under every filter (the pages' total)."""
    page: int
    pages: int
    steps: list[tuple[str, str]] = field(default_factory=list)
    """``(step id, name)`` of the steps the user's dossiers are at (the step filter's choices)."""


# -- the query ------------------------------------------------------------------------------------


class _Sql:
    """A WHERE clause with ``{}`` markers and its arguments, built piece by piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, sql: str, *args: Any) -> None:
        self.parts.append(sql)
        self.args.extend(args)

    @staticmethod
    def marks(values) -> str:
        return ", ".join("{}" for _ in values)


def _mine(user: Any) -> tuple[str, list[Any]] | None:
    """The clause selecting the user's dossiers (alias ``d``), or None when they have none."""
    clauses: list[str] = []
    args: list[Any] = []
    step_grants = sorted((a, r) for a, r in user.grants if r not in ("citizen", "province_admin"))
    leads = sorted({a for a, r in user.grants if r == "approver"})
    desks = sorted({a for a, r in user.grants if r == "receiver"})
    held = [(a, r) for a, r in step_grants if a not in leads]
    step_clauses: list[str] = []
    for agency, role in held:
        step_clauses.append("(s.agency = {} AND s.role = {} AND (s.assignee IS NULL OR s.assignee = {}))")
        args += [agency, role, user.id]
    if leads:
        step_clauses.append(f"s.agency IN ({_Sql.marks(leads)})")
        args += leads
    if step_clauses:
        clauses.append(
            "d.id IN (SELECT s.dossier FROM dossier_step s WHERE s.status = {} AND ("  # noqa: S608 - fixed fragments; every value is a bound parameter
            + " OR ".join(step_clauses)
            + "))"
        )
        args.insert(0, "active")
    if desks:
        clauses.append(
            f"(d.receiving_agency IN ({_Sql.marks(desks)}) AND d.state IN ({_Sql.marks(DESK_STATES)}))"
        )
        args += [*desks, *(str(s) for s in DESK_STATES)]
    if not clauses:
        return None
    return "(" + " OR ".join(clauses) + ")", args


async def _near_thresholds(now: datetime) -> tuple[str, list[Any]]:
    """SQL for "the moment one working day from now" in the receiving agency's sessions (alias ``d``):
    one value per distinct set of sessions (most agencies share the default)."""
    rows = await raw("SELECT id, work_sessions FROM agency")
    groups: dict[str, list[int]] = {}
    for r in rows:
        ses = r["work_sessions"]
        key = ses if isinstance(ses, str) else json.dumps(ses)
        groups.setdefault(key or "", []).append(r["id"])
    cases: list[str] = []
    args: list[Any] = []
    default = None
    biggest = max(groups.values(), key=len) if groups else []
    for key, ids in groups.items():
        try:
            ses = timing.work_sessions(key or None)
        except ValueError:
            ses = timing.work_sessions(None)
        near = await timing.add(now, ses.minutes_per_day, key or None)
        if ids is biggest:
            default = near
            continue
        cases.append(f"WHEN d.receiving_agency IN ({_Sql.marks(ids)}) THEN {{}}")
        args += [*ids, near]
    if default is None:
        default = await timing.add(now, timing.MINUTES_PER_DAY, None)
    if not cases:
        return "{}", [default]
    return "CASE " + " ".join(cases) + " ELSE {} END", [*args, default]


_DUE = "COALESCE(d.extended_due_at, d.due_at)"


def _colour_sql(near_sql: str) -> str:
    return (
        f"CASE WHEN d.state NOT IN ({_Sql.marks(_OPEN)}) OR {_DUE} IS NULL THEN 'none' "
        f"WHEN d.late = {{}} OR {_DUE} < {{}} THEN 'red' "
        f"WHEN {_DUE} <= {near_sql} THEN 'yellow' ELSE 'green' END"
    )


async def colour_expression(now: datetime) -> tuple[str, list[Any]]:
    """SQL (alias ``d`` for the dossier) giving ``red`` / ``yellow`` / ``green`` / ``none`` at ``now``
    as this module colours dossiers, and its bound arguments (the alert pass uses the same rule)."""
    near_sql, near_args = await _near_thresholds(now)
    return _colour_sql(near_sql), [*_OPEN, True, now, *near_args]


def _filters(f: InboxFilters, now: datetime, *, with_colour: bool) -> tuple[str, list[Any]]:
    w = _Sql()
    if f.procedure:
        w.add("d.procedure_code = {}", f.procedure)
    if f.state:
        w.add("d.state = {}", f.state)
    if f.step:
        w.add(
            "d.id IN (SELECT s2.dossier FROM dossier_step s2 WHERE s2.status = {} AND s2.step_id = {})",
            "active",
            f.step,
        )
    if f.channel:
        w.add("d.channel = {}", f.channel)
    if f.received_from:
        w.add("d.received_at >= {}", f.received_from)
    if f.received_to:
        w.add("d.received_at < {}", f.received_to)
    if f.due_today:
        today = now.astimezone(timing.VN_TZ).date()
        w.add(
            f"d.state IN ({_Sql.marks(_OPEN)}) AND {_DUE} >= {{}} AND {_DUE} < {{}}",
            *_OPEN,
            _day_start(today),
            _day_start(today + timedelta(days=1)),
        )
    if with_colour and f.overdue:
        w.add(f"d.state IN ({_Sql.marks(_OPEN)}) AND (d.late = {{}} OR {_DUE} < {{}})", *_OPEN, True, now)
    return " AND ".join(w.parts), w.args


async def inbox_page(user: Any, filters: InboxFilters, *, now: datetime | None = None) -> InboxPage:
    """The page ``filters.page`` of ``user``'s inbox, ordered by due time (soonest, and overdue,
    first; dossiers without a running clock last), with the counts by colour."""
    now = now or engine.utcnow()
    mine = _mine(user)
    if mine is None:
        return InboxPage(rows=[], counts=dict.fromkeys(COLOURS, 0), total=0, page=1, pages=1)
    mine_sql, mine_args = mine
    near_sql, near_args = await _near_thresholds(now)
    colour_sql = _colour_sql(near_sql)
    colour_args = [*_OPEN, True, now, *near_args]

    base_sql, base_args = _filters(filters, now, with_colour=False)
    where = mine_sql + (f" AND {base_sql}" if base_sql else "")
    counts = dict.fromkeys(COLOURS, 0)
    for r in await raw(
        f"SELECT {colour_sql} AS colour, COUNT(*) AS n FROM dossier d WHERE {where} GROUP BY 1",  # noqa: S608 - fixed fragments; every value is a bound parameter
        *colour_args,
        *mine_args,
        *base_args,
    ):
        counts[r["colour"]] = int(r["n"])

    chosen = "red" if filters.overdue else filters.colour
    total = counts[chosen] if chosen else sum(counts.values())
    if filters.overdue and filters.colour and filters.colour != "red":
        total = 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.page, pages)
    sql = (
        f"SELECT * FROM (SELECT d.id, d.code, d.version, d.procedure_code, d.state, d.channel, d.applicant_name,"  # noqa: S608 - fixed fragments; every value is a bound parameter
        f" d.received_at, d.submitted_at, d.created_at, d.late, d.receiving_agency, {_DUE} AS due,"
        f" {colour_sql} AS colour FROM dossier d WHERE {where}) AS x"
    )
    args = [*colour_args, *mine_args, *base_args]
    if chosen:
        sql += " WHERE x.colour = {}"
        args.append(chosen)
    sql += (
        " ORDER BY CASE WHEN x.due IS NULL THEN 1 ELSE 0 END, x.due,"
        " COALESCE(x.received_at, x.submitted_at, x.created_at), x.id LIMIT {} OFFSET {}"
    )
    args += [PAGE_SIZE, (page - 1) * PAGE_SIZE]
    rows = [dict(r) for r in await raw(sql, *args)]
    await _add_steps(rows, now, user)
    return InboxPage(
        rows=rows, counts=counts, total=total, page=page, pages=pages, steps=await _step_choices(user)
    )


async def inbox_counts(user: Any, filters: InboxFilters, *, now: datetime | None = None) -> dict[str, int]:
    """Only the counts by colour (the live refresh of the page's header): two queries."""
    now = now or engine.utcnow()
    mine = _mine(user)
    counts = dict.fromkeys(COLOURS, 0)
    if mine is None:
        return counts
    near_sql, near_args = await _near_thresholds(now)
    base_sql, base_args = _filters(replace(filters, overdue=False), now, with_colour=False)
    where = mine[0] + (f" AND {base_sql}" if base_sql else "")
    for r in await raw(
        f"SELECT {_colour_sql(near_sql)} AS colour, COUNT(*) AS n FROM dossier d WHERE {where} GROUP BY 1",  # noqa: S608 - fixed fragments; every value is a bound parameter
        *_OPEN,
        True,
        now,
        *near_args,
        *mine[1],
        *base_args,
    ):
        counts[r["colour"]] = int(r["n"])
    return counts


_STEP_BULK = (("complete", "complete_step"), ("approve", "approve"))
"""A step's outcome → the bulk action that takes it."""


async def _add_steps(rows: list[dict[str, Any]], now: datetime, user: Any = None) -> None:
    """Each row's active steps (name, agency, holder, due, colour), its procedure's name and
    ``bulk``, the actions of ``core.dossiers.bulk.BULK_ACTIONS`` the user may take on it now (the
    rule of ``access.allowed_actions``, read off the row and its steps): one query."""
    cat = get_catalogue()
    for r in rows:
        r["steps"] = []
        r["bulk"] = _desk_bulk(r, user)
        proc = cat.procedure(r["procedure_code"])
        r["procedure_name"] = proc.name.vi if proc else r["procedure_code"]
        r["procedure_name_en"] = (proc.name.en or proc.name.vi) if proc else r["procedure_code"]
    if not rows:
        return
    by_id = {r["id"]: r for r in rows}
    ids = list(by_id)
    steps = await raw(
        "SELECT s.dossier, s.step_id, s.role, s.due_at, s.agency, a.name AS agency_name,"  # noqa: S608 - fixed fragments; every value is a bound parameter
        " a.work_sessions AS sessions, s.assignee, u.full_name AS assignee_name"
        " FROM dossier_step s JOIN agency a ON a.id = s.agency"
        " LEFT JOIN motcua_user u ON u.id = s.assignee"
        f" WHERE s.status = {{}} AND s.dossier IN ({_Sql.marks(ids)}) ORDER BY s.stage, s.id",
        "active",
        *ids,
    )
    cal = await timing.calendar()
    for s in steps:
        row = by_id[s["dossier"]]
        proc = cat.procedure(row["procedure_code"])
        wf = cat.workflows.get(proc.workflow) if proc else None
        spec = step_spec(wf, s["step_id"]) if wf else None
        due = timing.as_utc(s["due_at"]) if s["due_at"] else None
        try:
            colour = timing.colour(cal, s["sessions"], now, due) if due else None
        except ValueError:
            colour = timing.colour(cal, None, now, due) if due else None
        if (
            user is not None
            and spec is not None
            and row["state"] in _WORK_STATES
            and user.has_role(s["role"], s["agency"])
        ):
            outcomes = spec.outcomes or ()
            for outcome, action in _STEP_BULK:
                if outcome in outcomes and action not in row["bulk"]:
                    row["bulk"].append(action)
        row["steps"].append(
            {
                "step_id": s["step_id"],
                "name": spec.name.vi if spec else s["step_id"],
                "name_en": (spec.name.en or spec.name.vi) if spec else s["step_id"],
                "role": s["role"],
                "agency": s["agency_name"],
                "holder": s["assignee_name"] or "",
                "due": due,
                "colour": colour,
            }
        )
    for r in rows:
        for key in ("due", "received_at", "submitted_at"):
            if r.get(key):
                r[key] = timing.as_utc(r[key])


_WORK_STATES = (State.RECEIVED, State.IN_PROCESSING)


def _desk_bulk(row: dict[str, Any], user: Any) -> list[str]:
    """The desk's bulk actions on ``row`` (receive an online dossier, mark a result ready)."""
    if user is None or not user.has_role("receiver", row["receiving_agency"]):
        return []
    if row["state"] == State.SUBMITTED:
        return ["receive"]
    if row["state"] in (State.RESULT_APPROVED, State.RESULT_REFUSED):
        return ["mark_result_ready"]
    return []


async def _step_choices(user: Any) -> list[tuple[str, str]]:
    """The steps of the procedures' routes at the roles the user holds, named (no query: the catalogue)."""
    cat = get_catalogue()
    roles = user.roles
    leader = "approver" in roles
    seen: dict[str, str] = {}
    for proc in cat.procedures.values():
        wf = cat.workflows.get(proc.workflow)
        if wf is None:
            continue
        for stage in wf.stages:
            for st in stage.steps:
                if (leader or st.role in roles) and st.id not in seen:
                    seen[st.id] = st.name.vi
    return sorted(seen.items(), key=lambda kv: kv[1])
