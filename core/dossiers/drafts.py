"""A citizen's online application, page by page: the draft dossier and its answers, what is still
missing before it can be submitted, the citizen's list of dossiers, and supplying what an agency asked for.

The draft is a real dossier in state ``draft`` (``intake.create(partial=True)``): every page the
applicant finishes is checked by the form engine and saved at once through the lifecycle (action
``edit_draft``, an event like any other), so a closed tab, a sign-out or an expired session loses at
most the page being typed. The whole form, the required uploads and the plugins'
``validate_application`` are checked when the draft is submitted (``submit``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotFound
from core.contract.specs import AgencyRef, FormSpec, ProcedureSpec
from core.contract.views import DossierView
from core.dossiers import access, actions, intake
from core.dossiers.engine import Actor, Ctx, _jsonable, agency_row, load_view, run_transition
from core.dossiers.states import State
from core.dossiers.tables import Attachment, Dossier, DossierEvent, DossierStep, Suspension
from core.forms import validators as fv

__all__ = (
    "RESULT_CHANNELS",
    "start",
    "form_of",
    "save_page",
    "save_delivery",
    "save_principal",
    "apply_for_self",
    "slots_of",
    "problems",
    "submit",
    "mine",
    "citizen_view",
    "owns",
    "supplement_request",
    "supply",
    "due_explanation",
)

RESULT_CHANNELS = ("counter", "post", "online")
"""How the result is returned: at the counter, by public post to an address, online."""


def form_of(proc: ProcedureSpec) -> FormSpec:
    """The procedure's application form."""
    return get_catalogue().forms[proc.form]


def _proc(view: DossierView) -> ProcedureSpec:
    proc = get_catalogue().procedure(view.procedure_code)
    if proc is None:
        raise NotFound(f"Thủ tục {view.procedure_code} không còn trong danh mục.")
    return proc


async def start(procedure_code: str, agency_id: int, *, actor: Actor) -> DossierView:
    """A new, empty online draft of ``procedure_code`` at ``agency_id``, owned by ``actor``.

    Raises:
        InvalidInput, Unavailable, NotAllowed: as ``intake.create``.
    """
    proc = get_catalogue().procedure(str(procedure_code or ""))
    untouched = await _untouched_draft(procedure_code, agency_id, actor)
    if untouched is not None:  # "start" clicked twice (or the back button): one draft, not two
        return untouched
    channel = proc.result_channels[0] if proc and proc.result_channels else "counter"
    return await intake.create(
        procedure_code,
        agency_id,
        actor=actor,
        applicant={},
        data={},
        channel="truc_tuyen",
        result_channel=channel,
        partial=True,
    )


async def _untouched_draft(procedure_code: str, agency_id: int, actor: Actor) -> DossierView | None:
    """The actor's online draft of the procedure at the agency that nothing was done to since it was
    created (no answer, no file, no other event): starting again reuses it."""
    if actor is None or not getattr(actor, "id", None):
        return None
    rows = (
        await Dossier.select(Dossier.id, Dossier.data)
        .where(
            (Dossier.applicant == actor.id)
            & (Dossier.procedure_code == str(procedure_code or ""))
            & (Dossier.receiving_agency == agency_id)
            & (Dossier.state == State.DRAFT)
            & (Dossier.channel == "truc_tuyen")
            & (Dossier.version == 1)
        )
        .order_by(Dossier.id, ascending=False)
        .output(load_json=True)
    )
    for row in rows:
        if row["data"]:
            continue
        if await Attachment.exists().where(Attachment.dossier == row["id"]):
            continue
        return await load_view(row["id"])
    return None


async def _own_draft(ref: int | str, actor: Actor) -> DossierView:
    """The draft ``ref`` of ``actor``; the uniform 404 for anything else (someone else's, or gone)."""
    view = await access.readable_view(actor, ref)
    if actor is None or view.applicant_id != actor.id:
        raise access.not_found(ref)
    return view


async def _ctx(view: DossierView, actor: Actor) -> dict[str, Any]:
    """What the form engine and ``validate_application`` see besides the answers."""
    a = await agency_row(view.receiving_agency.id)
    return {"agency": AgencyRef(a["id"], a["code"], a["name"], a["level"], a["kind"]), "user": actor}


