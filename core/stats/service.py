"""The leaders' figures, read from the daily counters (set-based SQL over an indexed, small table) and,
for what is true *now* (overdue), from an indexed query on open dossiers: a fixed number of queries
whatever the number of dossiers behind them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.db.tx import is_postgres, raw
from core.dossiers.timing import VN_TZ, as_utc
from core.stats.counters import METRICS, RESOLVED
from core.stats.scope import Scope

__all__ = (
    "Selection",
    "GROUPS",
    "figures",
    "series",
    "OPEN_WORK",
    "names",
    "day_param",
    "FIGURE_KEYS",
)

GROUPS = {"agency": "agency", "procedure": "procedure_code", "domain": "domain"}
"""How rows are grouped: by receiving agency, by procedure, by domain (field)."""

_DOSSIER_GROUP = {"agency": "receiving_agency", "procedure": "procedure_code", "domain": "domain"}

SATISFIED = ("very_satisfied", "satisfied")
"""Ratings counted as satisfied (core.feedback's scale: very satisfied / satisfied / dissatisfied)."""

OPEN_WORK = ("received", "in_processing")
"""States whose clock runs: a dossier here past its due is overdue now."""

FIGURE_KEYS = (
    "received",
    "received_online",
    "in_progress",
    "resolved",
    *RESOLVED,
    "overdue_now",
    "returned",
    "refused_intake",
    "stopped",
    "closed",
    "apologised",
    "paid",
    "paid_online",
    "rated",
    "rated_satisfied",
)


@dataclass(frozen=True, slots=True)
class Selection:
    """What the leader asked for: a period (Vietnam days), optional agency / domain / procedure."""

    start: date
    end: date
    agency: int | None = None
    domain: str = ""
    procedure: str = ""
    channel: str = ""
    group: str = "agency"

    @property
    def start_utc(self) -> datetime:
        """The first instant of the period (UTC)."""
        return datetime.combine(self.start, time(0), VN_TZ).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period (UTC)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), VN_TZ).astimezone(UTC)


def day_param(day: date) -> Any:
    return day if is_postgres() else day.isoformat()


def _where(scope: Scope, sel: Selection, *, agency_col: str, prefix: str = "") -> tuple[str, list[Any]]:
    """SQL conditions (`` AND …``) and their arguments for the scope and the filters."""
    sql, args = "", list[Any]()
    if not scope.province:
        sql += f" AND {prefix}{agency_col} IN ({', '.join('{}' for _ in scope.agencies)})"
        args += list(scope.agencies)
    if sel.agency is not None:
        sql += f" AND {prefix}{agency_col} = {{}}"
        args.append(sel.agency)
    if sel.domain:
        sql += f" AND {prefix}domain = {{}}"
        args.append(sel.domain)
    if sel.procedure:
        sql += f" AND {prefix}procedure_code = {{}}"
        args.append(sel.procedure)
    if sel.channel:
        sql += f" AND {prefix}channel = {{}}"
        args.append(sel.channel)
    return sql, args


@dataclass
class Row:
    key: Any
    name: str = ""
    n: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_KEYS, 0))

    def share(self, part: str, whole: str | tuple[str, ...]) -> float | None:
        total = sum(self.n[w] for w in ((whole,) if isinstance(whole, str) else whole))
        return None if not total else self.n[part] / total

    @property
    def on_time_share(self) -> float | None:
        if not self.n["resolved"]:
            return None
        return (self.n["resolved_early"] + self.n["resolved_on_time"]) / self.n["resolved"]

    @property
    def online_share(self) -> float | None:
        return self.share("received_online", "received")

    @property
    def online_payment_share(self) -> float | None:
        return self.share("paid_online", "paid")

    @property
    def satisfaction(self) -> float | None:
        """Ratings "very satisfied" or "satisfied" among the ratings given in the period."""
        return self.share("rated_satisfied", "rated")


