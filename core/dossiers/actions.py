"""What each action does to a dossier, inside ``engine.run_transition``'s transaction.

Each ``apply(c)`` receives the checked context (table, version, reason and actor already verified),
changes the step rows and suspensions it owns, and fills ``c.to``, ``c.updates``, ``c.event_data``,
``c.forms`` and ``c.results``; the runner writes the dossier, the event and the audit entry, then the
``after_transition`` hook's implementations react (outbox, fees, legal forms and result documents).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotAllowed
from core.contract.specs import AgencyRef, StepSpec
from core.contract.views import load_json
from core.dossiers import routing, timing
from core.dossiers.engine import Ctx, agency_row, load_view
from core.dossiers.states import BEFORE_DECISION, State
from core.dossiers.tables import DossierEvent, DossierStep, Suspension
from core.forms import validators as fv
from core.identity.cccd import normalise_cccd, validate_cccd
from core.plugins import await_me_maybe

__all__ = (
    "request_supplement",
    "resubmit",
    "refuse_intake",
    "complete_step",
    "approve",
    "reject",
    "return_step",
    "mark_result_ready",
    "return_result",
    "stop",
    "request_stop",
    "refuse_stop",
    "suspend",
    "resume",
    "apologise",
    "close_unanswered",
    "flag_late",
    "SUSPEND_REASONS",
    "RECEIVER_RELATIONS",
    "parse_input",
)

ONLINE_SUPPLEMENT_MINUTES = 8 * 60
"""R9: a request to supplement an online dossier reaches the applicant within 8 working hours of the
portal's receipt; a later one needs its reason recorded."""
SUSPEND_REASONS = ("appraisal", "violation", "tax_payment", "public_posting", "other")
"""Legal reasons a clock may stand still for (R17), besides supplements."""
RECEIVER_RELATIONS = ("holder", "authorised", "representative")
"""Who collects the result (R29): the holder, a person authorised under civil law, or an
organisation's representative with an introduction letter."""


# --- input: what the actor typed, checked before anything is read or written ----------------------

_RECEIVER_FIELDS = {
    "name": ("Họ và tên người nhận kết quả", fv.NAME_MAX, False),
    "id_number": ("Số định danh cá nhân của người nhận", fv.IDENTIFIER_MAX, False),
    "relation": ("Quan hệ của người nhận", fv.IDENTIFIER_MAX, False),
    "document": ("Giấy ủy quyền hoặc giấy giới thiệu", fv.SHORT_TEXT_MAX, False),
    "tracking": ("Số hiệu bưu gửi", fv.IDENTIFIER_MAX, False),
    "document_checked": ("Đã kiểm tra giấy tờ của người nhận", fv.IDENTIFIER_MAX, False),
}
"""``receiver`` keys of ``return_result``: (label, limit, multi-line); other keys are dropped."""
_PARAM_FIELDS = {
    "override_reason": ("Lý do yêu cầu bổ sung lần nữa", fv.LONG_TEXT_MAX, True),
    "late_reason": ("Lý do yêu cầu bổ sung sau 8 giờ làm việc", fv.LONG_TEXT_MAX, True),
    "channel": ("Hình thức trả kết quả", fv.IDENTIFIER_MAX, False),
    "reason_code": ("Lý do tạm dừng", fv.IDENTIFIER_MAX, False),
    "new_due": ("Ngày hẹn mới", fv.IDENTIFIER_MAX, False),
}
"""Known one-value parameters: (label, limit, multi-line); any other text is held to ``LONG_TEXT_MAX``."""


def _clean(value: Any, field: str, label: str, limit: int, multiline: bool, errors: list) -> Any:
    if isinstance(value, datetime | date) or value is None or isinstance(value, bool | int | float):
        return value
    text, problem = fv.clean_free_text(value, label, limit, multiline=multiline)
    if problem:
        errors.append((field, problem))
    return text


def _clean_any(value: Any, field: str, errors: list, depth: int = 0) -> Any:
    """A parameter nobody declared (a result document's step inputs): text, lists and objects of
    text, each string held to ``LONG_TEXT_MAX`` without control characters."""
    if isinstance(value, dict | list | tuple) and (depth > 3 or len(value) > fv.LIST_ITEMS_MAX):
        errors.append((field, f"Giá trị “{field}” quá lớn hoặc lồng quá nhiều cấp."))
        return None
    if isinstance(value, dict):
        return {
            str(k)[: fv.IDENTIFIER_MAX]: _clean_any(x, f"{field}.{k}", errors, depth + 1)
            for k, x in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean_any(x, field, errors, depth + 1) for x in value]
    return _clean(value, field, f"Giá trị “{field}”", fv.LONG_TEXT_MAX, True, errors)


