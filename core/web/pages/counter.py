"""The counter (Bộ phận tiếp nhận và trả kết quả): the desk's home (``/quay``), walk-in intake
(``/quay/tiep-nhan``), online dossiers waiting for intake, handing results back (``/quay/tra-ket-qua``)
and the counter's cash book (``/quay/so-quy``).

Pages parse and render; the dossier changes go through the lifecycle service (create, receive,
refuse, supplement, return the result), payments through core.fees, the book through core.counter.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from core.catalogue.registry import get_catalogue
from core.catalogue.search import search
from core.contract.errors import InvalidInput, NotAllowed, NotFound
from core.contract.vntime import vn_today
from core.counter import cashbook, desk
from core.documents.access import dossier_for_user
from core.documents.context import RESULT_CHANNEL_LABELS
from core.dossiers import service
from core.dossiers.actions import RECEIVER_RELATIONS
from core.dossiers.states import CHANNEL_LABELS, STATE_LABELS
from core.fees import service as fees
from core.forms.validators import ADDRESS_MAX, EMAIL_MAX, IDENTIFIER_MAX, NAME_MAX, SHORT_TEXT_MAX
from core.identity import kept_forms
from core.identity.guards import requires_role
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, with_role
from core.web.render import flash, page

__all__ = ("ROUTES",)

DESK = requires_role(
    "receiver", message="Chỉ cán bộ Bộ phận tiếp nhận và trả kết quả được dùng các trang của quầy."
)
menu_entry("/quay", N_("Counter"), with_role("receiver"), order=6)

REASON_MAX = 2000
SEARCH_MAX = 200
APPLICANT_FIELDS = (
    ("name", NAME_MAX),
    ("id_number", IDENTIFIER_MAX),
    ("phone", IDENTIFIER_MAX),
    ("email", EMAIL_MAX),
    ("address", ADDRESS_MAX),
)
REPRESENTATIVE_FIELDS = (
    ("name", NAME_MAX),
    ("id_number", IDENTIFIER_MAX),
    ("phone", IDENTIFIER_MAX),
    ("address", ADDRESS_MAX),
    ("document", SHORT_TEXT_MAX),
)
"""The optional person filing on the applicant's behalf (``intake.create(representative=...)``)."""
RELATION_LABELS = {
    "holder": "Chính chủ (người đứng tên hồ sơ)",
    "authorised": "Người được ủy quyền",
    "representative": "Người đại diện tổ chức",
}


# --- the desk: which agency and which counter -----------------------------------------------------


def _desk(request: Request) -> tuple[dict[str, Any], int]:
    """The agency this clerk receives for (the one chosen, else their first) and their counter number."""
    user = request.user
    ids = user.agencies_with("receiver")
    chosen = (request.session or {}).get("counter") or {}
    agency_id = chosen.get("agency") if chosen.get("agency") in ids else ids[0]
    info = user.agencies.get(agency_id) or {}
    agency = {"id": agency_id, "code": info.get("code", ""), "name": info.get("name", "")}
    return agency, cashbook.parse_counter(chosen.get("no")) or 1


def _desk_context(request: Request) -> dict[str, Any]:
    agency, number = _desk(request)
    user = request.user
    choices = [(a, user.agencies.get(a, {}).get("name", str(a))) for a in user.agencies_with("receiver")]
    return {"agency": agency, "counter_no": number, "agency_choices": choices}


@get("/quay", include_in_schema=False, name="counter_home", guards=[DESK])
async def counter_home(request: Request) -> Template:
    """The desk's home: intake, online dossiers waiting, results to hand back, the cash book."""
    ctx = _desk_context(request)
    ctx["counts"] = await desk.counts([ctx["agency"]["id"]])
    rows = await cashbook.lines(ctx["agency"]["id"], ctx["counter_no"], vn_today())
    ctx["book"] = cashbook.totals(rows)
    ctx["closed"] = await cashbook.closing(ctx["agency"]["id"], ctx["counter_no"], vn_today())
    ctx.setdefault("errors", {})
    return await page(request, "counter/home.html", ctx)


