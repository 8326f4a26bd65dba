"""The citizen portal: applying online page by page (``/thu-tuc/{code}/nop``), the citizen's dossiers
(``/ho-so-cua-toi``) and the citizen's own dossier page, with withdrawal, supplements and the due date
explained.

GOV.UK patterns: one thing per page, a back link, Continue; an error summary that takes focus and links
to the fields; check your answers with Change links; a confirmation panel with the dossier code. Every
page works without JavaScript (plain forms, post/redirect/get); the draft is saved at every page
(``core.dossiers.drafts``), so nothing typed on an earlier page is ever lost.
"""

from __future__ import annotations

import contextlib
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from core.catalogue import service as catalogue_service
from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotAllowed, NotFound, StaleVersion, Unavailable
from core.contract.specs import ProcedureSpec
from core.documents import estore
from core.dossiers import access, attachments, drafts, service
from core.dossiers.states import ACTION_LABELS, BEFORE_DECISION, CHANNEL_LABELS, STATE_LABELS, State
from core.identity.guards import reads_dossier, requires_login
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("ROUTES",)


def N_(message: str) -> str:
    """Mark a msgid for extraction; translated at render time."""
    return message


DELIVERY_LABELS = {
    "counter": N_("At the counter of the receiving agency"),
    "post": N_("By public post to an address"),
    "online": N_("Online (an electronic copy in your account)"),
}
NEXT_STEPS = {
    "draft": N_("Finish and submit your application"),
    "submitted": N_("Wait: the agency checks your application"),
    "supplement_requested": N_("Supply the documents asked for"),
    "result_ready": N_("Collect your result"),
}


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "action_labels": ACTION_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "delivery_labels": DELIVERY_LABELS,
        "next_steps": NEXT_STEPS,
    }