def parse_input(note: Any, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The note and the action parameters as they may be stored, or ``InvalidInput`` naming each field
    that breaks the free-text limits (length, control characters; see ``core.forms.validators``).

    Runs before the dossier is locked: a megabyte of reason is refused, never written nor printed.
    """
    errors: list[tuple[str, str]] = []
    clean_note = _clean(
        note if note is not None else "", "note", "Lý do hoặc ghi chú", fv.LONG_TEXT_MAX, True, errors
    )
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key in _PARAM_FIELDS:
            out[key] = _clean(value, key, *_PARAM_FIELDS[key], errors)
        elif key == "items":
            lines = (
                value.splitlines() if isinstance(value, str) and len(value) <= 4 * fv.LONG_TEXT_MAX else value
            )
            if isinstance(lines, list | tuple) and len(lines) > fv.LIST_ITEMS_MAX:
                errors.append(("items", f"Chỉ liệt kê tối đa {fv.LIST_ITEMS_MAX} giấy tờ cần bổ sung."))
            elif isinstance(lines, list | tuple):
                out[key] = [
                    _clean(x, "items", "Mỗi giấy tờ cần bổ sung", fv.SHORT_TEXT_MAX, False, errors)
                    for x in lines
                ]
            else:
                out[key] = _clean(
                    lines, "items", "Danh sách giấy tờ cần bổ sung", fv.LONG_TEXT_MAX, True, errors
                )
        elif key == "receiver" and isinstance(value, dict):
            out[key] = {
                k: _clean(x, f"receiver.{k}", *_RECEIVER_FIELDS[k], errors)
                for k, x in value.items()
                if k in _RECEIVER_FIELDS
            }
        else:
            out[key] = _clean_any(value, key, errors)
    if errors:
        raise InvalidInput("Nội dung nhập chưa hợp lệ, vui lòng sửa các trường được đánh dấu.", errors)
    return clean_note, out


# --- helpers --------------------------------------------------------------------------------------


async def _last_event(dossier_id: int, action: str) -> dict | None:
    return (
        await DossierEvent.select()
        .where((DossierEvent.dossier == dossier_id) & (DossierEvent.action == action))
        .order_by(DossierEvent.seq, ascending=False)
        .first()
    )


async def _step_at(dossier_id: int, agency_id: int | None, outcome: str, wf) -> dict | None:
    """The active step at ``agency_id`` whose spec allows ``outcome`` (a leader acting on it)."""
    for s in (
        await DossierStep.select()
        .where(
            (DossierStep.dossier == dossier_id)
            & (DossierStep.status == "active")
            & (DossierStep.agency == agency_id)
        )
        .order_by(DossierStep.id)
    ):
        spec = routing.step_spec(wf, s["step_id"])
        if spec is not None and outcome in spec.outcomes:
            return s
    return None


async def _agency_ref(agency_id: int) -> AgencyRef:
    a = await agency_row(agency_id)
    return AgencyRef(a["id"], a["code"], a["name"], a["level"], a["kind"])


def _sessions(c: Ctx):
    loader = getattr(c, "_sessions", None)
    if loader is None:
        loader = timing.sessions_loader({})
        c._sessions = loader  # type: ignore[attr-defined]
    return loader


async def _close_suspensions(c: Ctx, *, step_id: str | None | bool = False, reason: str | None = None) -> int:
    """End open suspensions (``step_id=False``: all; ``None``: those not tied to a step; a string:
    that step's). Returns the working minutes they lasted (the longest), by which dues move."""
    q = (Suspension.dossier == c.dossier_id) & Suspension.ended_at.is_null()
    if step_id is None:
        q &= Suspension.step_id.is_null()
    elif step_id is not False:
        q &= Suspension.step_id == step_id
    if reason is not None:
        q &= Suspension.reason == reason
    rows = await Suspension.select().where(q)
    if not rows:
        return 0
    await Suspension.update({Suspension.ended_at: c.now}).where(Suspension.id.is_in([r["id"] for r in rows]))
    sessions = (await agency_row(c.row["receiving_agency"]))["work_sessions"]
    c._suspended_since = min(timing.as_utc(r["started_at"]) for r in rows)  # type: ignore[attr-defined]
    longest = 0
    for r in rows:
        longest = max(longest, await timing.working_minutes(r["started_at"], c.now, sessions))
    return longest


async def _shift_dues(c: Ctx, minutes: int) -> None:
    """Move the dossier's due (and the active steps' dues) by ``minutes`` of working time (pause)."""
    if minutes <= 0:
        return
    sessions = (await agency_row(c.row["receiving_agency"]))["work_sessions"]
    since = getattr(c, "_suspended_since", None)
    for col in ("due_at", "appointment1_at", "extended_due_at"):
        if c.row[col] is None or c.updates.get(col):
            continue
        if since is not None and timing.as_utc(c.row[col]) <= since:
            continue  # already behind us when the clock stopped
        if col == "appointment1_at" and await _appointment1_met(c):
            continue  # the stage closing appointment 1 is done: later pauses (tax payment) move only the return
        c.updates[col] = await timing.add(c.row[col], minutes, sessions)
    for s in await DossierStep.select().where(
        (DossierStep.dossier == c.dossier_id)
        & (DossierStep.status == "active")
        & DossierStep.due_at.is_not_null()
    ):
        new_due = await timing.add(s["due_at"], minutes, await _sessions(c)(s["agency"]))
        await DossierStep.update({DossierStep.due_at: new_due}).where(DossierStep.id == s["id"])
    c.event_data["clock_shift_minutes"] = minutes


async def _appointment1_met(c: Ctx) -> bool:
    """Whether the step that closes appointment 1 (R18: the information slip sent to tax) is done."""
    ids = [s.id for s in c.wf.steps() if s.appointment == 1]
    if not ids:
        return False
    return await DossierStep.exists().where(
        (DossierStep.dossier == c.dossier_id)
        & DossierStep.step_id.is_in(ids)
        & (DossierStep.status == "done")
    )


async def _end_open_steps(c: Ctx, status: str = "cancelled") -> None:
    await DossierStep.update({DossierStep.status: status, DossierStep.finished_at: c.now}).where(
        (DossierStep.dossier == c.dossier_id) & DossierStep.status.is_in(["active", "waiting"])
    )


def _step_spec(c: Ctx) -> StepSpec:
    spec = routing.step_spec(c.wf, c.step_row["step_id"]) if c.step_row else None
    if spec is None:
        raise NotAllowed("Thao tác này phải được thực hiện tại một bước xử lý đang giao cho bạn.")
    return spec


def _require_outcome(spec: StepSpec, outcome: str, what: str) -> None:
    if outcome not in spec.outcomes:
        raise NotAllowed(f'Bước "{spec.name.vi}" không cho phép {what}.')


async def _issue_results(c: Ctx, result_ids, spec: StepSpec | None) -> None:
    """Await each result document's ``issue(ctx)`` in this transaction; queue its PDF."""
    if not result_ids:
        return
    cat = get_catalogue()
    view = (await load_view(c.dossier_id)).as_dict()
    agency = await _agency_ref(c.agency_id or c.row["receiving_agency"])
    today = c.now.astimezone(timing.VN_TZ).date()
    for rid in result_ids:
        rs = cat.results.get(rid)
        if rs is None:
            from core.contract.errors import Unavailable

            raise Unavailable(
                f"Giấy tờ kết quả '{rid}' của thủ tục không còn được khai báo (plugin đã đổi phiên "
                "bản): báo quản trị hệ thống trước khi phê duyệt."
            )
        ctx = {
            "dossier": view,
            "step": spec,
            "actor": c.actor,
            "agency": agency,
            "today": today,
            "params": dict(c.params),
        }  # what the actor entered with the action (structured step input)
        printed = dict(await await_me_maybe(rs.issue(ctx))) if rs.issue is not None else {}
        c.results.append((rid, {"title": rs.name.vi, **printed}, rs.template))
        c.event_data.setdefault("results", []).append({"id": rid, "number": str(printed.get("number", ""))})


async def _finish_step(c: Ctx, spec: StepSpec) -> str:
    """Mark the acted-on step done with its outcome; attribute lateness; close its suspension."""
    step = c.step
    outcome = timing.outcome(c.now, step["due_at"])
    actor_id = c.actor.id if c.actor else None
    await DossierStep.update(
        {
            DossierStep.status: "done",
            DossierStep.finished_at: c.now,
            DossierStep.finished_by: actor_id,
            DossierStep.outcome: outcome,
            # nobody assigned it by name: the person who took it in at that unit is who handled it
            DossierStep.assignee: step["assignee"] or actor_id,
        }
    ).where(DossierStep.id == step["id"])
    if spec.suspends_for:
        await _shift_dues(c, await _close_suspensions(c, step_id=spec.id))
    if outcome == "late" and not c.row["late"]:
        c.updates.update(late=True, late_agency=step["agency"], late_step=step["step_id"])
    c.event_data.update(step_row=step["id"], outcome=outcome)
    return outcome


def _stored_due(c: Ctx):
    """The dossier's due as stored (the locked row: its update is written after ``apply``)."""
    return c.row["extended_due_at"] or c.row["due_at"]


async def _advance(c: Ctx) -> None:
    """After a step is done: wait for the stage, start the next one, or end the route (approval)."""
    stage = c.step["stage"]
    rows = await routing.open_rows(c.dossier_id)
    if any(r["stage"] == stage and r["status"] == "active" for r in rows):
        c.to = State.IN_PROCESSING
        return
    waiting = sorted({r["stage"] for r in rows if r["status"] == "waiting"})
    if waiting:
        activated = await routing.activate_stage(
            c.dossier_id,
            waiting[0],
            c.wf,
            c.now,
            _sessions(c),
            handed_by=c.actor.id if c.actor else None,
            dossier_due=_stored_due(c),
        )
        c.event_data["next_stage"] = waiting[0]
        c.event_data["handed_to"] = sorted({r["agency"] for r in activated})
        c.to = State.IN_PROCESSING
        return
    c.updates["finished_at"] = c.now
    await _issue_results(c, await _bound_results(c), None)
    c.to = State.RESULT_APPROVED


async def _bound_results(c: Ctx) -> tuple[str, ...]:
    """The result documents of the procedure version the dossier is bound to."""
    if c.row.get("procedure_version"):
        from core.catalogue.snapshot import get_snapshot

        stored = (await get_snapshot(c.row["procedure_version"])).results
        if stored is not None:
            return stored
    return tuple(c.proc.results)


# --- intake and supplements -----------------------------------------------------------------------


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(
            "Danh sách giấy tờ cần bổ sung không hợp lệ.",
            [("items", "Liệt kê mỗi giấy tờ cần bổ sung trên một dòng.")],
        )
    return [str(v).strip() for v in value if str(v).strip()]


def _asked(c: Ctx) -> tuple[list[str], list[str], list[str]]:
    """The checklist slots (``slots``: document codes) and form answers (``fields``: field names) a
    supplement request names, checked against the dossier's procedure and form, and the lines they
    add to form 02's list. Raises ``InvalidInput`` for a code or name the dossier does not have."""
    from core.dossiers.intake import AUTHORISATION_SLOT

    def names(key: str) -> list[str]:
        value = c.params.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list | tuple):
            raise InvalidInput("Danh sách không hợp lệ.", [(key, "Gửi danh sách mã, mỗi mục một giá trị.")])
        return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))

    slots, fields = names("slots"), names("fields")
    if not slots and not fields:
        return [], [], []
    proc = c.proc
    docs = {d.code: d for d in (proc.documents if proc else ()) if d.upload}
    if isinstance(c.row.get("data"), dict) and c.row["data"].get("representative"):
        docs[AUTHORISATION_SLOT.code] = AUTHORISATION_SLOT
    form = get_catalogue().forms.get(proc.form) if proc else None
    labels = {f.name: f.label for p in (form.pages if form else ()) for f in p.fields}
    errors = [("slots", f"Hồ sơ không có mục giấy tờ '{x[:40]}' để bổ sung.") for x in slots if x not in docs]
    errors += [("fields", f"Tờ khai không có trường '{x[:40]}'.") for x in fields if x not in labels]
    if errors:
        raise InvalidInput("Nội dung yêu cầu bổ sung không hợp lệ.", errors[:5])
    lines = [docs[x].name.vi for x in slots] + [f"Sửa thông tin: {labels[x].vi}" for x in fields]
    return slots, fields, lines