@post("/quay/ban-lam-viec", include_in_schema=False, name="counter_seat", guards=[DESK])
async def counter_seat(request: Request) -> Template | Redirect:
    """Choose the agency and the counter number this clerk works at (kept in the session)."""
    form = await request.form()
    ids = request.user.agencies_with("receiver")
    agency_text = str(form.get("agency") or "").strip()
    number = cashbook.parse_counter(form.get("counter_no"))
    errors = {}
    if not agency_text.isdigit() or int(agency_text) not in ids:
        errors["agency"] = "Chọn cơ quan bạn làm cán bộ tiếp nhận."
    if number is None:
        errors["counter_no"] = f"Số quầy là số nguyên từ 1 đến {cashbook.COUNTER_MAX}."
    if errors:
        ctx = _desk_context(request)
        ctx.update(errors=errors, counts=await desk.counts([ctx["agency"]["id"]]), book=None, closed=None)
        ctx["typed_counter"] = str(form.get("counter_no") or "")[:10]
        return await page(request, "counter/home.html", ctx, status_code=422)
    request.set_session({**(request.session or {}), "counter": {"agency": int(agency_text), "no": number}})
    flash(request, _("You are at counter %(number)s.", number=number))
    return Redirect("/quay", status_code=303)


# --- walk-in intake -------------------------------------------------------------------------------


def _raw_answers(form: Any, spec: Any) -> dict[str, Any]:
    """What was typed in the procedure's form, as the form engine reads it (lists for checkboxes)."""
    raw: dict[str, Any] = {}
    for pg in spec.pages:
        for f in pg.fields:
            if f.widget == "checkbox" and f.choices:
                raw[f.name] = [str(v) for v in form.getall(f.name)] if f.name in form else []
            elif f.name in form:
                raw[f.name] = str(form.get(f.name))
    return raw


def _checklist(proc: Any, form: Any | None) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The procedure's checklist with what the clerk ticked (received, originals, copies) and errors."""
    rows, errors = [], {}
    for doc in proc.documents:
        key = f"doc.{doc.code}"
        if form is None:
            rows.append({"spec": doc, "received": False, "originals": doc.originals, "copies": doc.copies})
            continue
        row = {"spec": doc, "received": bool(form.get(key))}
        for part in ("originals", "copies"):
            text = str(form.get(f"{key}.{part}") or "0").strip()[:3]
            row[part] = text
            if not text.isdigit() or int(text) > 99:
                errors[f"{key}.{part}"] = "Số bản là số nguyên từ 0 đến 99."
        if row["received"] and not errors and int(row["originals"]) + int(row["copies"]) == 0:
            errors[f"{key}.originals"] = f"“{doc.name.vi}”: ghi số bản chính hoặc bản sao đã nhận."
        rows.append(row)
    return rows, errors


def _intake_context(request: Request, proc: Any, form: Any | None) -> dict[str, Any]:
    spec = get_catalogue().forms[proc.form]
    checklist, _errors = _checklist(proc, form)
    values = _raw_answers(form, spec) if form is not None else {}
    applicant = {k: str(form.get(f"applicant.{k}") or "")[:m] for k, m in APPLICANT_FIELDS} if form else {}
    representative = (
        {k: str(form.get(f"representative.{k}") or "")[:m] for k, m in REPRESENTATIVE_FIELDS} if form else {}
    )
    return {
        **_desk_context(request),
        "proc": proc,
        "form_spec": spec,
        "values": values,
        "applicant": applicant,
        "representative": representative,
        "checklist": checklist,
        "result_channel": str(form.get("result_channel") or "") if form else "counter",
        "result_choices": [(c, RESULT_CHANNEL_LABELS.get(c, c)) for c in proc.result_channels],
        "reason": str(form.get("reason") or "")[:REASON_MAX] if form else "",
        "items": str(form.get("items") or "")[:REASON_MAX] if form else "",
        "errors": {},
        "found": None,
    }


@get("/quay/tiep-nhan", include_in_schema=False, name="counter_intake", guards=[DESK])
async def counter_intake(request: Request, q: str = "", thu_tuc: str = "") -> Template:
    """Pick the procedure (searched without diacritics), then the whole intake form on one page."""
    proc = get_catalogue().procedure(thu_tuc) if thu_tuc else None
    if proc is not None:
        kept = await kept_forms.take(request, post_prefix="/quay/tiep-nhan")
        form = kept[0] if kept and kept[0].get("thu_tuc") == proc.code else None
        if form is not None:
            flash(
                request,
                _("Your session had expired: what you typed is kept here. Check it and send again."),
                "info",
            )
        return await page(request, "counter/intake.html", _intake_context(request, proc, form))
    agency, _n = _desk(request)
    q = q[:SEARCH_MAX]
    hits = await search(q, agency_code=agency["code"]) if q.strip() else []
    errors = {"thu_tuc": "Không có thủ tục này tại cơ quan; hãy tìm lại."} if thu_tuc else {}
    return await page(
        request,
        "counter/pick.html",
        {**_desk_context(request), "q": q, "hits": hits, "searched": bool(q.strip()), "errors": errors},
        block="results" if request.headers.get("hx-target") == "results" else "main",
    )


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    return {(f or "form"): m for f, m in exc.errors} or {"form": exc.message}