async def _form(request: Request) -> dict[str, Any]:
    """The posted form, a list for a name sent several times (checkboxes)."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        values = form.getall(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def _field_errors(exc: InvalidInput) -> dict[str | None, str]:
    return {(f or None): m for f, m in exc.errors} or {None: exc.message}


# --- start -------------------------------------------------------------------------------------------


async def _start_context(code: str) -> dict[str, Any]:
    proc = catalogue_service.procedure_or_404(code)
    return {"proc": proc, "agencies": await catalogue_service.agencies_offering(code)}


@get("/thu-tuc/{code:str}/nop", include_in_schema=False, name="portal_start", guards=[requires_login])
async def start_form(request: Request, code: str) -> Template:
    """Choose the receiving agency among those that take the procedure in."""
    ctx = await _start_context(code)
    status = 200 if ctx["agencies"] else 410
    return await page(
        request,
        "portal/start.html",
        {**ctx, "errors": {}, "chosen": "", "for_whom": "self"},
        status_code=status,
    )


@post("/thu-tuc/{code:str}/nop", include_in_schema=False, name="portal_start_post", guards=[requires_login])
async def start(request: Request, code: str) -> Template | Redirect:
    ctx = await _start_context(code)
    form = await _form(request)
    chosen = str(form.get("agency") or "")
    agency = next((a for a in ctx["agencies"] if str(a["id"]) == chosen), None)
    for_whom = str(form.get("for") or "self")
    errors: dict[str | None, str] = {}
    if agency is None:
        errors["agency"] = _("Choose the agency that will receive your application.")
    if for_whom not in ("self", "other"):
        errors["for"] = _("Choose whether you apply for yourself or for someone else.")
    if not errors and agency is not None:
        try:
            draft = await drafts.start(code, agency["id"], actor=request.user)
        except (InvalidInput, NotAllowed) as exc:
            errors = _field_errors(exc) if isinstance(exc, InvalidInput) else {None: exc.message}
        else:
            if for_whom == "other":
                return Redirect(f"/ho-so-cua-toi/{draft.id}/nguoi-uy-quyen", status_code=303)
            first = drafts.form_of(ctx["proc"]).pages[0].id
            return Redirect(f"/ho-so-cua-toi/{draft.id}/trang/{first}", status_code=303)
    return await page(
        request,
        "portal/start.html",
        {**ctx, "errors": errors, "chosen": chosen, "for_whom": for_whom},
        status_code=422,
    )


# --- the application, page by page ---------------------------------------------------------------


async def _draft(request: Request, ref: str):
    view = await drafts.citizen_view(request.user, ref)
    if view.applicant_id != request.user.id:
        raise access.not_found(ref)
    return view


def _procedure_of(view) -> ProcedureSpec:
    """The procedure of the citizen's dossier, as the catalogue has it now; a procedure the province
    has since withdrawn gets a clear page, not an error (the dossier itself is kept)."""
    proc = get_catalogue().procedure(view.procedure_code)
    if proc is None:
        raise Unavailable(
            f"Thủ tục {view.procedure_code} không còn được cung cấp trên cổng. Hồ sơ của bạn vẫn được lưu; "
            "vui lòng liên hệ bộ phận một cửa nơi tiếp nhận."
        )
    return proc


def _steps(proc, view) -> list[dict[str, Any]]:
    """The pages of the application in order (the task list of the check-answers page)."""
    form = drafts.form_of(proc)
    base = f"/ho-so-cua-toi/{view.id}"
    out: list[dict[str, Any]] = []
    if view.data.get("representative"):
        out.append({"id": "nguoi-uy-quyen", "title": None, "url": f"{base}/nguoi-uy-quyen"})
    out += [{"id": p.id, "title": p.title, "url": f"{base}/trang/{p.id}"} for p in form.pages]
    out.append({"id": "giay-to", "title": None, "url": f"{base}/giay-to"})
    out.append({"id": "nhan-ket-qua", "title": None, "url": f"{base}/nhan-ket-qua"})
    out.append({"id": "kiem-tra", "title": None, "url": f"{base}/kiem-tra"})
    return out


def _next_url(proc, view, current: str) -> str:
    steps = _steps(proc, view)
    ids = [s["id"] for s in steps]
    return steps[min(ids.index(current) + 1, len(steps) - 1)]["url"]


def _back_url(proc, view, current: str) -> str:
    steps = _steps(proc, view)
    ids = [s["id"] for s in steps]
    i = ids.index(current)
    return steps[i - 1]["url"] if i > 0 else f"/thu-tuc/{proc.code}"


def _shown_values(view) -> dict[str, Any]:
    """The saved answers as the fields show them (dates are stored as ISO text)."""
    from datetime import date

    proc = _procedure_of(view)
    dates = {f.name for f in drafts.form_of(proc).fields() if f.widget == "date"}
    out = dict(view.data)
    for name in dates & out.keys():
        with contextlib.suppress(ValueError):
            out[name] = date.fromisoformat(str(out[name]))
    return out


async def _render_page(request, view, page_id, values, errors, status_code=200) -> Template:
    proc = _procedure_of(view)
    form = drafts.form_of(proc)
    spec = next((p for p in form.pages if p.id == page_id), None)
    if spec is None:
        raise NotFound(f"Tờ khai không có trang '{page_id}'.")
    number = [p.id for p in form.pages].index(page_id) + 1
    ctx = {
        "d": view,
        "proc": proc,
        "form": form,
        "spec": spec,
        "number": number,
        "values": values,
        "errors": errors,
        "back_url": _back_url(proc, view, page_id),
        "from_check": request.query_params.get("tu") == "kiem-tra",
    }
    return await page(request, "portal/question.html", ctx, status_code=status_code)


@get(
    "/ho-so-cua-toi/{ref:str}/trang/{page_id:str}",
    include_in_schema=False,
    name="portal_page",
    guards=[reads_dossier],
)
async def question(request: Request, ref: str, page_id: str) -> Template | Redirect:
    view = await _draft(request, ref)
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    return await _render_page(request, view, page_id, _shown_values(view), {})


@post(
    "/ho-so-cua-toi/{ref:str}/trang/{page_id:str}",
    include_in_schema=False,
    name="portal_page_post",
    guards=[reads_dossier],
)
async def answer(request: Request, ref: str, page_id: str) -> Template | Redirect:
    """Check the page; keep everything typed on error (422), else save the draft and go on."""
    view = await _draft(request, ref)
    raw = await _form(request)
    try:
        view, errors = await drafts.save_page(view.id, actor=request.user, page_id=page_id, raw=raw)
    except InvalidInput as exc:
        errors = _field_errors(exc)
    if errors:
        return await _render_page(request, view, page_id, raw, errors, status_code=422)
    proc = _procedure_of(view)
    if raw.get("tu") == "kiem-tra":
        return Redirect(f"/ho-so-cua-toi/{view.id}/kiem-tra", status_code=303)
    return Redirect(_next_url(proc, view, page_id), status_code=303)


# --- on someone else's behalf ----------------------------------------------------------------------

PRINCIPAL_FIELDS = ("name", "id_number", "birth_date", "phone", "email", "address")
REPRESENTATIVE_TYPED = ("address", "document")


async def _render_principal(request, view, values, errors, status_code=200) -> Template:
    proc = _procedure_of(view)
    ctx = {
        "d": view,
        "proc": proc,
        "values": values,
        "errors": errors,
        "back_url": f"/thu-tuc/{proc.code}",
        "from_check": request.query_params.get("tu") == "kiem-tra",
        "me": request.user,
    }
    return await page(request, "portal/principal.html", ctx, status_code=status_code)


@get(
    "/ho-so-cua-toi/{ref:str}/nguoi-uy-quyen",
    include_in_schema=False,
    name="portal_principal",
    guards=[reads_dossier],
)
async def principal(request: Request, ref: str) -> Template | Redirect:
    """Applying for someone else: who the applicant is, and the authorisation (the signed-in account is
    the authorised representative)."""
    view = await _draft(request, ref)
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    rep = view.data.get("representative") or {}
    values: dict[str, Any] = {}
    if rep:
        values = {
            "applicant.name": view.applicant_name,
            "applicant.id_number": view.applicant_id_number,
            "applicant.phone": view.applicant_phone,
            "applicant.email": view.applicant_email,
            "applicant.address": view.applicant_address,
            "representative.address": rep.get("address", ""),
            "representative.document": rep.get("document", ""),
        }
    return await _render_principal(request, view, values, {})


@post(
    "/ho-so-cua-toi/{ref:str}/nguoi-uy-quyen",
    include_in_schema=False,
    name="portal_principal_post",
    guards=[reads_dossier],
)
async def principal_post(request: Request, ref: str) -> Template | Redirect:
    """Save who is applied for (everything typed kept on error, 422), or go back to applying for oneself."""
    view = await _draft(request, ref)
    form = await _form(request)
    proc = _procedure_of(view)
    first = f"/ho-so-cua-toi/{view.id}/trang/{drafts.form_of(proc).pages[0].id}"
    if form.get("_action") == "self":
        await drafts.apply_for_self(view.id, actor=request.user)
        flash(request, _("You now apply for yourself."))
        return Redirect(first, status_code=303)
    values = {
        **{f"applicant.{k}": str(form.get(f"applicant.{k}") or "") for k in PRINCIPAL_FIELDS},
        **{f"representative.{k}": str(form.get(f"representative.{k}") or "") for k in REPRESENTATIVE_TYPED},
    }
    view, errors = await drafts.save_principal(
        view.id,
        actor=request.user,
        applicant={k: values[f"applicant.{k}"] for k in PRINCIPAL_FIELDS},
        representative={k: values[f"representative.{k}"] for k in REPRESENTATIVE_TYPED},
    )
    if errors:
        return await _render_principal(request, view, values, errors, status_code=422)
    if form.get("tu") == "kiem-tra":
        return Redirect(f"/ho-so-cua-toi/{view.id}/kiem-tra", status_code=303)
    return Redirect(first, status_code=303)


# --- uploads -------------------------------------------------------------------------------------


async def _render_files(request, view, errors=None, status_code=200) -> Template:
    proc = _procedure_of(view)
    files = await attachments.list_for(view.id)
    slots = drafts.slots_of(proc, view)
    by_slot: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        by_slot.setdefault(f["document_code"], []).append(f)
    ctx = {
        "d": view,
        "proc": proc,
        "slots": slots,
        "by_slot": by_slot,
        "errors": errors or {},
        "back_url": _back_url(proc, view, "giay-to"),
        "next": _next_url(proc, view, "giay-to"),
        "max_mb": attachments.MAX_BYTES // 1048576,
    }
    return await page(request, "portal/files.html", ctx, status_code=status_code)


@get("/ho-so-cua-toi/{ref:str}/giay-to", include_in_schema=False, name="portal_files", guards=[reads_dossier])
async def files(request: Request, ref: str) -> Template | Redirect:
    view = await _draft(request, ref)
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    return await _render_files(request, view)


def _after_upload(view) -> str:
    if view.state == State.DRAFT:
        return f"/ho-so-cua-toi/{view.id}/giay-to"
    return f"/ho-so-cua-toi/{view.code or view.id}/bo-sung"


@post(
    "/ho-so-cua-toi/{ref:str}/giay-to",
    include_in_schema=False,
    name="portal_upload",
    guards=[reads_dossier],
    request_max_body_size=attachments.MAX_BYTES + 64 * 1024,
)
async def upload(request: Request, ref: str) -> Template | Redirect:
    """One file into one checklist slot; a refused file is named at its slot, the others stay."""
    view = await _draft(request, ref)
    form = await request.form()
    slot = str(form.get("document_code") or "")
    file = form.get("file")
    errors: dict[str | None, str] = {}
    asked = await drafts.supplement_request(view) if view.state == State.SUPPLEMENT_REQUESTED else None
    if not isinstance(file, UploadFile) or not (file.filename or ""):
        errors[f"file-{slot}"] = _("Choose a file to upload.")
    elif asked is not None and asked["structured"] and slot not in {s.code for s in asked["slots"]}:
        errors[f"file-{slot}"] = _(
            "The agency did not ask for this document: upload only those it asked for."
        )
    else:
        try:
            await attachments.add(
                str(view.id),
                actor=request.user,
                document_code=slot,
                filename=file.filename or "",
                content=await file.read(),
            )
        except InvalidInput as exc:
            errors = {f"file-{slot}": m for _f, m in exc.errors} or {f"file-{slot}": exc.message}
        except NotAllowed as exc:
            errors = {f"file-{slot}": exc.message}
    if errors:
        if view.state == State.DRAFT:
            return await _render_files(request, view, errors, status_code=422)
        return await _render_supplement(request, view, errors=errors, status_code=422)
    flash(request, _("File uploaded."))
    return Redirect(_after_upload(view), status_code=303)


@post(
    "/ho-so-cua-toi/{ref:str}/giay-to/{attachment_id:int}/go",
    include_in_schema=False,
    name="portal_remove_file",
    guards=[reads_dossier],
)
async def remove_file(request: Request, ref: str, attachment_id: int) -> Redirect:
    view = await _draft(request, ref)
    try:
        await attachments.remove(view.id, actor=request.user, attachment_id=attachment_id)
    except NotAllowed as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, _("File removed."))
    return Redirect(_after_upload(view), status_code=303)


# --- delivery, check answers, submit, confirmation -------------------------------------------------


async def _render_delivery(request, view, values, errors, status_code=200) -> Template:
    proc = _procedure_of(view)
    ctx = {
        "d": view,
        "proc": proc,
        "values": values,
        "errors": errors,
        "choices": [c for c in proc.result_channels if c in drafts.RESULT_CHANNELS],
        "back_url": _back_url(proc, view, "nhan-ket-qua"),
        **_labels(),
    }
    return await page(request, "portal/delivery.html", ctx, status_code=status_code)


@get(
    "/ho-so-cua-toi/{ref:str}/nhan-ket-qua",
    include_in_schema=False,
    name="portal_delivery",
    guards=[reads_dossier],
)
async def delivery(request: Request, ref: str) -> Template | Redirect:
    view = await _draft(request, ref)
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    values = {"result_channel": view.result_channel, "address": view.applicant_address}
    return await _render_delivery(request, view, values, {})


@post(
    "/ho-so-cua-toi/{ref:str}/nhan-ket-qua",
    include_in_schema=False,
    name="portal_delivery_post",
    guards=[reads_dossier],
)
async def delivery_post(request: Request, ref: str) -> Template | Redirect:
    view = await _draft(request, ref)
    form = await _form(request)
    values = {"result_channel": str(form.get("result_channel") or ""), "address": form.get("address") or ""}
    view, errors = await drafts.save_delivery(
        view.id, actor=request.user, channel=values["result_channel"], address=str(values["address"])
    )
    if errors:
        return await _render_delivery(request, view, values, errors, status_code=422)
    return Redirect(f"/ho-so-cua-toi/{view.id}/kiem-tra", status_code=303)


async def _render_check(request, view, errors=None, status_code=200) -> Template:
    from core.fees import service as fees
    from core.forms.engine import display_value, shown

    proc = _procedure_of(view)
    form = drafts.form_of(proc)
    answers = []
    shown_values = _shown_values(view)
    for p in form.pages:
        if not shown(p.show_if, view.data):
            continue
        rows = [
            {"label": f.label, "value": display_value(f, shown_values.get(f.name), "vi"), "name": f.name}
            for f in p.fields
            if shown(f.show_if, view.data)
        ]
        answers.append({"page": p, "rows": rows, "url": f"/ho-so-cua-toi/{view.id}/trang/{p.id}?tu=kiem-tra"})
    files = await attachments.list_for(view.id)
    names = {s.code: s.name for s in drafts.slots_of(proc, view)}
    agency = view.receiving_agency
    quote = await fees.quote(proc, view.data, agency=agency, channel="online")  # submitted online
    problems = await drafts.problems(view, request.user)
    ctx = {
        "d": view,
        "proc": proc,
        "answers": answers,
        "files": files,
        "slot_names": names,
        "quote": quote,
        "problems": problems,
        "errors": errors or {},
        "back_url": _back_url(proc, view, "kiem-tra"),
        **_labels(),
    }
    return await page(request, "portal/check.html", ctx, status_code=status_code)


@get(
    "/ho-so-cua-toi/{ref:str}/kiem-tra", include_in_schema=False, name="portal_check", guards=[reads_dossier]
)
async def check(request: Request, ref: str) -> Template | Redirect:
    view = await _draft(request, ref)
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    return await _render_check(request, view)


@post("/ho-so-cua-toi/{ref:str}/nop", include_in_schema=False, name="portal_submit", guards=[reads_dossier])
async def submit(request: Request, ref: str) -> Template | Redirect:
    """Submit the draft. The form carries the version the page showed (its token): a second click
    finds the dossier already submitted and goes to the same confirmation, so one dossier is filed."""
    view = await _draft(request, ref)
    form = await _form(request)
    token = str(form.get("version") or "")
    if view.state != State.DRAFT:
        return Redirect(f"/ho-so-cua-toi/{view.code}/da-nop", status_code=303)
    if not token.isdigit():
        return await _render_check(request, view, {None: _("Reload the page and try again.")}, 422)
    try:
        done = await drafts.submit(view.id, actor=request.user, version=int(token))
    except InvalidInput as exc:
        return await _render_check(request, await _draft(request, ref), _field_errors(exc), 422)
    except StaleVersion:
        now = await _draft(request, ref)
        if now.state != State.DRAFT:  # the first click went through
            return Redirect(f"/ho-so-cua-toi/{now.code}/da-nop", status_code=303)
        msg = _("Your application changed in another window: check it again, then submit.")
        return await _render_check(request, now, {None: msg}, 409)
    return Redirect(f"/ho-so-cua-toi/{done.code}/da-nop", status_code=303)


@get(
    "/ho-so-cua-toi/{ref:str}/da-nop",
    include_in_schema=False,
    name="portal_confirmation",
    guards=[reads_dossier],
)
async def confirmation(request: Request, ref: str) -> Template:
    view = await drafts.citizen_view(request.user, ref)
    proc = _procedure_of(view)
    return await page(request, "portal/confirmation.html", {"d": view, "proc": proc, **_labels()})


@get(
    "/ho-so-cua-toi/{ref:str}/bien-nhan.pdf",
    include_in_schema=False,
    name="portal_record",
    guards=[reads_dossier],
)
async def record(request: Request, ref: str) -> Response[bytes]:
    """The record of the online submission as a PDF (rendered in a worker thread)."""
    import anyio

    from core.documents.qr import qr_svg_data_uri, status_url
    from core.documents.render import html_to_pdf, render_html, vn_days

    view = await drafts.citizen_view(request.user, ref)
    if not view.code or view.submitted_at is None:
        raise access.not_found(ref)
    proc = _procedure_of(view)
    names = {s.code: s.name.vi for s in [*proc.documents, *drafts.slots_of(proc, view)]}
    url = status_url(view.code)
    ctx = {
        "agency": {"name": view.receiving_agency.name, "parent_name": ""},
        "issued_at": view.submitted_at,
        "place": "",
        "code": view.code,
        "status_url": url,
        "qr": qr_svg_data_uri(url),
        "procedure": proc.name.vi,
        "days": vn_days(proc.processing_days),
        "applicant": {"name": view.applicant_name, "id_number": view.applicant_id_number},
        "representative": view.data.get("representative") or None,
        "channel": {
            "counter": "Nhận trực tiếp tại bộ phận một cửa",
            "post": f"Qua bưu chính công ích, về địa chỉ: {view.applicant_address}",
            "online": "Trực tuyến",
        }.get(view.result_channel, view.result_channel),
        "files": [
            {**f, "slot": names.get(f["document_code"], f["document_code"])}
            for f in await attachments.list_for(view.id)
        ],
    }
    html = render_html("portal/record_print.html", ctx)
    pdf = await anyio.to_thread.run_sync(
        lambda: html_to_pdf(
            html,
            title=f"Biên nhận {view.code}",
            created=view.submitted_at or view.created_at,
            key=f"record:{view.code}",
        )
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="bien-nhan-{view.code}.pdf"'},
    )


# --- my dossiers -------------------------------------------------------------------------------------


@get("/ho-so-cua-toi", include_in_schema=False, name="portal_mine", guards=[requires_login])
async def mine(request: Request) -> Template:
    """The citizen's drafts and dossiers (those opened at the counter under the same CCCD too)."""
    from core.fees import service as fees

    rows = await drafts.mine(request.user)
    due = await fees.dues([r["id"] for r in rows if r["state"] not in ("draft", "stopped", "refused")])
    for r in rows:
        r["to_pay"] = due.get(r["id"], 0)
    return await page(request, "portal/mine.html", {"rows": rows, **_labels()})