async def request_supplement(c: Ctx) -> None:
    """Form 02: everything missing, listed once (R7, R9, R12); pauses or will restart the clock.

    ``slots`` / ``fields`` (optional): exactly which checklist slots and form answers are asked for;
    stored in the event, so the applicant online is shown those and only those to supply or correct,
    and printed on form 02 after the typed ``items``."""
    items = _items(c.params.get("items"))
    slots, fields, lines = _asked(c)
    items += [x for x in lines if x not in items]
    at_intake = c.row["state"] in (State.DRAFT, State.SUBMITTED)
    if not at_intake:
        if c.step_row is None and c.by == "approver@step":  # a leader acts on their agency's step
            c.step_row = await _step_at(c.dossier_id, c.agency_id, "supplement", c.wf)
        _require_outcome(_step_spec(c), "supplement", "yêu cầu bổ sung hồ sơ")
    agency_id = c.agency_id or c.row["receiving_agency"]
    earlier = await DossierEvent.count().where(
        (DossierEvent.dossier == c.dossier_id)
        & (DossierEvent.action == "request_supplement")
        & (DossierEvent.agency == agency_id)
    )
    override = str(c.params.get("override_reason") or "").strip()
    if earlier and not override:
        raise InvalidInput(
            "Cơ quan đã yêu cầu bổ sung hồ sơ này một lần.",
            [
                (
                    "override_reason",
                    "Cơ quan đã yêu cầu bổ sung một lần: yêu cầu lần nữa cần lãnh đạo ghi rõ lý do "
                    "(người nộp chưa làm đúng hướng dẫn lần trước).",
                )
            ],
        )
    if earlier and (c.actor is None or not c.actor.has_role("approver", agency_id)):
        raise InvalidInput(
            "Yêu cầu bổ sung lần nữa cần lãnh đạo cơ quan quyết định.",
            [
                (
                    "override_reason",
                    "Cơ quan đã yêu cầu bổ sung hồ sơ này một lần: chỉ lãnh đạo cơ quan (vai trò phê duyệt) "
                    "được yêu cầu bổ sung lần nữa, kèm lý do.",
                )
            ],
        )
    late_reason = await _online_supplement_late(c) if at_intake else None
    policy = (await timing.rules_for(c.row, c.proc)).supplement_policy  # the bound version's policy
    if not at_intake and policy == "pause":
        await Suspension.insert(
            Suspension(dossier=c.dossier_id, reason="supplement", note=c.note, started_at=c.now)
        )
    c.event_data.update(
        items=items,
        slots=slots,
        fields=fields,
        policy=None if at_intake else policy,
        count=earlier + 1,
        override_reason=override or None,
        override_by=(c.actor.id if c.actor else None) if earlier else None,
        **(late_reason or {}),
        at_intake=at_intake,
    )
    c.forms.append(("form02", {"items": items, "reason": c.note}))
    c.to = State.SUPPLEMENT_REQUESTED