async def figures(scope: Scope, sel: Selection, *, now: datetime | None = None) -> tuple[list[Row], Row]:
    """The figures of each group and of the whole selection (4 queries, plus 1 for agency names).

    Returns:
        The rows (ordered by received, most first) and the total row.
    """
    now = now or datetime.now(UTC)
    group = GROUPS[sel.group]
    rows: dict[Any, Row] = {}

    def row(key: Any) -> Row:
        if key not in rows:
            rows[key] = Row(key)
        return rows[key]

    cond, args = _where(scope, sel, agency_col="agency")
    for r in await raw(
        f"SELECT {group} AS g, metric, channel, SUM(value) AS n FROM stat_counter"
        " WHERE day >= {} AND day <= {}" + cond + f" GROUP BY {group}, metric, channel",
        day_param(sel.start),
        day_param(sel.end),
        *args,
    ):
        target = row(r["g"])
        n = int(r["n"] or 0)
        if r["metric"] in METRICS and r["metric"] != "left_open":
            target.n[r["metric"]] += n
        if r["metric"] == "received" and r["channel"] == "truc_tuyen":
            target.n["received_online"] += n
        if r["metric"] in RESOLVED:
            target.n["resolved"] += n
    for r in await raw(
        f"SELECT {group} AS g, SUM(CASE WHEN metric = 'received' THEN value ELSE -value END) AS n"
        " FROM stat_counter WHERE day <= {} AND metric IN ('received', 'left_open')"
        + cond
        + f" GROUP BY {group}",
        day_param(sel.end),
        *args,
    ):
        if int(r["n"] or 0):
            row(r["g"]).n["in_progress"] = int(r["n"])
    dcond, dargs = _where(scope, sel, agency_col="receiving_agency")
    dgroup = _DOSSIER_GROUP[sel.group]
    for r in await raw(
        f"SELECT {dgroup} AS g, COUNT(*) AS n FROM dossier WHERE state IN ('received', 'in_processing')"
        " AND due_at < {} AND (extended_due_at IS NULL OR extended_due_at < {})"
        + dcond
        + f" GROUP BY {dgroup}",
        now,
        now,
        *dargs,
    ):
        row(r["g"]).n["overdue_now"] = int(r["n"])
    for r in await raw(
        f"SELECT d.{dgroup} AS g, r.score, COUNT(*) AS n FROM rating r JOIN dossier d ON d.id = r.dossier_id"
        " WHERE r.created_at >= {} AND r.created_at < {}"
        + _where(scope, sel, agency_col="receiving_agency", prefix="d.")[0]
        + f" GROUP BY d.{dgroup}, r.score",
        sel.start_utc,
        sel.end_utc,
        *dargs,
    ):
        target = row(r["g"])
        target.n["rated"] += int(r["n"])
        if r["score"] in SATISFIED:
            target.n["rated_satisfied"] += int(r["n"])
    labels = await names(sel.group, list(rows))
    out: list[Row] = []
    for key, found in rows.items():
        found.name = labels.get(key, str(key))
        out.append(found)
    out.sort(key=lambda r: (-r.n["received"], -r.n["in_progress"], r.name))
    total = Row("*", name="Tổng cộng")
    for each in out:
        for k in FIGURE_KEYS:
            total.n[k] += each.n[k]
    return out, total


async def names(group: str, keys: list[Any]) -> dict[Any, str]:
    """Display names of group keys: agency names (one query), procedure and domain names (catalogue)."""
    from core.catalogue.registry import get_catalogue

    if group == "agency":
        if not keys:
            return {}
        marks = ", ".join("{}" for _ in keys)
        return {
            r["id"]: r["name"] for r in await raw(f"SELECT id, name FROM agency WHERE id IN ({marks})", *keys)
        }
    cat = get_catalogue()
    if group == "procedure":
        return {k: (cat.procedures[k].name.vi if k in cat.procedures else k) for k in keys}
    return {k: (cat.domains[k].name.vi if k in cat.domains else k) for k in keys}