RESULT_STATES = ("result_ready", "returned", "closed")
"""States in which the dossier's result has been issued."""


async def _results(view, events: list, to_pay: int) -> dict[str, Any]:
    """The result for the applicant: the issued result documents to download when it is returned online
    (once the fees are paid), and the postal tracking number the post office's agent recorded when it
    went by post (``return_result``)."""
    from core.documents.hooks import kind_label
    from core.documents.tables import GeneratedDocument

    returned = next((e for e in reversed(events) if e.action == "return_result"), None)
    data: dict[str, Any] = dict(returned.data or {}) if returned is not None else {}
    tracking = (data.get("receiver") or {}).get("tracking") if data.get("channel") == "post" else None
    docs: list[dict[str, Any]] = []
    online = (data.get("channel") or view.result_channel) == "online"
    if online and view.state in RESULT_STATES and to_pay <= 0:
        rows = await GeneratedDocument.select(
            GeneratedDocument.id,
            GeneratedDocument.kind,
            GeneratedDocument.number,
            GeneratedDocument.status,
            GeneratedDocument.validity,
            GeneratedDocument.public_id,
            GeneratedDocument.ready_at,
        ).where((GeneratedDocument.dossier == view.id) & GeneratedDocument.kind.like("result:%"))
        docs = [{**r, "label": kind_label(r["kind"])} for r in rows]
    return {
        "online": online and view.state in RESULT_STATES,
        "documents": docs,
        "tracking": tracking,
        "sent_at": returned.at if returned is not None and tracking else None,
        "blocked_by_fee": online and view.state in RESULT_STATES and to_pay > 0,
    }