async def _online_supplement_late(c: Ctx) -> dict[str, Any] | None:
    """R9: an online dossier's intake request later than 8 working hours (the receiving agency's
    hours) after the portal received it needs a recorded reason: ``{late_reason, working_minutes}``
    for the event, None when in time (or not online)."""
    submitted = c.row.get("submitted_at")
    if c.row.get("channel") != "truc_tuyen" or submitted is None:
        return None
    agency = await c.agency(c.row["receiving_agency"])
    used = await timing.working_minutes(submitted, c.now, agency["work_sessions"])
    if used <= ONLINE_SUPPLEMENT_MINUTES:
        return None
    reason = str(c.params.get("late_reason") or "").strip()
    if not reason:
        from core.text.templating import format_datetime

        limit = await timing.add(submitted, ONLINE_SUPPLEMENT_MINUTES, agency["work_sessions"])
        raise InvalidInput(
            "Đã quá 8 giờ làm việc kể từ khi nhận hồ sơ trực tuyến.",
            [
                (
                    "late_reason",
                    "Yêu cầu bổ sung hồ sơ trực tuyến phải gửi trong 8 giờ làm việc kể từ khi Cổng dịch vụ "
                    f"công nhận hồ sơ (chậm nhất {format_datetime(limit)}): ghi lý do gửi muộn.",
                )
            ],
        )
    return {"late_reason": reason, "working_minutes": used}