async def save_page(
    ref: int | str, *, actor: Actor, page_id: str, raw: dict[str, Any]
) -> tuple[DossierView, dict[str | None, str]]:
    """Check one page of the draft's form and, when it is right, save its answers (event ``edit_draft``).

    Args:
        ref: The draft's id.
        actor: The applicant.
        page_id: The page of the form.
        raw: What was posted.

    Returns:
        ``(the draft, {field: message})``: nothing is saved when there are errors.

    Raises:
        NotFound: not this applicant's draft, or no such page.
    """
    from core.forms.engine import check_application, validate_page

    view = await _own_draft(ref, actor)
    if view.state != State.DRAFT:
        raise InvalidInput(
            "Hồ sơ đã nộp.", [(None, "Hồ sơ này đã được nộp; bạn không sửa được tờ khai nữa.")]
        )
    proc = _proc(view)
    form = form_of(proc)
    page = next((p for p in form.pages if p.id == page_id), None)
    if page is None:
        raise NotFound(f"Tờ khai không có trang '{page_id}'.")
    page_raw = {f.name: raw.get(f.name) for f in page.fields}
    merged = {**view.data, **page_raw}
    errors = await check_application(proc, page_id, merged, await _ctx(view, actor))
    if errors:
        return view, errors
    cleaned, _errors = validate_page(form, page_id, page_raw, answers=view.data)
    data = {k: v for k, v in view.data.items() if k not in {f.name for f in page.fields}}
    data.update(_jsonable(cleaned))

    async def apply(c: Ctx) -> None:
        c.updates["data"] = data
        c.event_data["page"] = page_id
        c.to = State.DRAFT

    await run_transition(view.id, "edit_draft", apply, actor=actor, version=None, reload=False)
    return await load_view(view.id), {}


async def save_delivery(
    ref: int | str, *, actor: Actor, channel: str, address: str
) -> tuple[DossierView, dict[str | None, str]]:
    """How the applicant wants the result (``RESULT_CHANNELS``; by post, the address to send it to)."""
    view = await _own_draft(ref, actor)
    proc = _proc(view)
    errors: dict[str | None, str] = {}
    if channel not in proc.result_channels:
        errors["result_channel"] = "Chọn cách nhận kết quả."
    address, problem = fv.clean_free_text(address, "Địa chỉ nhận kết quả", fv.ADDRESS_MAX, multiline=False)
    if problem:
        errors["address"] = problem
    elif channel == "post" and len(address) < 10:
        errors["address"] = (
            "Nhập địa chỉ nhận kết quả qua bưu chính: số nhà, đường, xã/phường, tỉnh (ít nhất 10 ký tự)."
        )
    if view.state != State.DRAFT:
        errors[None] = "Hồ sơ này đã được nộp; bạn không đổi được cách nhận kết quả nữa."
    if errors:
        return view, errors

    async def apply(c: Ctx) -> None:
        c.updates["result_channel"] = channel
        if channel == "post":
            c.updates["applicant_address"] = address
        c.event_data["result_channel"] = channel
        c.to = State.DRAFT

    await run_transition(view.id, "edit_draft", apply, actor=actor, version=None, reload=False)
    return await load_view(view.id), {}


def _slots(proc: ProcedureSpec) -> list:
    return [d for d in proc.documents if d.upload]


def slots_of(proc: ProcedureSpec, view: DossierView) -> list:
    """The upload slots of the dossier: its procedure's, and the authorisation's when it is filed on
    someone's behalf (``intake.AUTHORISATION_SLOT``)."""
    out = _slots(proc)
    if isinstance(view.data, dict) and view.data.get("representative"):
        out.append(intake.AUTHORISATION_SLOT)
    return out


async def save_principal(
    ref: int | str, *, actor: Actor, applicant: dict[str, Any], representative: dict[str, Any]
) -> tuple[DossierView, dict[str | None, str]]:
    """The draft is filed on someone else's behalf: ``applicant`` names the person applied for (typed,
    never taken from the account), the signed-in account is the authorised representative (its name
    and CCCD; ``representative`` gives its address and the authorisation ``document``). Both are
    checked as ``intake.create`` checks them and saved (event ``edit_draft``); the draft gets the
    authorisation's upload slot, which must be filled before it is submitted.

    Returns:
        ``(the draft, {field: message})`` with fields ``applicant.*`` / ``representative.*``; nothing
        is saved when there are errors.
    """
    view = await _own_draft(ref, actor)
    if view.state != State.DRAFT:
        return view, {None: "Hồ sơ này đã được nộp; bạn không đổi được người nộp nữa."}
    values, errors = intake._applicant_fields(applicant, actor, False)
    rep, rep_errors = intake._representative_fields(  # both checked: every error shown at once
        representative, actor, True, values.get("applicant_id_number", "")
    )
    errors += rep_errors
    if not errors and not values.get("applicant_id_number"):
        errors.append(("applicant.id_number", "Nhập số CCCD của người bạn nộp hồ sơ thay (người ủy quyền)."))
    if errors:
        out: dict[str | None, str] = {}
        for field, message in errors:
            out.setdefault(field, message)
        return view, out
    data = {**view.data, "representative": rep}

    async def apply(c: Ctx) -> None:
        c.updates.update(values)
        c.updates["data"] = data
        c.event_data["on_behalf"] = True
        c.to = State.DRAFT

    await run_transition(view.id, "edit_draft", apply, actor=actor, version=None, reload=False)
    return await load_view(view.id), {}


