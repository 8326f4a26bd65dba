"""The transition runner: one write transaction per state change, with every check and record.

``run_transition(dossier, action, apply, …)`` locks and loads the dossier, then checks, in this
order: the read rule (a caller who may not read the dossier gets the same ``NotFound`` as for one
that does not exist, whatever else they sent), the table and the actor (``NotAllowed``), the version
(``StaleVersion``, listing what changed: only ever shown to someone allowed to act), and the reason;
it lets ``apply(ctx)`` decide the target and the changes, then writes the dossier, the event and the
audit entry, and calls the ``after_transition`` hook in the same transaction: core's own default
plugins queue the event's dispatch (``core.jobs``), store the fee quote and guard the fees
(``core.fees``) and request the legal forms and result documents (``core.documents``). The lifecycle
calls none of them itself; a hook that raises rolls the whole transition back.

Creating a dossier is a transition like the others (``dossier_id=None``, action ``create``): nothing
to lock or to check a version against; ``apply`` fills the new row's columns.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, NoReturn, overload

from core.audit import chain as audit
from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotAllowed, NotFound, StaleVersion
from core.contract.specs import ProcedureSpec, WorkflowSpec
from core.contract.views import AgencyBrief, DossierView, EventView, StepView, TransitionView, load_json
from core.db.tx import is_postgres, write_tx
from core.dossiers import access, states, timing
from core.dossiers.routing import step_spec
from core.dossiers.states import ACTION_LABELS, STATE_LABELS, State, Transition
from core.dossiers.tables import Dossier, DossierEvent, DossierStep
from core.identity.tables import Agency, User
from core.text.i18n import gettext as _

__all__ = (
    "Actor",
    "Ctx",
    "Outcome",
    "utcnow",
    "run_transition",
    "resolve_id",
    "load_view",
    "event_views",
    "agency_row",
    "describe_event",
)

log = logging.getLogger("motcua.dossiers")

Actor = Any
"""``core.identity.current.UserView`` (``has_role(role, agency_id)``, ``id``), or None for the system."""


def utcnow() -> datetime:
    """The current time (UTC); tests replace it to move the clock."""
    return datetime.now(UTC)


@dataclass
class Ctx:
    """What an action's ``apply`` sees and fills in."""

    row: dict[str, Any]
    """The dossier row before the change (JSON loaded)."""
    action: str
    tr: Transition
    actor: Actor
    now: datetime
    note: str
    params: dict[str, Any]
    proc: ProcedureSpec
    wf: WorkflowSpec
    step_row: dict[str, Any] | None = None
    """The step acted on (step actions)."""
    agency_id: int | None = None
    """The agency on whose behalf the actor acts (event agency, audit chain)."""
    by: str = ""
    """Which ``who`` entry authorised the actor."""
    to: State | None = None
    updates: dict[str, Any] = field(default_factory=dict)
    """Dossier columns to change (names → values)."""
    event_data: dict[str, Any] = field(default_factory=dict)
    forms: list[str | tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Legal forms to request (``form01`` … ``form05``, optionally with printed data) once the event exists."""
    results: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    """Result documents issued: ``(result id, printed data, template)``; PDFs requested after the event."""
    event_id: int | None = None
    step_code: str | None = None
    """The route step the event names (set when the event is written)."""
    event_agency: int | None = None
    """The event's agency (set when the event is written)."""
    audit_data: dict[str, Any] | None = None
    """The audit entry's data (with ``event_id``) instead of the usual from/to/step summary."""
    agencies: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Agency rows read during this transition (``await c.agency(id)``): each is read once."""

    @property
    def dossier_id(self) -> int:
        return self.row["id"]

    async def agency(self, agency_id: int) -> dict[str, Any]:
        """The agency's row, read at most once per transition."""
        row = self.agencies.get(agency_id)
        if row is None:
            row = self.agencies[agency_id] = await agency_row(agency_id)
        return row

    @property
    def step(self) -> dict[str, Any]:
        """The acted-on step row, for the step actions (their transitions always name one)."""
        if self.step_row is None:
            raise RuntimeError(f"action {self.action!r} has no step")
        return self.step_row

    @property
    def target(self) -> State:
        """The state the action moves to, once ``apply`` has chosen it."""
        if self.to is None:
            raise RuntimeError(f"action {self.action!r} chose no state")
        return self.to


def _where(ref: int | str):
    """The condition that finds dossier ``ref`` (its id, or its code: drafts have no code yet);
    ``NotFound`` for what can be no dossier."""
    if isinstance(ref, int):
        return Dossier.id == ref
    text = str(ref).strip()
    if text.isascii() and text.isdigit():
        if len(text) > 15:  # beyond any id: never hand SQLite an integer it cannot bind
            raise access.not_found(ref)
        return Dossier.id == int(text)
    if not text:
        raise access.not_found(ref)
    return Dossier.code == text


async def resolve_id(dossier_id_or_code: int | str) -> int:
    """The id of a dossier given its id or its code; ``NotFound`` otherwise."""
    if isinstance(dossier_id_or_code, int):
        return dossier_id_or_code
    where = _where(dossier_id_or_code)
    if isinstance(where.value, int):  # an id: nothing to look up
        return where.value
    row = await Dossier.select(Dossier.id).where(where).first()
    if row is None:
        raise access.not_found(dossier_id_or_code)
    return row["id"]


async def agency_row(agency_id: int) -> dict[str, Any]:
    row = await Agency.select().where(Agency.id == agency_id).first().output(load_json=True)
    if row is None:
        raise NotFound(f"Không có cơ quan mã số {agency_id}.")
    return row


async def _load_locked(ref: int | str) -> dict[str, Any]:
    """The dossier's row (JSON loaded), locked until the transaction ends (PostgreSQL; on SQLite the
    write transaction holds the database): one query."""
    query = Dossier.select().where(_where(ref))
    if is_postgres():
        query = query.lock_rows()
    row = await query.first().output(load_json=True)
    if row is None:
        raise access.not_found(ref)
    row["data"] = load_json(row["data"]) or {}
    return row


def describe_event(e: EventView) -> str:
    """One line for the 409 page: ``#5 14:02 23/11/2026 — Nguyễn Văn A: Complete step (note)``."""
    from core.text.templating import format_datetime

    label = _(ACTION_LABELS.get(e.action, e.action))
    who = e.actor_name or _("System")
    where = f" ({e.agency_name})" if e.agency_name else ""
    text = f"#{e.seq} {format_datetime(e.at)} — {who}{where}: {label}"
    if e.from_state != e.to_state:
        text += f" → {_(STATE_LABELS.get(e.to_state, e.to_state))}"
    if e.note:
        text += f". {e.note}"
    return text


def _stale(row: dict, version: int | None) -> bool:
    return version is not None and version != row["version"]


async def _check_version(row: dict, version: int | None) -> None:
    """``StaleVersion`` with the events since ``version``; call it only once the actor is known to be
    allowed to act on the dossier (the events name staff and carry their notes)."""
    if version is None or not _stale(row, version):
        return
    since = max(0, min(int(version), row["version"]))
    changes = [describe_event(e) for e in await event_views(row["id"], since_seq=since)]
    state = _(STATE_LABELS.get(row["state"], row["state"]))
    raise StaleVersion(
        f"Hồ sơ {row['code'] or row['id']} đã được cập nhật (phiên bản {row['version']}) sau khi bạn mở "
        f"(phiên bản {version}); thao tác của bạn chưa được thực hiện. Trạng thái hiện tại của hồ sơ: "
        f"“{state}”. Xem các thay đổi và thử lại.",
        changes=changes,
    )


def _deny(row: dict, action: str) -> NotAllowed:
    return NotAllowed(
        f'Không thể thực hiện "{_(ACTION_LABELS.get(action, action))}" khi hồ sơ đang ở trạng thái '
        f'"{_(STATE_LABELS.get(row["state"], row["state"]))}".'
    )


async def _active_steps(dossier_id: int) -> list[dict]:
    return (
        await DossierStep.select()
        .where((DossierStep.dossier == dossier_id) & (DossierStep.status == "active"))
        .order_by(DossierStep.id)
    )


async def _pick_step(c: Ctx, step_id: int | None) -> dict | None:
    """The step row the actor acts on: the given one (must be active), or their only active one."""
    if step_id is not None:
        try:
            sid = int(step_id)
        except (TypeError, ValueError):
            raise InvalidInput(
                "Bước xử lý không hợp lệ.", [("step_id", "Mã bước xử lý phải là số.")]
            ) from None
        if not 0 < sid < 2**53:
            raise NotFound(f"Hồ sơ không có bước xử lý số {sid}.")
        row = (
            await DossierStep.select()
            .where((DossierStep.id == sid) & (DossierStep.dossier == c.dossier_id))
            .first()
        )
        if row is None:
            raise NotFound(f"Hồ sơ không có bước xử lý số {sid}.")
        if row["status"] != "active":
            raise NotAllowed(
                "Bước này không còn ở trạng thái đang xử lý (đã xong, chưa tới lượt hoặc đã bị trả lại)."
            )
        return row
    if c.actor is None:
        return None
    mine = [s for s in await _active_steps(c.dossier_id) if c.actor.has_role(s["role"], s["agency"])]
    if len(mine) > 1:
        raise InvalidInput(
            "Chọn bước xử lý.", [("step_id", "Bạn đang giữ nhiều bước của hồ sơ này: chọn một bước.")]
        )
    return mine[0] if mine else None


async def _authorise(c: Ctx, step_id: int | None) -> None:
    """Find the ``who`` entry that lets the actor act; fills ``agency_id``, ``by`` and ``step_row``."""
    row, actor = c.row, c.actor
    if actor is None:
        if "system" in c.tr.who:
            c.by = "system"
            return
        raise NotAllowed("Cần đăng nhập để thực hiện thao tác này.")
    for who in c.tr.who:
        if who == "applicant" and row["applicant"] is not None and row["applicant"] == actor.id:
            c.by = "applicant"
            return
        if who == "step":
            step = await _pick_step(c, step_id)
            if step is not None and actor.has_role(step["role"], step["agency"]):
                c.step_row, c.agency_id, c.by = step, step["agency"], "step"
                return
            if step_id is not None and step is not None and len(c.tr.who) == 1:
                raise NotAllowed(
                    "Bạn không có vai trò được giao cho bước này tại cơ quan đang giữ bước (cần vai trò "
                    f"'{step['role']}')."
                )
        elif "@" in who:
            role, where = who.split("@", 1)
            if where == "receiving":
                candidates = [row["receiving_agency"]]
            elif where == "desk":
                # a draft entered at the counter or from the post (no citizen account owns it); a
                # citizen's online draft is theirs until they submit it
                candidates = [row["receiving_agency"]] if row["applicant"] is None else []
                if row["applicant"] is not None and actor.has_role(role, row["receiving_agency"]):
                    raise NotAllowed(
                        "Hồ sơ trực tuyến này người nộp chưa nộp (vẫn là bản nháp của họ): bộ phận tiếp "
                        'nhận chỉ tiếp nhận, từ chối hoặc yêu cầu bổ sung sau khi người nộp bấm "Nộp hồ sơ".'
                    )
            elif where == "step":
                candidates = [s["agency"] for s in await _active_steps(c.dossier_id)]
            elif where == "late":
                # The unit whose step overran (R23), or any unit holding the work now; before any
                # lateness is recorded, the receiving agency may also announce the delay.
                candidates = [row["late_agency"]] if row["late_agency"] else [row["receiving_agency"]]
                candidates += [s["agency"] for s in await _active_steps(c.dossier_id)]
            else:
                candidates = []
            for agency_id in candidates:
                if agency_id is not None and actor.has_role(role, agency_id):
                    c.agency_id, c.by = agency_id, who
                    return
    raise NotAllowed(_who_message(c.tr.who))


async def _check_readable(row: dict, actor: Actor, ref: int | str) -> None:
    """The read rule before anything else: someone who may not read the dossier learns nothing of it."""
    if actor is None:
        return  # the system's own jobs (clock scan); people always act signed in
    if row["applicant"] is not None and row["applicant"] == actor.id:
        return
    agencies = await access.staff_agencies(row["id"], row["receiving_agency"])
    if not access.may_see(actor, row["applicant"], agencies):
        raise access.not_found(ref)


async def _may_take(actor: Actor, action: str, row: dict) -> bool:
    """Whether ``actor`` is, by role, among those who may take ``action`` on this dossier in some
    state (any ``who`` of its table rows, at this dossier's agencies). Such a caller whose version is
    stale is told what changed rather than that the state or the step no longer allows it."""
    if actor is None:
        return False
    whos = {w for t in states.TRANSITIONS if t.action == action for w in t.who}
    if not whos:
        return False
    steps = await DossierStep.select(DossierStep.agency, DossierStep.role).where(
        DossierStep.dossier == row["id"]
    )
    agencies = {row["receiving_agency"], row["late_agency"], *(s["agency"] for s in steps)} - {None}
    for who in whos:
        if who == "applicant" and row["applicant"] is not None and row["applicant"] == actor.id:
            return True
        if who == "step" and any(actor.has_role(s["role"], s["agency"]) for s in steps):
            return True
        if "@" in who:
            role, where = who.split("@", 1)
            places = [row["receiving_agency"]] if where in ("receiving", "desk") else agencies
            if any(actor.has_role(role, a) for a in places):
                return True
    return False


def _who_message(who: tuple[str, ...]) -> str:
    parts = []
    for w in who:
        if w == "applicant":
            parts.append("người nộp hồ sơ")
        elif w == "step":
            parts.append("cán bộ được giao bước xử lý đang thực hiện, tại cơ quan giữ bước đó")
        elif "@" in w:
            role, where = w.split("@", 1)
            place = {
                "receiving": "cơ quan tiếp nhận hồ sơ",
                "step": "cơ quan đang giữ hồ sơ",
                "late": "cơ quan có bước xử lý bị quá hạn",
                "desk": "cơ quan tiếp nhận, với hồ sơ do chính bộ phận một cửa lập",
            }.get(where, where)
            parts.append(f"vai trò '{role}' tại {place}")
    return "Bạn không có quyền thực hiện thao tác này với hồ sơ. Chỉ: " + "; ".join(parts) + "."


async def _procedure(row: dict) -> tuple[ProcedureSpec, WorkflowSpec]:
    """The procedure and the route the dossier is bound to: the route of its procedure version once
    received (a later release that renames, adds or drops steps never strands a dossier mid-route),
    the declared one before."""
    cat = get_catalogue()
    proc = cat.procedure(row["procedure_code"])
    if proc is None:
        raise NotFound(
            f"Thủ tục {row['procedure_code']} của hồ sơ không còn trong danh mục (plugin đã bị gỡ)."
        )
    wf = cat.workflows[proc.workflow]
    if row.get("procedure_version"):
        wf = await bound_workflow(row["procedure_version"], wf)
    return proc, wf


async def bound_workflow(version_id: int, declared: WorkflowSpec) -> WorkflowSpec:
    """The route stored in procedure version ``version_id`` (``declared`` when it holds none)."""
    from core.catalogue.snapshot import get_snapshot

    return (await get_snapshot(version_id)).route(declared)


ApplyFn = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a transition left the dossier (what a page needs to redirect to it)."""

    id: int
    code: str | None
    state: str
    version: int


@overload
async def run_transition(
    dossier_id: int | str | None,
    action: str,
    apply: ApplyFn,
    *,
    actor: Actor,
    version: int | None,
    step_id: int | None = None,
    note: str = "",
    params: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    agencies: dict[int, dict[str, Any]] | None = None,
    reload: Literal[True] = True,
) -> DossierView: ...


@overload
async def run_transition(
    dossier_id: int | str | None,
    action: str,
    apply: ApplyFn,
    *,
    actor: Actor,
    version: int | None,
    step_id: int | None = None,
    note: str = "",
    params: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    agencies: dict[int, dict[str, Any]] | None = None,
    reload: Literal[False],
) -> Outcome: ...


async def run_transition(
    dossier_id: int | str | None,
    action: str,
    apply: ApplyFn,
    *,
    actor: Actor,
    version: int | None,
    step_id: int | None = None,
    note: str = "",
    params: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    agencies: dict[int, dict[str, Any]] | None = None,
    reload: bool = True,
) -> DossierView | Outcome:
    """Run one transition in one write transaction (see the module docstring); returns the dossier's
    view after it, or with ``reload=False`` only its ``Outcome`` (no query after the commit).

    ``dossier_id=None`` creates a dossier (action ``create``): ``new`` holds the new row's columns
    known before ``apply`` (``procedure_code``, ``receiving_agency``, ``applicant`` …). ``agencies``
    are agency rows the caller already read (``{id: row}``), so the transition does not read them again.
    """
    note = (note or "").strip()
    async with write_tx():
        if dossier_id is None:
            row = {
                "id": None,
                "state": "",
                "version": 0,
                "code": None,
                "procedure_version": None,
                "applicant": None,
                "late": False,
                "late_agency": None,
                **(new or {}),
            }
            tr = states.IMPORT_NATIONAL if action == "import_national" else states.CREATE
        else:
            row = await _load_locked(dossier_id)
            await _check_readable(row, actor, dossier_id)
            found = states.transition(row["state"], action)
            if found is None:
                await _refuse(row, actor, action, version, _deny(row, action))
            tr = found
        proc, wf = await _procedure(row)
        c = Ctx(
            row=row,
            action=action,
            tr=tr,
            actor=actor,
            now=utcnow(),
            note=note,
            params=dict(params or {}),
            proc=proc,
            wf=wf,
            agencies=dict(agencies or {}),
        )
        try:
            await _authorise(c, step_id)
        except NotAllowed as denied:
            if dossier_id is None:
                raise
            await _refuse(row, actor, action, version, denied)
        await _check_version(row, version)
        if tr.reason_required and not note:
            raise InvalidInput(
                "Cần ghi rõ lý do.",
                [("note", "Nhập lý do (nội dung sẽ được ghi vào phiếu gửi người nộp hồ sơ).")],
            )
        await apply(c)
        if c.to is None or c.to not in tr.to:
            raise RuntimeError(f"action {action} chose {c.to!r}, not one of {tr.to}")
        await _persist(c)
        await _after_transition(c)
    if not reload:
        return Outcome(
            c.dossier_id, c.updates.get("code") or c.row["code"], c.target.value, c.row["version"] + 1
        )
    return await load_view(c.dossier_id)


async def _refuse(row: dict, actor: Actor, action: str, version: int | None, denied: NotAllowed) -> NoReturn:
    """Raise why the actor (who may read the dossier) cannot act now. Someone whose role lets them take
    this action on this dossier gets the version conflict with what changed since, when their page is
    out of date, else ``denied``; someone with no such role is told who may (never the change list)."""
    if await _may_take(actor, action, row):
        await _check_version(row, version)
        raise denied
    whos = tuple(dict.fromkeys(w for t in states.TRANSITIONS if t.action == action for w in t.who))
    if actor is None or not whos or whos == ("system",):
        raise denied
    raise NotAllowed(_who_message(whos))


async def _persist(c: Ctx) -> None:
    """Write the dossier (inserted by ``create``, else updated under its version), its event and the
    audit entry in the agency's chain."""
    row = c.row
    new_version = row["version"] + 1
    values = {"state": c.target.value, "version": new_version, "updated_at": c.now, **c.updates}
    if row["id"] is None:
        fields = {k: v for k, v in row.items() if k != "id"} | values
        inserted = await Dossier.insert(Dossier(created_at=c.now, **fields)).returning(Dossier.id)
        row["id"] = inserted[0]["id"]
    else:
        changed = (
            await Dossier.update({getattr(Dossier, k): v for k, v in values.items()})
            .where((Dossier.id == row["id"]) & (Dossier.version == row["version"]))
            .returning(Dossier.id)
        )
        if not changed:  # cannot happen under the lock; guards a missing lock
            raise StaleVersion("Hồ sơ vừa được người khác cập nhật; thao tác của bạn chưa được thực hiện.")
    step_code = c.step_row["step_id"] if c.step_row else c.event_data.pop("_step_code", None)
    event_agency = c.agency_id if c.agency_id is not None else c.event_data.pop("_agency", None)
    c.event_data.pop("_agency", None)
    c.step_code, c.event_agency = step_code, event_agency
    inserted = await DossierEvent.insert(
        DossierEvent(
            dossier=row["id"],
            seq=new_version,
            action=c.action,
            from_state=row["state"],
            to_state=c.target.value,
            actor=c.actor.id if c.actor is not None else None,
            agency=event_agency,
            step_id=step_code,
            note=c.note,
            data=_jsonable(c.event_data),
            at=c.now,
        )
    ).returning(DossierEvent.id)
    c.event_id = inserted[0]["id"]
    chain_agency = event_agency or row["receiving_agency"]
    code = (await c.agency(chain_agency))["code"]
    if c.audit_data is not None:
        data = {"event_id": c.event_id, **c.audit_data}
    else:
        data = {
            "event_id": c.event_id,
            "seq": new_version,
            "from": row["state"],
            "to": c.target.value,
            "step": step_code,
        }
    await audit.append(
        f"dossier.{c.action}",
        chain=f"agency:{code}",
        actor_id=c.actor.id if c.actor is not None else None,
        object_type="dossier",
        object_id=c.updates.get("code") or row["code"] or row["id"],
        data=data,
    )


def _transition_view(c: Ctx) -> TransitionView:
    forms = tuple(
        (f, None) if isinstance(f, str) else (f[0], _jsonable(f[1]) if f[1] else None) for f in c.forms
    )
    if c.event_id is None:
        raise RuntimeError("the transition's view is built after its event is written")
    return TransitionView(
        dossier_id=c.dossier_id,
        action=c.action,
        from_state=c.row["state"],
        to_state=c.target.value,
        event_id=c.event_id,
        seq=c.row["version"] + 1,
        at=c.now,
        actor=c.actor,
        agency_id=c.event_agency,
        step=c.step_code,
        note=c.note,
        params=c.params,
        event_data=c.event_data,
        dossier={
            **c.row,
            "state": c.target.value,
            "version": c.row["version"] + 1,
            "updated_at": c.now,
            **c.updates,
        },
        procedure=c.proc,
        forms=forms,
        results=tuple((rid, _jsonable(ctx), template) for rid, ctx, template in c.results),
        load_agency=c.agency,
    )


async def _after_transition(c: Ctx) -> None:
    """Call ``after_transition`` in this transaction, each implementation awaited in the hook's
    order; keys they return are added to the event's data. The first to raise stops the others
    and rolls the transition back."""
    from core.plugins import get_plugin_manager

    pending = list(get_plugin_manager().hook.after_transition(transition=_transition_view(c)))
    added: dict[str, Any] = {}
    try:
        while pending:
            got = pending.pop(0)
            if inspect.isawaitable(got):
                got = await got
            if got:
                added.update(got)
    finally:
        for left in pending:  # never awaited: close them so Python does not warn
            if inspect.iscoroutine(left):
                left.close()
    if added:
        c.event_data.update(added)
        await DossierEvent.update({DossierEvent.data: _jsonable(c.event_data)}).where(
            DossierEvent.id == c.event_id
        )


def _jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO strings, tuples as lists, so JSON columns accept the data."""
    from datetime import date

    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return _jsonable(asdict(value))
    return value


# --- reading --------------------------------------------------------------------------------------


async def load_view(dossier: int | str, *, now: datetime | None = None) -> DossierView:
    """The dossier (by id, or by code) with its steps: two queries whatever the route's length (the
    calendar and the bound route are cached)."""
    row = (
        await Dossier.select(
            *Dossier.all_columns(),
            Dossier.receiving_agency.code.as_alias("ra_code"),
            Dossier.receiving_agency.name.as_alias("ra_name"),
            Dossier.receiving_agency.work_sessions.as_alias("ra_sessions"),
        )
        .where(_where(dossier))
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise access.not_found(dossier)
    dossier_id = row["id"]
    steps = (
        await DossierStep.select(
            *DossierStep.all_columns(),
            DossierStep.agency.code.as_alias("ag_code"),
            DossierStep.agency.name.as_alias("ag_name"),
            DossierStep.agency.work_sessions.as_alias("ag_sessions"),
        )
        .where(DossierStep.dossier == dossier_id)
        .order_by(DossierStep.stage)
        .order_by(DossierStep.id)
    )
    wf = None
    if row["procedure_version"]:  # the bound route names the steps and says what may be done at them
        proc = get_catalogue().procedure(row["procedure_code"])
        declared = get_catalogue().workflows.get(proc.workflow) if proc else None
        if declared is not None:
            wf = await bound_workflow(row["procedure_version"], declared)
    return build_view(row, steps, now=now or utcnow(), cal=await timing.calendar(), wf=wf)


def build_view(
    row: dict, steps: list[dict], *, now: datetime, cal: Any = None, wf: WorkflowSpec | None = None
) -> DossierView:
    """A view from a dossier row and its step rows (joined agency code/name/sessions); ``cal`` (the
    working calendar) gives the colours; ``wf`` the dossier's bound route (default: the declared one)."""
    cat = get_catalogue()
    proc = cat.procedure(row["procedure_code"])
    if wf is None:
        wf = cat.workflows.get(proc.workflow) if proc else None
    step_views = []
    for s in steps:
        spec = step_spec(wf, s["step_id"]) if wf else None
        step_views.append(
            StepView(
                id=s["id"],
                stage=s["stage"],
                step_id=s["step_id"],
                name=spec.name.vi if spec else s["step_id"],
                name_en=(spec.name.en or spec.name.vi) if spec else s["step_id"],
                agency=AgencyBrief(s["agency"], s["ag_code"], s["ag_name"]),
                role=s["role"],
                status=s["status"],
                budget_minutes=s["budget_minutes"],
                started_at=s["started_at"],
                due_at=s["due_at"],
                finished_at=s["finished_at"],
                outcome=s["outcome"],
                suspends_for=spec.suspends_for if spec else None,
                outcomes=tuple(spec.outcomes) if spec else (),
                results=tuple(spec.results) if spec else (),
                colour=timing.colour(cal, s.get("ag_sessions"), now, s["due_at"])
                if s["status"] == "active"
                else None,
            )
        )
    due = row["extended_due_at"] or row["due_at"]
    open_ = row["state"] in {s.value for s in states.OPEN_STATES}
    colour = None
    if open_ and due is not None:
        colour = "red" if row["late"] else timing.colour(cal, row.get("ra_sessions"), now, due)
    return DossierView(
        id=row["id"],
        code=row["code"],
        procedure_code=row["procedure_code"],
        domain=row["domain"],
        procedure_version_id=row["procedure_version"],
        state=row["state"],
        version=row["version"],
        receiving_agency=AgencyBrief(row["receiving_agency"], row["ra_code"], row["ra_name"]),
        applicant_id=row["applicant"],
        applicant_name=row["applicant_name"],
        applicant_id_number=row["applicant_id_number"],
        applicant_phone=row["applicant_phone"],
        applicant_email=row["applicant_email"],
        applicant_address=row["applicant_address"],
        lookup_key=row.get("lookup_key") or "",
        data=load_json(row["data"]) or {},
        channel=row["channel"],
        result_channel=row["result_channel"],
        submitted_at=row["submitted_at"],
        received_at=row["received_at"],
        clock_start_at=row["clock_start_at"],
        due_at=row["due_at"],
        appointment1_at=row["appointment1_at"],
        extended_due_at=row["extended_due_at"],
        finished_at=row["finished_at"],
        returned_at=row["returned_at"],
        late=bool(row["late"]),
        late_agency_id=row["late_agency"],
        late_step=row["late_step"],
        parent_dossier_id=row["parent_dossier"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        steps=tuple(step_views),
        colour=colour,
    )


async def event_views(dossier_id: int, *, since_seq: int = 0) -> list[EventView]:
    """Events in order, with actor and agency names (one query)."""
    rows = (
        await DossierEvent.select(
            *DossierEvent.all_columns(),
            DossierEvent.actor.full_name.as_alias("actor_name"),
            DossierEvent.agency.name.as_alias("agency_name"),
        )
        .where((DossierEvent.dossier == dossier_id) & (DossierEvent.seq > since_seq))
        .order_by(DossierEvent.seq)
        .output(load_json=True)
    )
    return [
        EventView(
            id=r["id"],
            dossier_id=r["dossier"],
            seq=r["seq"],
            action=r["action"],
            from_state=r["from_state"],
            to_state=r["to_state"],
            actor_id=r["actor"],
            actor_name=r["actor_name"] or "",
            agency_id=r["agency"],
            agency_name=r["agency_name"] or "",
            step_id=r["step_id"],
            note=r["note"],
            data=load_json(r["data"]) or {},
            at=r["at"],
        )
        for r in rows
    ]


__joined__ = (User,)  # DossierEvent.actor joins the user table