async def resubmit(c: Ctx) -> None:
    """The missing documents arrived: back where the dossier was, the clock restarted or resumed."""
    last = await _last_event(c.dossier_id, "request_supplement")
    back = State(last["from_state"]) if last else State.SUBMITTED
    if back == State.DRAFT:
        back = State.SUBMITTED
    if back in (State.RECEIVED, State.IN_PROCESSING):
        if (await timing.rules_for(c.row, c.proc)).supplement_policy == "restart":
            await _restart_clock(c)
        else:
            await _shift_dues(c, await _close_suspensions(c, reason="supplement"))
    c.event_data["back_to"] = back.value
    c.to = back


async def _restart_clock(c: Ctx) -> None:
    """Restart policy: elapsed time goes back to 0 from now (the complete dossier's receipt)."""
    agency = await agency_row(c.row["receiving_agency"])
    rules = await timing.rules_for(c.row, c.proc)
    clock = await timing.deadline(c.now, rules, agency)
    start = clock.start
    c.updates.update(clock_start_at=start, due_at=clock.due, extended_due_at=None)
    for s in await DossierStep.select().where(
        (DossierStep.dossier == c.dossier_id) & (DossierStep.status == "active")
    ):
        due = await timing.add(start, s["budget_minutes"], await _sessions(c)(s["agency"]))
        await DossierStep.update({DossierStep.started_at: start, DossierStep.due_at: due}).where(
            DossierStep.id == s["id"]
        )
    c.event_data["clock_restarted_at"] = start


async def refuse_intake(c: Ctx) -> None:
    """Form 03: not acceptable, with reasons."""
    c.updates["finished_at"] = c.now
    c.forms.append(("form03", {"reason": c.note}))
    c.to = State.REFUSED


# --- steps ----------------------------------------------------------------------------------------