async def apply_for_self(ref: int | str, *, actor: Actor) -> DossierView:
    """The draft is the signed-in applicant's own again: the applicant is taken from the account and the
    representative (and its authorisation's upload, if any) is dropped."""
    view = await _own_draft(ref, actor)
    if view.state != State.DRAFT or not view.data.get("representative"):
        return view
    values, _errors = intake._applicant_fields({}, actor, True)
    data = {k: v for k, v in view.data.items() if k != "representative"}
    values["applicant_address"] = view.applicant_address if view.result_channel == "post" else ""

    async def apply(c: Ctx) -> None:
        c.updates.update(values)
        c.updates["data"] = data
        c.event_data["on_behalf"] = False
        c.to = State.DRAFT

    from core.dossiers import attachments

    for row in await Attachment.select(Attachment.id).where(
        (Attachment.dossier == view.id) & (Attachment.document_code == intake.AUTHORISATION_SLOT.code)
    ):
        await attachments.remove(view.id, actor=actor, attachment_id=row["id"])
    await run_transition(view.id, "edit_draft", apply, actor=actor, version=None, reload=False)
    return await load_view(view.id)


async def problems(view: DossierView, actor: Actor) -> list[tuple[str, str, str]]:
    """What stops the draft from being submitted: ``[(where, field or slot, message)]`` where ``where``
    is a page id, ``"giay-to"`` (uploads) or ``"nhan-ket-qua"`` (delivery); empty when it is complete."""
    from core.forms.engine import check_application, validate_all

    proc = _proc(view)
    form = form_of(proc)
    out: list[tuple[str, str, str]] = []
    _cleaned, errors = validate_all(form, view.data)
    page_of = {f.name: p.id for p in form.pages for f in p.fields}
    first_page = form.pages[0].id if form.pages else ""
    for name, message in errors.items():
        out.append((page_of.get(name or "", first_page), name or "form", message))
    if not errors:
        for name, message in (
            await check_application(proc, None, view.data, await _ctx(view, actor))
        ).items():
            out.append((page_of.get(name or "", first_page), name or "form", message))
    have = {
        r["document_code"]
        for r in await Attachment.select(Attachment.document_code).where(Attachment.dossier == view.id)
    }
    for slot in slots_of(proc, view):
        if slot.required and slot.code not in have:
            out.append(("giay-to", slot.code, f"Tải lên {slot.name.vi[:1].lower()}{slot.name.vi[1:]}."))
    if view.result_channel == "post" and not view.applicant_address:
        out.append(("nhan-ket-qua", "address", "Nhập địa chỉ nhận kết quả qua bưu chính."))
    return out


async def submit(ref: int | str, *, actor: Actor, version: int) -> DossierView:
    """Submit the applicant's complete draft (allocates its code); ``version`` is the one the
    check-answers page showed, so a repeated click finds the dossier already submitted.

    Raises:
        InvalidInput: the draft is not complete (``problems``).
        StaleVersion, NotAllowed: as ``intake.submit``.
    """
    view = await _own_draft(ref, actor)
    if view.state == State.DRAFT:
        found = await problems(view, actor)
        if found:
            raise InvalidInput(
                "Hồ sơ chưa đủ để nộp.", [(f"{where}:{name}", message) for where, name, message in found]
            )
    return await intake.submit(view.id, actor=actor, version=version)


# --- the citizen's dossiers --------------------------------------------------------------------


def _mine_where(user: Any):
    own = Dossier.applicant == user.id
    if _cccd_proven(user):  # opened at the counter or by post for the same person (no account owns it)
        own = own | (Dossier.applicant.is_null() & (Dossier.applicant_id_number == user.cccd))
    return own


def owns(user: Any, applicant_id: int | None, id_number: str) -> bool:
    """Whether ``user`` is the applicant of a dossier: its account, or, for a dossier entered by the
    desk (no account owns it), the person whose CCCD it names."""
    if user is None:
        return False
    if applicant_id is not None:
        return applicant_id == user.id
    return _cccd_proven(user) and id_number == user.cccd