async def series(scope: Scope, sel: Selection) -> list[dict[str, Any]]:
    """Received and resolved (early / on time / late) per day, or per month for a period longer than
    62 days (one query over the counters)."""
    cond, args = _where(scope, sel, agency_col="agency")
    data: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("received", *RESOLVED), 0))
    monthly = (sel.end - sel.start).days > 62
    for r in await raw(
        "SELECT day, metric, SUM(value) AS n FROM stat_counter WHERE day >= {} AND day <= {}"
        " AND metric IN ('received', 'resolved_early', 'resolved_on_time', 'resolved_late')"
        + cond
        + " GROUP BY day, metric",
        day_param(sel.start),
        day_param(sel.end),
        *args,
    ):
        day = r["day"] if isinstance(r["day"], date) else date.fromisoformat(str(r["day"]))
        key = f"{day:%Y-%m}" if monthly else day.isoformat()
        data[key][r["metric"]] += int(r["n"] or 0)
    keys: list[str] = []
    d = sel.start
    while d <= sel.end:
        k = f"{d:%Y-%m}" if monthly else d.isoformat()
        if not keys or keys[-1] != k:
            keys.append(k)
        d += timedelta(days=1)
    out = []
    for k in keys:
        label = f"{k[5:7]}/{k[:4]}" if monthly else f"{k[8:10]}/{k[5:7]}"
        out.append({"key": k, "label": label, **data.get(k, dict.fromkeys(("received", *RESOLVED), 0))})
    return out


async def _complaints(scope: Scope, sel: Selection) -> tuple[int, int]:
    """Complaints and suggestions whose answer fell due in the period (up to today), and those of
    them answered by their due day (one query over the complaints due in the period)."""
    from core.contract.vntime import vn_today

    last = min(sel.end, vn_today())
    if last < sel.start:
        return 0, 0
    cond, args = "", list[Any]()
    if not scope.province:
        cond += f" AND agency_id IN ({', '.join('{}' for _ in scope.agencies)})"
        args += list(scope.agencies)
    if sel.agency is not None:
        cond += " AND agency_id = {}"
        args.append(sel.agency)
    due, on_time = 0, 0
    for r in await raw(
        "SELECT due_on, answered_at FROM complaint WHERE due_on >= {} AND due_on <= {}" + cond,
        day_param(sel.start),
        day_param(last),
        *args,
    ):
        due += 1
        answered = r["answered_at"]
        if answered is not None:
            day = r["due_on"] if isinstance(r["due_on"], date) else date.fromisoformat(str(r["due_on"])[:10])
            if isinstance(answered, str):
                answered = datetime.fromisoformat(answered)
            if as_utc(answered).astimezone(VN_TZ).date() <= day:
                on_time += 1
    return due, on_time


async def indicator_env(scope: Scope, sel: Selection, total: Row) -> dict[str, float]:
    """The variables of the Decision 766 formulas for the selection (2 queries beyond ``figures``)."""
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    cond, args = "", []
    if not scope.province:
        cond += f" AND agency IN ({', '.join('{}' for _ in scope.agencies)})"
        args += list(scope.agencies)
    if sel.agency is not None:
        cond += " AND agency = {}"
        args.append(sel.agency)
    enabled = {
        r["procedure_code"]
        for r in await raw(
            "SELECT DISTINCT procedure_code FROM procedure_activation WHERE enabled = {}" + cond,
            True,
            *args,
        )
        if r["procedure_code"] in cat.procedures
    }
    if sel.domain:
        enabled = {c for c in enabled if cat.procedures[c].domain == sel.domain}
    if sel.procedure:
        enabled &= {sel.procedure}
    online = {c for c in enabled if cat.procedures[c].online_level == "toan_trinh"}
    ccond, cargs = _where(scope, sel, agency_col="agency")
    used = {
        r["procedure_code"]
        for r in await raw(
            "SELECT DISTINCT procedure_code FROM stat_counter WHERE metric = 'received' AND channel = 'truc_tuyen'"
            " AND day >= {} AND day <= {}" + ccond,
            day_param(sel.start),
            day_param(sel.end),
            *cargs,
        )
    }
    due, on_time = await _complaints(scope, sel)
    env = {k: float(total.n[k]) for k in FIGURE_KEYS}
    env.update(
        complaints_due=float(due),
        complaints_answered_on_time=float(on_time),
        procedures=float(len(enabled)),
        procedures_online=float(len(online)),
        procedures_online_used=float(len(online & used)),
    )
    return env