async def complete_step(c: Ctx) -> None:
    spec = _step_spec(c)
    if "complete" not in spec.outcomes:
        raise NotAllowed(f'Bước "{spec.name.vi}" là bước quyết định: chọn phê duyệt hoặc từ chối.')
    await _finish_step(c, spec)
    await _issue_results(c, spec.results, spec)
    await _advance(c)


async def approve(c: Ctx) -> None:
    spec = _step_spec(c)
    _require_outcome(spec, "approve", "phê duyệt")
    await _finish_step(c, spec)
    c.event_data["decision"] = "approve"
    await _issue_results(c, spec.results, spec)
    await _advance(c)


async def reject(c: Ctx) -> None:
    """Refused after appraisal (R28): the route stops, a notice with the reasons is issued."""
    spec = _step_spec(c)
    _require_outcome(spec, "reject", "từ chối giải quyết")
    await _finish_step(c, spec)
    await _end_open_steps(c)
    await _close_suspensions(c)
    c.event_data["decision"] = "reject"
    c.updates["finished_at"] = c.now
    c.forms.append(("form03", {"reason": c.note}))
    c.to = State.RESULT_REFUSED


async def return_step(c: Ctx) -> None:
    """Send the stage back: the previous stage's steps start again, this stage will be redone."""
    spec = _step_spec(c)
    _require_outcome(spec, "return", "trả lại bước trước")
    stage = c.step["stage"]
    earlier = (
        await DossierStep.select(DossierStep.stage)
        .where((DossierStep.dossier == c.dossier_id) & (DossierStep.stage < stage))
        .order_by(DossierStep.stage, ascending=False)
        .first()
    )
    if earlier is None:
        raise NotAllowed(
            "Đây là bước đầu tiên của quy trình, không có bước trước để trả lại. "
            "Nếu hồ sơ thiếu giấy tờ, hãy yêu cầu bổ sung."
        )
    outcome = timing.outcome(c.now, c.step["due_at"])
    await DossierStep.update(
        {
            DossierStep.status: "returned",
            DossierStep.finished_at: c.now,
            DossierStep.finished_by: c.actor.id if c.actor else None,
            DossierStep.outcome: outcome,
        }
    ).where(
        (DossierStep.dossier == c.dossier_id)
        & (DossierStep.stage == stage)
        & (DossierStep.status == "active")
    )
    await _close_suspensions(c, step_id=spec.id)
    await routing.copy_stage(
        c.dossier_id,
        stage,
        status="waiting",
        now=None,
        sessions_of=_sessions(c),
        wf=c.wf,
        dossier_due=_stored_due(c),
    )
    await routing.copy_stage(
        c.dossier_id,
        earlier["stage"],
        status="active",
        now=c.now,
        sessions_of=_sessions(c),
        wf=c.wf,
        handed_by=c.actor.id if c.actor else None,
        dossier_due=_stored_due(c),
    )
    c.event_data.update(step_row=c.step["id"], returned_to_stage=earlier["stage"], outcome=outcome)
    c.to = State.IN_PROCESSING


# --- results --------------------------------------------------------------------------------------


async def mark_result_ready(c: Ctx) -> None:
    c.to = State.RESULT_READY


async def return_result(c: Ctx) -> None:
    """Hand over the result (R29, R30): channel, receiver identity; fees paid (``core.fees``)."""
    channel = str(c.params.get("channel") or "").strip()
    errors: list[tuple[str, str]] = []
    if channel not in c.proc.result_channels:
        errors.append(
            ("channel", "Chọn hình thức trả kết quả: tại bộ phận một cửa, qua bưu chính hoặc trực tuyến.")
        )
    receiver = c.params.get("receiver") or {}
    if not isinstance(receiver, dict):
        receiver = {}
    receiver = {k: str(v).strip() for k, v in receiver.items() if v is not None}
    relation = receiver.get("relation") or "holder"
    if channel == "counter":
        if not receiver.get("name"):
            errors.append(("receiver.name", "Nhập họ và tên người nhận kết quả."))
        receiver["id_number"] = normalise_cccd(receiver.get("id_number", ""))
        if not receiver["id_number"]:
            errors.append(
                ("receiver.id_number", "Nhập số định danh cá nhân (12 chữ số) của người nhận kết quả.")
            )
        elif problem := validate_cccd(receiver["id_number"], today=c.now.astimezone(timing.VN_TZ).date()):
            errors.append(("receiver.id_number", problem))
        if relation not in RECEIVER_RELATIONS:
            errors.append(
                ("receiver.relation", "Chọn: chính chủ, người được ủy quyền hoặc người đại diện tổ chức.")
            )
        elif relation != "holder" and not receiver.get("document"):
            errors.append(
                ("receiver.document", "Ghi giấy ủy quyền hoặc giấy giới thiệu của người nhận thay.")
            )
    elif channel == "post" and not receiver.get("tracking"):
        errors.append(("receiver.tracking", "Nhập số hiệu bưu gửi (mã vận đơn) của bưu chính công ích."))
    owed = await originals_owed(c.row, c.proc) if c.proc.originals_at_return else []
    if owed and c.params.get("originals_received") not in (True, "1", "on", "yes"):
        errors.append(
            (
                "originals_received",
                "Chưa nhận bản chính của: " + "; ".join(owed) + ". Thu bản chính và đánh dấu "
                "“đã nhận bản chính” trước khi trả kết quả.",
            )
        )
    if errors:
        raise InvalidInput("Thông tin trả kết quả chưa đầy đủ.", errors)
    if owed:
        c.event_data["originals_received"] = owed
    if channel == "counter":  # the receiver hands back form 01 (R30): the receipt is marked returned
        c.event_data["receipt_returned"] = True
    # fees still owed refuse the hand-over: core.fees' after_transition rolls it back (NotAllowed)
    c.updates.update(returned_at=c.now, result_channel=channel)
    c.event_data.update(channel=channel, receiver={**receiver, "relation": relation})
    c.to = State.RETURNED