async def _intake_fail(request: Request, ctx: dict[str, Any], errors: dict[str, str]) -> Template:
    ctx["errors"] = errors
    return await page(request, "counter/intake.html", ctx, status_code=422)


@post("/quay/tiep-nhan", include_in_schema=False, name="counter_intake_post", guards=[DESK])
async def counter_intake_post(request: Request) -> Template | Redirect:
    """Look up a returning applicant, or in one step: receive (form 01), refuse (form 03) or hand a
    supplement guide (form 02). Everything typed is kept when something is wrong."""
    form = await request.form()
    proc = get_catalogue().procedure(str(form.get("thu_tuc") or ""))
    if proc is None:
        return Redirect("/quay/tiep-nhan", status_code=303)
    ctx = _intake_context(request, proc, form)
    agency = ctx["agency"]
    action = str(form.get("_action") or "")
    if action == "lookup":
        found = await desk.returning_applicant(ctx["applicant"].get("id_number", ""), [agency["id"]])
        if found is None:
            return await _intake_fail(
                request, ctx, {"applicant.id_number": "Chưa có hồ sơ nào của số định danh này tại cơ quan."}
            )
        ctx["applicant"] = {k: found[k] for k, _m in APPLICANT_FIELDS}
        ctx["found"] = found["source"]
        return await page(request, "counter/intake.html", ctx)
    if action not in ("receive", "refuse", "supplement"):
        return await _intake_fail(request, ctx, {"form": "Chọn: tiếp nhận, từ chối hoặc hướng dẫn bổ sung."})
    _rows, errors = _checklist(proc, form)
    if action == "receive":
        missing = [r["spec"] for r in ctx["checklist"] if r["spec"].required and not r["received"]]
        for doc in missing:
            errors.setdefault(
                f"doc.{doc.code}",
                f"Chưa nhận “{doc.name.vi}” (bắt buộc): đánh dấu đã nhận, hoặc hướng dẫn bổ sung hồ sơ.",
            )
    elif action == "refuse" and not ctx["reason"].strip():
        errors["reason"] = "Ghi rõ lý do từ chối tiếp nhận hồ sơ."
    elif action == "supplement" and not ctx["items"].strip():
        errors["items"] = "Liệt kê giấy tờ cần bổ sung, mỗi giấy tờ một dòng."
    if len(str(form.get("reason") or "")) > REASON_MAX or len(str(form.get("items") or "")) > REASON_MAX:
        errors["reason" if len(str(form.get("reason") or "")) > REASON_MAX else "items"] = (
            f"Nội dung tối đa {REASON_MAX} ký tự."
        )
    if errors:
        return await _intake_fail(request, ctx, errors)
    try:
        code = await _intake_action(request, proc, agency, ctx, action)
    except InvalidInput as exc:
        return await _intake_fail(request, ctx, _field_errors(exc))
    messages = {
        "receive": _("Dossier %(code)s received. Print the receipt (form 01) for the applicant."),
        "refuse": _("Dossier %(code)s refused. Print the refusal (form 03) for the applicant."),
        "supplement": _("Dossier %(code)s: print the supplement guide (form 02) for the applicant."),
    }
    flash(request, messages[action] % {"code": code})
    return Redirect(f"/quay/tiep-nhan/xong/{code}", status_code=303)