async def _render_dossier(request, view, *, errors=None, values=None, status_code=200) -> Template:
    from core.fees import service as fees

    proc = _procedure_of(view)
    events = await service.events(view.id)
    own = view.applicant_id == request.user.id
    to_pay = (await fees.totals(view.id))["due"] if view.state != "draft" else 0
    ctx = {
        "d": view,
        "proc": proc,
        "events": events,
        "files": await attachments.list_for(view.id),
        "slot_names": {s.code: s.name for s in [*proc.documents, *drafts.slots_of(proc, view)]},
        "to_pay": to_pay,
        "results": await _results(view, events, to_pay),
        "explain": await drafts.due_explanation(view),
        "supplement": await drafts.supplement_request(view),
        "may_withdraw": own and view.state in BEFORE_DECISION,
        "signed_results": await estore.signed_results(view.id),
        "own": own,
        "errors": errors or {},
        "values": values or {},
        **_labels(),
    }
    return await page(request, "portal/dossier.html", ctx, status_code=status_code)


@get("/ho-so-cua-toi/{ref:str}", include_in_schema=False, name="portal_dossier", guards=[reads_dossier])
async def dossier(request: Request, ref: str) -> Template:
    view = await drafts.citizen_view(request.user, ref)
    return await _render_dossier(request, view)