async def originals_owed(row: dict[str, Any], proc: Any) -> list[str]:
    """Names of the documents whose original is still owed (R30): required as originals by the bound
    procedure version, but received with fewer originals than required: the desk's checklist at
    intake when it ticked one; without one, an online dossier (scans) owes every original, a paper
    dossier accepted as complete owes none."""
    docs: list[Any] = list(proc.documents)
    if row.get("procedure_version"):
        from core.catalogue.snapshot import get_snapshot

        stored = (await get_snapshot(row["procedure_version"])).documents
        if stored:
            docs = list(stored)
    receipt = await _last_event(row["id"], "receive")
    listed = (load_json(receipt["data"]) or {}).get("documents") if receipt else None
    if listed is None and row.get("channel") != "truc_tuyen":
        return []
    received = {str(d.get("code")): int(d.get("originals") or 0) for d in (listed or [])}
    owed = []
    for d in docs:
        needed = d.originals or 0
        if needed and d.required is not False and received.get(d.code, 0) < needed:
            owed.append(str((d.name.vi if d.name is not None else None) or d.code))
    return owed


# --- stop, suspend, apologise ---------------------------------------------------------------------


async def stop(c: Ctx) -> None:
    """Form 05 (R27): only while no decision has been issued (the table allows it only then)."""
    if c.row["state"] not in BEFORE_DECISION:
        raise NotAllowed("Hồ sơ đã có quyết định hoặc kết quả, không thể dừng giải quyết.")
    await _end_open_steps(c)
    await _close_suspensions(c)
    c.updates["finished_at"] = c.now
    c.event_data["_agency"] = c.row["receiving_agency"]
    if (requested := c.row.get("stop_requested_at")) is not None:
        c.event_data["requested_at"] = requested  # the leader's answer to a pending request
        c.updates["stop_requested_at"] = None
    c.forms.append(("form05", {"reason": c.note}))
    c.to = State.STOPPED


async def request_stop(c: Ctx) -> None:
    """The applicant asks to stop (R27): recorded, pending, for a leader of the receiving agency to
    decide (``stop`` issues form 05; ``refuse_stop`` keeps the dossier going, with the reason)."""
    if c.row.get("stop_requested_at") is not None:
        raise NotAllowed(
            "Người nộp đã có yêu cầu dừng giải quyết hồ sơ này đang chờ lãnh đạo quyết định; "
            "không ghi nhận thêm một yêu cầu nữa."
        )
    c.updates["stop_requested_at"] = c.now
    c.event_data["_agency"] = c.row["receiving_agency"]
    c.to = State(c.row["state"])


async def refuse_stop(c: Ctx) -> None:
    """A leader of the receiving agency refuses the pending stop request, with the reason; the
    dossier carries on where it was."""
    requested = c.row.get("stop_requested_at")
    if requested is None:
        raise NotAllowed("Hồ sơ không có yêu cầu dừng giải quyết nào đang chờ quyết định.")
    c.updates["stop_requested_at"] = None
    c.event_data["requested_at"] = requested
    c.to = State(c.row["state"])


async def suspend(c: Ctx) -> None:
    reason = str(c.params.get("reason_code") or "appraisal")
    if reason not in SUSPEND_REASONS:
        raise InvalidInput(
            "Lý do tạm dừng không hợp lệ.",
            [("reason_code", "Chọn lý do: thẩm định, xử lý vi phạm, nghĩa vụ tài chính, niêm yết, khác.")],
        )
    await Suspension.insert(Suspension(dossier=c.dossier_id, reason=reason, note=c.note, started_at=c.now))
    c.event_data["reason_code"] = reason
    c.to = State.SUSPENDED