async def _intake_action(request: Request, proc: Any, agency: dict, ctx: dict, action: str) -> str:
    """Create the counter dossier and receive, refuse or send the supplement guide; its code."""
    user = request.user
    d = await service.create(
        proc.code,
        agency["id"],
        actor=user,
        applicant=ctx["applicant"],
        representative=ctx["representative"] if any(ctx["representative"].values()) else None,
        data=ctx["values"],
        channel="truc_tiep",
        result_channel=ctx["result_channel"] or "counter",
        partial=action != "receive",
    )
    if action == "receive":
        received = [
            {
                "code": r["spec"].code,
                "name": r["spec"].name.vi,
                "originals": r["originals"],
                "copies": r["copies"],
            }
            for r in ctx["checklist"]
            if r["received"]
        ]
        done = await service.receive(d.id, actor=user, version=d.version, documents=received)
        return done.code or str(done.id)
    # a refused or incomplete counter dossier is lodged first, so it has its code (register, forms)
    lodged = await service.submit(d.id, actor=user, version=d.version)
    if action == "refuse":
        done = await service.refuse_intake(
            lodged.id, actor=user, version=lodged.version, reasons=ctx["reason"]
        )
    else:
        done = await service.request_supplement(
            lodged.id,
            actor=user,
            version=lodged.version,
            items=ctx["items"],
            reason=ctx["reason"] or ctx["items"],
        )
    return done.code or str(done.id)


@get("/quay/tiep-nhan/xong/{code:str}", include_in_schema=False, name="counter_intake_done", guards=[DESK])
async def counter_intake_done(request: Request, code: str) -> Template:
    """After intake: the dossier's state and its forms to print (the list refreshes while rendering)."""
    from core.documents import service as documents
    from core.documents.hooks import kind_label

    d = await dossier_for_user(request.user, code)
    view = await service.get(d["id"])
    docs = [{**x, "label": kind_label(x["kind"])} for x in await documents.documents_for(d["id"])]
    return await page(
        request,
        "counter/done.html",
        {
            "d": view,
            "code": code,
            "documents": docs,
            "pending": any(x["status"] == "pending" for x in docs),
            "state_label": _(STATE_LABELS.get(view.state, view.state)),
        },
        block="docs" if request.headers.get("hx-target") == "docs" else "main",
    )


# --- online dossiers waiting for intake ------------------------------------------------------------


@get("/quay/truc-tuyen", include_in_schema=False, name="counter_online", guards=[DESK])
async def counter_online(request: Request) -> Template:
    """Online dossiers submitted to this agency and waiting for intake, oldest first."""
    ctx = _desk_context(request)
    rows = await desk.waiting([ctx["agency"]["id"]], ("submitted",))
    cat = get_catalogue()
    for r in rows:
        proc = cat.procedure(r["procedure_code"])
        r["procedure_name"] = proc.name.vi if proc else r["procedure_code"]
        r["channel_label"] = _(CHANNEL_LABELS.get(r["channel"], r["channel"]))
    return await page(request, "counter/online.html", {**ctx, "rows": rows, "limit": desk.WAITING_LIMIT})


# --- handing back results --------------------------------------------------------------------------


async def _return_context(request: Request, code: str) -> dict[str, Any]:
    d = await dossier_for_user(request.user, code)
    view = await service.get(d["id"])
    totals = await fees.totals(d["id"])
    pays = [p for p in await fees.payments(d["id"]) if p["kind"] == "payment"]
    for p in pays:
        p["method_label"] = fees.method_label(p["method"])
    proc = get_catalogue().procedure(view.procedure_code)
    owed: list[str] = []
    if proc is not None and proc.originals_at_return and view.state == "result_ready":
        from core.dossiers.actions import originals_owed

        owed = await originals_owed(
            {"id": view.id, "procedure_version": view.procedure_version_id, "channel": view.channel}, proc
        )
    return {
        **_desk_context(request),
        "originals_owed": owed,
        "d": view,
        "code": view.code,
        "procedure_name": proc.name.vi if proc else view.procedure_code,
        "state_label": _(STATE_LABELS.get(view.state, view.state)),
        "totals": totals,
        "payments": pays,
        "receipts": await _receipts(d["id"]),
        "methods": [(m, label) for m, label in cashbook.BOOK_METHODS.items()],
        "relations": [(r, RELATION_LABELS[r]) for r in RECEIVER_RELATIONS],
        "pay_form": {"method": "cash", "amount": str(totals["due"]), "reference": ""},
        "receiver": {
            "relation": "holder",
            "name": view.applicant_name,
            "id_number": view.applicant_id_number,
        },
        "errors": {},
        "waiting": [],
        "scan": "",
    }


async def _receipts(dossier_id: int) -> dict[str, dict]:
    from core.documents import service as documents

    return {
        str(x["key"]).split(":", 1)[1]: x
        for x in await documents.documents_for(dossier_id)
        if x["kind"] == "fee_receipt"
    }