@post("/ho-so-cua-toi/{ref:str}/rut", include_in_schema=False, name="portal_withdraw", guards=[reads_dossier])
async def withdraw(request: Request, ref: str) -> Template | Redirect:
    """Withdraw the dossier before it is decided (the lifecycle's ``stop``, form 05), with a reason."""
    view = await _draft(request, ref)
    form = await _form(request)
    reason = str(form.get("reason") or "").strip()
    values = {"reason": reason}
    token = str(form.get("version") or "")
    if not reason:
        errors = {"reason": _("Say why you withdraw the dossier.")}
        return await _render_dossier(request, view, errors=errors, values=values, status_code=422)
    try:
        await service.perform(
            view.id, "stop", actor=request.user, version=int(token) if token.isdigit() else None, note=reason
        )
    except InvalidInput as exc:
        errs = {("reason" if f in ("note", None) else f): m for f, m in exc.errors} or {"reason": exc.message}
        return await _render_dossier(request, view, errors=errs, values=values, status_code=422)
    except (NotAllowed, StaleVersion) as exc:
        now = await _draft(request, ref)
        return await _render_dossier(request, now, errors={None: exc.message}, values=values, status_code=409)
    flash(request, _("Your dossier was withdrawn."))
    return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)


@get(
    "/ho-so-cua-toi/{ref:str}/ket-qua/{filename:str}",
    include_in_schema=False,
    name="portal_result",
    guards=[reads_dossier],
)
async def result_download(request: Request, ref: str, filename: str) -> Response[bytes]:
    """The electronic result, for its applicant only (staff have the dossier's documents page): an
    issued result document of the dossier returned online, once its fees are paid; the same 404 as an
    unknown dossier for anyone else, and for anything else."""
    import anyio

    from core.documents import service as documents
    from core.fees import service as fees

    view = await drafts.citizen_view(request.user, ref)
    stem, _dot, ext = filename.rpartition(".")
    if ext != "pdf" or not stem.isdigit():
        raise access.not_found(ref)
    events = await service.events(view.id)
    results = await _results(view, events, (await fees.totals(view.id))["due"])
    doc = next((d for d in results["documents"] if d["id"] == int(stem) and d["status"] == "ready"), None)
    if doc is None:
        raise access.not_found(ref)
    row = await documents.get_document(doc["id"])
    body = await anyio.to_thread.run_sync(documents.read_file, row)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="ket-qua-{view.code}-{doc["id"]}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