async def resume(c: Ctx) -> None:
    last = await _last_event(c.dossier_id, "suspend")
    back = State(last["from_state"]) if last else State.IN_PROCESSING
    await _shift_dues(c, await _close_suspensions(c, step_id=None))
    c.to = back


def _parse_new_due(value: Any) -> datetime | None:
    """``datetime``, ISO text, or ``dd/mm/yyyy`` (then the end of that working day, 17:00 Vietnam)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timing.VN_TZ)
    if isinstance(value, date):
        return datetime.combine(value, time(17, 0), tzinfo=timing.VN_TZ)
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - Vietnam's zone is attached below
        except ValueError:
            continue
        if fmt == "%d/%m/%Y":
            parsed = parsed.replace(hour=17)
        return parsed.replace(tzinfo=timing.VN_TZ)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        parsed = parsed.replace(hour=17)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timing.VN_TZ)


async def apologise(c: Ctx) -> None:
    """Form 04 (R23, R25, R26): the unit at fault apologises and sets a new date, once."""
    new_due = _parse_new_due(c.params.get("new_due"))
    current = c.row["extended_due_at"] or c.row["due_at"]
    if new_due is None:
        raise InvalidInput(
            "Ngày hẹn mới không hợp lệ.", [("new_due", "Nhập ngày hẹn mới theo dạng ngày/tháng/năm.")]
        )
    if new_due <= c.now or (current is not None and new_due <= current):
        raise InvalidInput(
            "Ngày hẹn mới không hợp lệ.",
            [("new_due", "Ngày hẹn mới phải sau ngày hẹn hiện tại và sau thời điểm hiện tại.")],
        )
    rules = await timing.rules_for(c.row, c.proc)
    cap = timing.apology_cap_days(rules.processing_days)
    base = max(current, c.now) if current is not None else c.now
    sessions = (await agency_row(c.row["receiving_agency"]))["work_sessions"]
    limit = await timing.add(base, timing.days_to_minutes(cap), sessions)
    if new_due > limit:
        from core.text.templating import format_datetime

        raise InvalidInput(
            "Ngày hẹn mới vượt mức gia hạn cho phép.",
            [
                (
                    "new_due",
                    f"Chỉ được gia hạn tối đa {f'{cap:g}'.replace('.', ',')} ngày làm việc, "
                    f"tức chậm nhất {format_datetime(limit)}.",
                )
            ],
        )
    done = await DossierEvent.count().where(
        (DossierEvent.dossier == c.dossier_id)
        & (DossierEvent.action == "apologise")
        & (DossierEvent.agency == c.agency_id)
    )
    if done:
        raise InvalidInput(
            "Chỉ được hẹn lại một lần.",
            [
                (
                    "new_due",
                    "Cơ quan của bạn đã xin lỗi và hẹn lại ngày trả kết quả cho hồ sơ này; "
                    "không được hẹn lại lần thứ hai.",
                )
            ],
        )
    c.updates["extended_due_at"] = new_due
    c.event_data.update(new_due=new_due, previous_due=current)
    c.forms.append(("form04", {"new_due": new_due, "old_due": current, "reason": c.note}))
    c.to = State(c.row["state"])


# --- system ---------------------------------------------------------------------------------------


async def close_unanswered(c: Ctx) -> None:
    """R10: the supplement never came within the procedure's limit."""
    await _end_open_steps(c)
    await _close_suspensions(c)
    c.updates["finished_at"] = c.now
    c.event_data["_agency"] = c.row["receiving_agency"]
    c.to = State.CLOSED


async def flag_late(c: Ctx) -> None:
    """The due passed: late, attributed to the agency holding the overdue active step (R23)."""
    if c.row["late"]:
        raise NotAllowed("Hồ sơ đã được ghi nhận quá hạn.")
    steps = (
        await DossierStep.select()
        .where((DossierStep.dossier == c.dossier_id) & (DossierStep.status == "active"))
        .order_by(DossierStep.due_at)
    )
    overdue = [s for s in steps if s["due_at"] is not None and s["due_at"] < c.now]
    holder = overdue[0] if overdue else (steps[0] if steps else None)
    agency = holder["agency"] if holder else c.row["receiving_agency"]
    c.updates.update(late=True, late_agency=agency, late_step=holder["step_id"] if holder else None)
    c.event_data.update(
        _agency=agency,
        _step_code=holder["step_id"] if holder else None,
        due_at=c.row["extended_due_at"] or c.row["due_at"],
    )
    c.to = State(c.row["state"])