async def _waiting_returns(agency_id: int) -> list[dict]:
    rows = await desk.waiting([agency_id], desk.RETURN_STATES)
    cat = get_catalogue()
    for r in rows:
        proc = cat.procedure(r["procedure_code"])
        r["procedure_name"] = proc.name.vi if proc else r["procedure_code"]
        r["state_label"] = _(STATE_LABELS.get(r["state"], r["state"]))
    return rows


@get("/quay/tra-ket-qua", include_in_schema=False, name="counter_return", guards=[DESK])
async def counter_return(request: Request, ma: str = "") -> Template | Redirect:
    """Find a dossier by its code or by scanning the receipt (QR: the status address; barcode: the code)."""
    ctx = _desk_context(request)
    ma = ma[: desk.SCAN_MAX]
    if ma.strip():
        code = desk.code_from_scan(ma)
        if code is not None:
            try:
                await dossier_for_user(request.user, code)
            except (NotFound, NotAllowed):
                code = None
        if code is not None:
            return Redirect(f"/quay/tra-ket-qua/{code}", status_code=303)
        ctx["errors"] = {
            "ma": f"Không tìm thấy hồ sơ “{ma.strip()[:80]}” tại cơ quan. "
            "Kiểm tra lại mã hoặc quét lại biên nhận."
        }
    ctx.update(scan=ma, waiting=await _waiting_returns(ctx["agency"]["id"]), d=None)
    ctx.setdefault("errors", {})
    return await page(request, "counter/return.html", ctx, status_code=422 if ctx["errors"] else 200)


@get("/quay/tra-ket-qua/{code:str}", include_in_schema=False, name="counter_return_dossier", guards=[DESK])
async def counter_return_dossier(request: Request, code: str) -> Template:
    """The dossier at the desk: fees paid or not (record a payment, print the e-receipt), hand it back."""
    return await page(request, "counter/return.html", await _return_context(request, code))


@post("/quay/tra-ket-qua/{code:str}/nop-phi", include_in_schema=False, name="counter_pay", guards=[DESK])
async def counter_pay(request: Request, code: str) -> Template | Redirect:
    """Record the payment of what is due (cash, transfer, post) into this counter's cash book."""
    ctx = await _return_context(request, code)
    d = ctx["d"]
    if not request.user.has_role("receiver", d.receiving_agency.id):
        raise NotAllowed("Chỉ cán bộ tiếp nhận của cơ quan nhận hồ sơ được ghi nhận nộp phí.")
    form = await request.form()
    values = {k: str(form.get(k) or "").strip()[:128] for k in ("method", "amount", "reference")}
    if values["method"] not in cashbook.BOOK_METHODS:
        ctx.update(
            pay_form=values, errors={"method": "Chọn hình thức nộp: tiền mặt, chuyển khoản hoặc bưu điện."}
        )
        return await page(request, "counter/return.html", ctx, status_code=422)
    try:
        paid = await fees.record_payment(
            d.id,
            actor=request.user,
            method=values["method"],
            amount=values["amount"],
            reference=values["reference"],
            data={"counter": ctx["counter_no"]},
        )
    except InvalidInput as exc:
        ctx.update(pay_form=values, errors=_field_errors(exc))
        return await page(request, "counter/return.html", ctx, status_code=422)
    flash(request, _("Payment recorded. Receipt number %(number)s.", number=paid["receipt_number"]))
    return Redirect(f"/quay/tra-ket-qua/{code}", status_code=303)


@post("/quay/tra-ket-qua/{code:str}/tra", include_in_schema=False, name="counter_hand_back", guards=[DESK])
async def counter_hand_back(request: Request, code: str) -> Template | Redirect:
    """Hand the result over at the counter: who collected it (holder or authorised), document checked."""
    ctx = await _return_context(request, code)
    form = await request.form()
    receiver = {
        "name": str(form.get("receiver.name") or "").strip()[:NAME_MAX],
        "id_number": str(form.get("receiver.id_number") or "").strip()[:IDENTIFIER_MAX],
        "relation": str(form.get("receiver.relation") or "holder").strip()[:32],
        "document": str(form.get("receiver.document") or "").strip()[:ADDRESS_MAX],
    }
    version = str(form.get("version") or "")
    errors = {}
    if not form.get("receiver.checked"):
        errors["receiver.checked"] = "Xác nhận đã kiểm tra giấy tờ tùy thân của người nhận."
    if not version.isdigit():
        errors["form"] = "Tải lại trang rồi thử lại."
    if errors:
        ctx.update(receiver=receiver, errors=errors)
        return await page(request, "counter/return.html", ctx, status_code=422)
    try:
        await service.return_result(
            ctx["d"].id,
            actor=request.user,
            version=int(version),
            channel="counter",
            receiver={**receiver, "document_checked": "yes"},
            originals_received=bool(form.get("originals_received")),
        )
    except InvalidInput as exc:
        ctx.update(receiver=receiver, errors=_field_errors(exc))
        return await page(request, "counter/return.html", ctx, status_code=422)
    flash(request, _("Result of dossier %(code)s handed over.", code=code))
    return Redirect(f"/quay/tra-ket-qua/{code}", status_code=303)