def _cccd_proven(user: Any) -> bool:
    """Whether the account's CCCD was proven (by the national e-ID), so that dossiers the desk entered
    under that CCCD may be shown to it. A local account's CCCD is only declared: anyone could type a
    neighbour's number at registration, so it opens nobody's counter dossiers."""
    return bool(user.cccd) and bool(getattr(user, "identity_verified", False))


async def mine(user: Any, *, limit: int = 200) -> list[dict[str, Any]]:
    """The user's drafts and dossiers, newest first, each with where it is now (the agencies of its
    active steps): two queries whatever the number of dossiers."""
    rows = (
        await Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.procedure_code,
            Dossier.state,
            Dossier.channel,
            Dossier.applicant,
            Dossier.due_at,
            Dossier.extended_due_at,
            Dossier.created_at,
            Dossier.updated_at,
            Dossier.submitted_at,
            Dossier.received_at,
            Dossier.receiving_agency.name.as_alias("agency_name"),
        )
        .where(_mine_where(user))
        .order_by(Dossier.updated_at, ascending=False)
        .limit(limit)
    )
    ids = [r["id"] for r in rows]
    holders: dict[int, list[str]] = {}
    if ids:
        for s in await DossierStep.select(
            DossierStep.dossier, DossierStep.agency.name.as_alias("name")
        ).where(DossierStep.dossier.is_in(ids) & (DossierStep.status == "active")):
            names = holders.setdefault(s["dossier"], [])
            if s["name"] not in names:
                names.append(s["name"])
    cat = get_catalogue()
    for r in rows:
        proc = cat.procedure(r["procedure_code"])
        r["procedure"] = proc
        r["due"] = r["extended_due_at"] or r["due_at"]
        r["holders"] = holders.get(r["id"], [])
        r["ref"] = r["code"] or str(r["id"])
    return rows


async def citizen_view(user: Any, ref: int | str) -> DossierView:
    """Dossier ``ref`` for its applicant (``owns``); the uniform 404 for anyone else."""
    from core.dossiers import service

    try:
        view = await service.get(ref)
    except NotFound:
        raise access.not_found(ref) from None
    if not owns(user, view.applicant_id, view.applicant_id_number):
        raise access.not_found(ref)
    return view


# --- supplements ---------------------------------------------------------------------------------


async def supplement_request(view: DossierView) -> dict[str, Any] | None:
    """The open supplement request of a dossier waiting for documents: its items, reason and date,
    the upload slots and the form fields it names (matched by code or by name), and the files uploaded
    since it was made."""
    if view.state != State.SUPPLEMENT_REQUESTED:
        return None
    ev = (
        await DossierEvent.select(DossierEvent.id, DossierEvent.note, DossierEvent.data, DossierEvent.at)
        .where((DossierEvent.dossier == view.id) & (DossierEvent.action == "request_supplement"))
        .order_by(DossierEvent.seq, ascending=False)
        .output(load_json=True)
        .first()
    )
    if ev is None:
        return None
    data = ev["data"] or {}
    items = [str(i) for i in data.get("items") or []]
    proc = _proc(view)
    form = form_of(proc)
    structured = bool(data.get("slots") or data.get("fields"))

    def norm(text: str) -> str:
        return " ".join(text.lower().replace("“", "").replace("”", "").split())

    wanted = [norm(i) for i in items]

    def named(code: str, *names: str) -> bool:
        keys = [norm(code), *(norm(n) for n in names if n)]
        return any(k and (k == w or k in w or (len(w) > 8 and w in k)) for w in wanted for k in keys)

    if structured:  # the staff named the slots and answers: exactly those
        asked_slots, asked_fields = set(data.get("slots") or ()), set(data.get("fields") or ())
        slots = [s for s in slots_of(proc, view) if s.code in asked_slots]
        fields = [(p, f) for p in form.pages for f in p.fields if f.name in asked_fields]
    else:  # a request of free text only (made before requests named them): matched by name
        slots = [s for s in slots_of(proc, view) if named(s.code, s.name.vi, s.name.en)]
        fields = [(p, f) for p in form.pages for f in p.fields if named(f.name, f.label.vi, f.label.en)]
    uploaded = (
        await Attachment.select(Attachment.id, Attachment.document_code, Attachment.filename)
        .where((Attachment.dossier == view.id) & (Attachment.at > ev["at"]))
        .order_by(Attachment.id)
    )
    return {
        "items": items,
        "reason": ev["note"],
        "at": ev["at"],
        "slots": slots if structured else (slots or slots_of(proc, view)),
        "named_slots": structured or bool(slots),
        "structured": structured,
        "fields": fields,
        "uploaded": uploaded,
    }


