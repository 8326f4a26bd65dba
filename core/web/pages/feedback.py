"""Feedback pages: rating a finished dossier (``/danh-gia/{code}``), complaints and suggestions
(``/phan-anh``: published answers, the form, the confirmation) and the staff's answers
(``/can-bo/phan-anh``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.contract.errors import Conflict, InvalidInput
from core.feedback import service
from core.identity.guards import public, requires_staff
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, staff
from core.web.render import flash, page

__all__ = ("ROUTES",)

STAFF_ONLY = [requires_staff(message="Trả lời phản ánh, kiến nghị chỉ dành cho cán bộ, công chức.")]
menu_entry("/can-bo/phan-anh", N_("Complaints and suggestions"), staff, order=45)

COMPLAINT_FIELDS = (
    "kind",
    "dossier_code",
    "agency_id",
    "subject",
    "content",
    "sender_name",
    "sender_phone",
    "sender_email",
    "consent_publish",
)


def _errors(exc: InvalidInput, default: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for field_name, message in exc.errors:
        out.setdefault(field_name or default, message)
    return out


# --- Rating -------------------------------------------------------------------------------------------


async def _rating_page(request: Request, code: str, key: str, **extra: Any) -> Template:
    target = await service.rating_target(code, request.user, key)
    ctx = {
        "code": code,
        "key": key if target["via"] == "receipt" else "",
        "target": target,
        "finished": target["state"] in service.RATEABLE_STATES,
        "scores": list(service.SCORES.items()),
        "form": {"score": "", "comment": ""},
        "errors": {},
        "comment_max": service.COMMENT_MAX,
        **extra,
    }
    return await page(request, "feedback/rate.html", ctx, status_code=422 if ctx["errors"] else 200)


@get(
    "/danh-gia/{code:str}",
    include_in_schema=False,
    name="rate_dossier",
    opt=public(
        "rating page: only the applicant signed in or the holder of the receipt's key; others get 404"
    ),
)
async def rate_page(request: Request, code: str, k: str = "") -> Template:
    """How satisfied the applicant is with a finished dossier (once)."""
    return await _rating_page(request, code, k[:64])


@post(
    "/danh-gia/{code:str}",
    include_in_schema=False,
    name="rate_dossier_send",
    status_code=200,
    opt=public(
        "rating page: only the applicant signed in or the holder of the receipt's key; others get 404"
    ),
)
async def rate_send(request: Request, code: str) -> Template | Redirect:
    form = await request.form()
    key = str(form.get("k", ""))[:64]
    values = {"score": str(form.get("score", "")), "comment": str(form.get("comment", ""))}
    try:
        await service.rate(code, request.user, values["score"], values["comment"], key=key)
    except InvalidInput as exc:
        return await _rating_page(request, code, key, form=values, errors=_errors(exc, "score"))
    except Conflict:
        flash(request, _("This dossier has already been rated. Thank you."), "info")
        return Redirect(f"/danh-gia/{code}" + (f"?k={key}" if key else ""), status_code=303)
    flash(request, _("Thank you for rating the handling of your dossier."))
    return Redirect(f"/danh-gia/{code}" + (f"?k={key}" if key else ""), status_code=303)


# --- Complaints and suggestions ----------------------------------------------------------------------


@get(
    "/phan-anh",
    include_in_schema=False,
    name="complaints_public",
    opt=public("published answers to complaints and suggestions, without personal data"),
)
async def complaints_public(request: Request) -> Template:
    """Published answers, newest first, and the way to send one."""
    rows = await service.published_answers()
    return await page(request, "feedback/public.html", {"answers": rows, "kinds": service.KINDS})


async def _agencies() -> list[tuple[int, str]]:
    from core.identity.tables import Agency

    rows = await Agency.select(Agency.id, Agency.name).order_by(Agency.code)
    return [(r["id"], r["name"]) for r in rows]


async def _complaint_form(
    request: Request, form: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Template:
    ctx = {
        "form": form,
        "errors": errors,
        "kinds": list(service.KINDS.items()),
        "agencies": await _agencies(),
        "days": service.COMPLAINT_DAYS,
    }
    return await page(request, "feedback/send.html", ctx, status_code=status_code)


@get(
    "/phan-anh/gui",
    include_in_schema=False,
    name="complaint_form",
    opt=public("anyone may send a complaint or suggestion"),
)
async def complaint_form(request: Request, ho_so: str = "") -> Template:
    user = request.user
    form = dict.fromkeys(COMPLAINT_FIELDS, "")
    form.update(kind="complaint", dossier_code=ho_so[:64])
    if user is not None:
        form["sender_name"] = getattr(user, "full_name", "") or ""
    return await _complaint_form(request, form, {})


@post(
    "/phan-anh/gui",
    include_in_schema=False,
    name="complaint_send",
    status_code=200,
    opt=public("anyone may send a complaint or suggestion"),
)
async def complaint_send(request: Request) -> Template | Redirect:
    """Send a complaint or suggestion. Every sending counts against the sender's address (the
    ``complaint`` rate limit of ``core.identity.throttle``, shared by every process): over it, the form
    comes back with everything typed and says when to try again (429)."""
    from core.contract.errors import TooManyRequests
    from core.identity import throttle

    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:5000] for k in COMPLAINT_FIELDS}
    user = request.user
    try:
        await throttle.limit("complaint", request.client.host if request.client else "")
    except TooManyRequests as exc:
        response = await _complaint_form(request, form, {"form": exc.message}, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    try:
        sent = await service.submit_complaint(form, user=user)
    except InvalidInput as exc:
        return await _complaint_form(request, form, _errors(exc, "content"), status_code=422)
    return Redirect(f"/phan-anh/da-gui/{sent['number']}", status_code=303)


@get(
    "/phan-anh/da-gui/{number:str}",
    include_in_schema=False,
    name="complaint_sent",
    opt=public("confirmation: the complaint's number and due date only, no personal data"),
)
async def complaint_sent(request: Request, number: str) -> Template:
    from core.contract.errors import NotFound
    from core.feedback.tables import Complaint

    row = (
        await Complaint.select(Complaint.number, Complaint.due_on, Complaint.status)
        .where(Complaint.number == number[:20])
        .first()
    )
    if row is None:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị.")
    return await page(request, "feedback/sent.html", {"c": row})


# --- Staff -----------------------------------------------------------------------------------------------


@get("/can-bo/phan-anh", include_in_schema=False, name="complaints_staff", guards=STAFF_ONLY)
async def complaints_staff(request: Request, trang_thai: str = "open") -> Template:
    status = trang_thai if trang_thai in ("open", "answered") else "open"
    from core.contract.vntime import vn_today

    rows = await service.complaints_for_staff(request.user, status)
    return await page(
        request,
        "feedback/staff_list.html",
        {"rows": rows, "status": status, "kinds": service.KINDS, "today": vn_today()},
    )


async def _answer_page(request: Request, complaint_id: int, **extra: Any) -> Template:
    c = await service.complaint(complaint_id, request.user)
    ctx = {
        "c": c,
        "kinds": service.KINDS,
        "form": {"answer": "", "public_question": "", "publish": ""},
        "errors": {},
        **extra,
    }
    return await page(request, "feedback/answer.html", ctx, status_code=422 if ctx["errors"] else 200)


@get(
    "/can-bo/phan-anh/{complaint_id:int}", include_in_schema=False, name="complaint_answer", guards=STAFF_ONLY
)
async def complaint_answer(request: Request, complaint_id: int) -> Template:
    return await _answer_page(request, complaint_id)


@post(
    "/can-bo/phan-anh/{complaint_id:int}",
    include_in_schema=False,
    name="complaint_answer_send",
    status_code=200,
    guards=STAFF_ONLY,
)
async def complaint_answer_send(request: Request, complaint_id: int) -> Template | Redirect:
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:5000] for k in ("answer", "public_question", "publish")}
    try:
        await service.answer_complaint(
            complaint_id,
            request.user,
            form["answer"],
            publish=form["publish"] in ("1", "on"),
            public_question=form["public_question"],
        )
    except InvalidInput as exc:
        return await _answer_page(request, complaint_id, form=form, errors=_errors(exc, "answer"))
    except Conflict as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, _("Answer recorded."))
    return Redirect(f"/can-bo/phan-anh/{complaint_id}", status_code=303)


ROUTES = [
    rate_page,
    rate_send,
    complaints_public,
    complaint_form,
    complaint_send,
    complaint_sent,
    complaints_staff,
    complaint_answer,
    complaint_answer_send,
]