# --- the cash book ---------------------------------------------------------------------------------


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else vn_today()
    except ValueError:
        return None


async def _book_context(request: Request, day: date) -> dict[str, Any]:
    ctx = _desk_context(request)
    rows = await cashbook.lines(ctx["agency"]["id"], ctx["counter_no"], day)
    return {
        **ctx,
        "day": day,
        "today": vn_today(),
        "rows": rows,
        "sums": cashbook.totals(rows),
        "closed": await cashbook.closing(ctx["agency"]["id"], ctx["counter_no"], day),
        "methods": cashbook.BOOK_METHODS,
        "close_form": {"counted": "", "note": ""},
        "errors": {},
    }


@get("/quay/so-quy", include_in_schema=False, name="counter_book", guards=[DESK])
async def counter_book(request: Request, ngay: str = "") -> Template:
    """The counter's cash book for a day: every payment taken, totals by method, the closing."""
    day = _day(ngay[:10])
    ctx = await _book_context(request, day or vn_today())
    if day is None:
        ctx["errors"] = {"ngay": "Ngày không hợp lệ: chọn ngày theo lịch."}
    return await page(request, "counter/book.html", ctx, status_code=422 if day is None else 200)


@post("/quay/so-quy/chot", include_in_schema=False, name="counter_book_close", guards=[DESK])
async def counter_book_close(request: Request) -> Template | Redirect:
    """Close the day: the cash counted against the book (once; a difference needs its reason)."""
    form = await request.form()
    day = _day(str(form.get("day") or "")[:10]) or vn_today()
    ctx = await _book_context(request, day)
    values = {"counted": str(form.get("counted") or "")[:20], "note": str(form.get("note") or "")[:600]}
    if day > vn_today():
        ctx.update(close_form=values, errors={"counted": "Không chốt sổ cho một ngày chưa đến."})
        return await page(request, "counter/book.html", ctx, status_code=422)
    try:
        await cashbook.close_day(
            ctx["agency"],
            ctx["counter_no"],
            day,
            counted=values["counted"],
            actor=request.user,
            note=values["note"],
        )
    except InvalidInput as exc:
        ctx.update(close_form=values, errors=_field_errors(exc))
        return await page(request, "counter/book.html", ctx, status_code=422)
    flash(request, _("Cash book of counter %(number)s closed.", number=ctx["counter_no"]))
    return Redirect(f"/quay/so-quy?ngay={day.isoformat()}", status_code=303)


@get("/quay/so-quy.xlsx", include_in_schema=False, name="counter_book_xlsx", guards=[DESK])
async def counter_book_xlsx(request: Request, ngay: str = "") -> Response:
    """The day's book as an Excel workbook."""
    import anyio.to_thread

    day = _day(ngay[:10])
    if day is None:
        raise NotFound("Ngày không hợp lệ.")
    ctx = await _book_context(request, day)
    body = await anyio.to_thread.run_sync(
        lambda: cashbook.book_xlsx(
            ctx["rows"],
            ctx["sums"],
            ctx["closed"],
            agency_name=ctx["agency"]["name"],
            counter=ctx["counter_no"],
            day=day,
        )
    )
    name = f"so-quy-quay-{ctx['counter_no']}-{day.isoformat()}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [
    counter_home,
    counter_seat,
    counter_intake,
    counter_intake_post,
    counter_intake_done,
    counter_online,
    counter_return,
    counter_return_dossier,
    counter_pay,
    counter_hand_back,
    counter_book,
    counter_book_close,
    counter_book_xlsx,
]