# --- supplements ---------------------------------------------------------------------------------


async def _render_supplement(request, view, *, errors=None, values=None, status_code=200) -> Template:
    request_ = await drafts.supplement_request(view)
    proc = _procedure_of(view)
    files = await attachments.list_for(view.id)
    by_slot: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        by_slot.setdefault(f["document_code"], []).append(f)
    new_ids = {u["id"] for u in (request_ or {}).get("uploaded", [])}
    ctx = {
        "d": view,
        "proc": proc,
        "req": request_,
        "by_slot": by_slot,
        "new_ids": new_ids,
        "errors": errors or {},
        "values": values if values is not None else _shown_values(view),
        "max_mb": attachments.MAX_BYTES // 1048576,
    }
    return await page(request, "portal/supplement.html", ctx, status_code=status_code)


@get(
    "/ho-so-cua-toi/{ref:str}/bo-sung",
    include_in_schema=False,
    name="portal_supplement",
    guards=[reads_dossier],
)
async def supplement(request: Request, ref: str) -> Template | Redirect:
    view = await _draft(request, ref)
    if view.state != State.SUPPLEMENT_REQUESTED:
        return Redirect(f"/ho-so-cua-toi/{view.code or view.id}", status_code=303)
    return await _render_supplement(request, view)


@post(
    "/ho-so-cua-toi/{ref:str}/bo-sung",
    include_in_schema=False,
    name="portal_supplement_post",
    guards=[reads_dossier],
)
async def supplement_post(request: Request, ref: str) -> Template | Redirect:
    """Send back what was asked for; the clerk sees the list of what changed in the event's note."""
    view = await _draft(request, ref)
    form = await _form(request)
    token = str(form.get("version") or "")
    try:
        done, errors = await drafts.supply(
            view.id, actor=request.user, version=int(token) if token.isdigit() else view.version, raw=form
        )
    except (InvalidInput, NotAllowed, StaleVersion) as exc:
        errors = _field_errors(exc) if isinstance(exc, InvalidInput) else {None: exc.message}
        done = None
    if errors or done is None:
        now = await _draft(request, ref)
        return await _render_supplement(request, now, errors=errors, values=form, status_code=422)
    flash(request, _("Thank you: the agency has your documents and goes on with your dossier."))
    return Redirect(f"/ho-so-cua-toi/{done.code or done.id}", status_code=303)


ROUTES = [
    start_form,
    start,
    principal,
    principal_post,
    question,
    answer,
    files,
    upload,
    remove_file,
    delivery,
    delivery_post,
    check,
    submit,
    confirmation,
    record,
    mine,
    dossier,
    withdraw,
    result_download,
    supplement,
    supplement_post,
]