async def supply(
    ref: int | str, *, actor: Actor, version: int, raw: dict[str, Any]
) -> tuple[DossierView | None, dict[str | None, str]]:
    """Send back what the agency asked for: the answers it named (checked like the form) and the
    files uploaded since; the dossier goes back where it was (``resubmit``: the clock resumes or
    restarts) with a note listing what changed, for the clerk.

    Returns:
        ``(the dossier, {})``, or ``(None, {field: message})`` when nothing changed or an answer is wrong.
    """
    from core.forms.engine import check_application, display_value, normalise

    view = await citizen_view(actor, ref)
    if view.applicant_id != getattr(actor, "id", None):
        raise access.not_found(ref)
    request = await supplement_request(view)
    if request is None:
        raise InvalidInput("Không có yêu cầu bổ sung.", [(None, "Hồ sơ này không chờ bổ sung giấy tờ.")])
    proc = _proc(view)
    errors: dict[str | None, str] = {}
    data = dict(view.data)
    changed: list[str] = []
    for _page, f in request["fields"]:
        try:
            value = normalise(f, raw.get(f.name))
        except ValueError as exc:
            errors[f.name] = getattr(exc, "message", str(exc))
            continue
        value = _jsonable(value)
        if value != data.get(f.name):
            changed.append(f"{f.label.vi}: {display_value(f, normalise(f, raw.get(f.name)))}")
            data[f.name] = value
    if not errors:
        found = await check_application(proc, None, data, await _ctx(view, actor))
        errors.update({k: v for k, v in found.items() if k in {f.name for _p, f in request["fields"]}})
        if not errors and found:
            errors[None] = "; ".join(found.values())
    names = {s.code: s.name.vi for s in proc.documents}
    files = [
        f"{names.get(u['document_code'], u['document_code'])} ({u['filename']})" for u in request["uploaded"]
    ]
    if not errors and not changed and not files:
        errors[None] = "Bạn chưa tải lên giấy tờ nào hay sửa thông tin nào được yêu cầu."
    if errors:
        return None, errors
    lines = []
    if files:
        lines.append("Giấy tờ bổ sung: " + "; ".join(files) + ".")
    if changed:
        lines.append("Thông tin đã sửa: " + "; ".join(changed) + ".")
    note = " ".join(lines)[: fv.LONG_TEXT_MAX]

    async def apply(c: Ctx) -> None:
        await actions.resubmit(c)
        if changed:
            c.updates["data"] = data
        c.event_data["supplied"] = {"files": [u["id"] for u in request["uploaded"]], "changed": changed}

    await run_transition(view.id, "resubmit", apply, actor=actor, version=version, note=note, reload=False)
    return await load_view(view.id), {}


# --- the due date, explained -----------------------------------------------------------------------


async def due_explanation(view: DossierView) -> dict[str, Any] | None:
    """Why the due date is what it is: the procedure version it was received under, the clock's own
    explanation (working days counted, days off and holidays skipped, the cut-off hour), suspensions
    (excluded time), a restart after a supplement and an apology's new date. None before receipt."""
    if view.received_at is None:
        return None
    events = (
        await DossierEvent.select(DossierEvent.action, DossierEvent.data, DossierEvent.at)
        .where(
            (DossierEvent.dossier == view.id)
            & DossierEvent.action.is_in(["receive", "resubmit", "apologise"])
        )
        .order_by(DossierEvent.seq)
        .output(load_json=True)
    )
    receive = next((e for e in events if e["action"] == "receive"), None)
    data = (receive or {}).get("data") or {}
    suspensions = (
        await Suspension.select(Suspension.reason, Suspension.started_at, Suspension.ended_at)
        .where(Suspension.dossier == view.id)
        .order_by(Suspension.started_at)
    )
    restarts = [
        e["data"]["clock_restarted_at"]
        for e in events
        if e["action"] == "resubmit" and (e["data"] or {}).get("clock_restarted_at")
    ]
    proc = get_catalogue().procedure(view.procedure_code)
    return {
        "procedure_version": data.get("procedure_version") or view.procedure_version_id,
        "processing_days": proc.processing_days if proc else None,
        "cutoff": proc.cutoff if proc else None,
        "received_at": view.received_at,
        "clock_start_at": view.clock_start_at,
        "due_at": view.due_at,
        "extended_due_at": view.extended_due_at,
        "lines": [str(x) for x in data.get("clock") or []],
        "remote_area_extra_days": data.get("remote_area_extra_days") or 0,
        "suspensions": suspensions,
        "restarts": restarts,
        "apologies": [e["at"] for e in events if e["action"] == "apologise"],
    }


def vn_now() -> datetime:
    return datetime.now(intake.VN_TZ)
