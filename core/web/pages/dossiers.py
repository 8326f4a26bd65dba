"""HTML pages of the lifecycle: the public status look-up (``/tra-cuu``) and a simple staff dossier
page (``/ho-so/{code}``) with one form per action the signed-in user may take.

Every action form carries the ``version`` the user saw: a stale one gets the 409 page listing what
changed since (``StaleVersion``); bad input re-renders the page with status 422 and the messages at
the fields; everything else redirects back to the page (post/redirect/get).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from core.contract.errors import InvalidInput, NotFound
from core.contract.vntime import VN_TZ
from core.dossiers import access, attachments, bulk, codes, overview, service, stops
from core.dossiers.actions import RECEIVER_RELATIONS, SUSPEND_REASONS
from core.dossiers.states import ACTION_LABELS, CHANNEL_LABELS, STATE_LABELS
from core.identity import kept_forms
from core.identity.guards import public, rate_limited, reads_dossier, requires_role, requires_staff
from core.text.i18n import gettext as _
from core.web.menu import N_, menu_entry, with_role
from core.web.render import flash, page

__all__ = (
    "ROUTES",
    "status_lookup",
    "status_page",
    "dossier_page",
    "dossier_action",
    "dossier_bulk_action",
    "stop_requests",
)


def _labels() -> dict[str, Any]:
    return {"state_labels": STATE_LABELS, "action_labels": ACTION_LABELS, "channel_labels": CHANNEL_LABELS}


@get(
    "/tra-cuu",
    include_in_schema=False,
    name="status_lookup",
    guards=[rate_limited("lookup", only_with="code")],
    opt=public("status look-up by dossier code and look-up key: no personal data"),
)
async def status_lookup(
    request: Request, code: str | None = None, k: str | None = None
) -> Template | Redirect:
    """The look-up form; with ``?code=`` (and ``k``, the look-up key printed on the receipt) it goes
    to the status page. An unknown code and a wrong key get the same message (R36)."""
    errors: dict[str, str] = {}
    key = codes.normalise_lookup_key(k)
    if code is not None:
        code = code.strip().upper()[:80]
        if not code:
            errors["code"] = _("Enter the dossier code printed on your receipt.")
        elif not codes.is_valid_code(code):
            errors["code"] = _("This is not a dossier code. It looks like 000.00.31.H39-261123-0001.")
        else:
            try:
                await access.public_view(request.user, code, key)
            except NotFound:
                errors["k"] = _key_refusal(key)
            else:
                return Redirect(_status_address(code, key), status_code=303)
    return await _lookup_page(request, code or "", key, errors)


def _key_refusal(key: str) -> str:
    """What the look-up says when the dossier does not open: the same for an unknown code and a wrong
    key (R36), only asking for the key when none was given."""
    if key:
        return _("The dossier code or the look-up key is wrong. Check both on your receipt.")
    return _("Enter the look-up key printed on your receipt beside the dossier code.")


def _status_address(code: str, key: str) -> str:
    return f"/tra-cuu/{code}?k={key}" if key else f"/tra-cuu/{code}"


async def _lookup_page(
    request: Request, code: str, key: str, errors: dict[str, str], status_code: int | None = None
) -> Template:
    return await page(
        request,
        "dossiers/lookup.html",
        {"code": code, "key": codes.format_lookup_key(key), "errors": errors, **_labels()},
        status_code=status_code or (422 if errors else 200),
    )


@get(
    "/tra-cuu/{code:str}",
    include_in_schema=False,
    name="status_page",
    guards=[rate_limited("lookup")],
    opt=public("public progress of a dossier by its code and look-up key: no personal data"),
)
async def status_page(request: Request, code: str, k: str | None = None) -> Template:
    """Public progress: procedure, state, dates, steps with agencies and timeliness; no personal data.

    Without the right key (and not signed in as someone who may read the dossier) the visitor gets
    the look-up form with a 404, the same whether the code exists or not."""
    from core.catalogue.registry import get_catalogue

    key = codes.normalise_lookup_key(k)
    try:
        view = await access.public_view(request.user, code, key)
    except NotFound:
        shown = code.strip().upper()[:80] if codes.is_valid_code(code.strip().upper()) else ""
        return await _lookup_page(request, shown, key, {"k": _key_refusal(key)}, status_code=404)
    proc = get_catalogue().procedure(view.procedure_code)
    return await page(
        request,
        "dossiers/status.html",
        {
            "d": view.public_dict(),
            "procedure": proc,
            "key": key if codes.lookup_key_matches(view.lookup_key, key) else "",
            **_labels(),
        },
    )


menu_entry("/can-bo/yeu-cau-dung", N_("Stop requests"), with_role("approver"), order=45)

PREVIEWABLE = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}
"""Uploads the page previews in the browser (all the kinds ``attachments`` accepts)."""


async def _render_dossier(
    request: Request,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    open_action: str | None = None,
    status_code: int = 200,
) -> Template:
    from core.catalogue.registry import get_catalogue

    user = request.user
    view = await access.readable_view(user, code)
    events = await service.events(view.id)
    procedure = get_catalogue().procedure(view.procedure_code)
    route = await overview.route(view)
    stop_request = overview.stop_request(view, events)
    files = await attachments.list_for(view.id)
    for f in files:
        f["preview"] = PREVIEWABLE.get(f["content_type"])
    ctx = {
        "panels": await _panels(view, user, request),
        "d": view,
        "ref": view.code or view.id,
        "procedure": procedure,
        "events": events,
        "route": route,
        "holder": overview.holder(view, route),
        "answers": overview.answers(view, get_catalogue().forms.get(procedure.form) if procedure else None),
        "stop_request": stop_request,
        "staff_view": bool(user.is_staff) and view.applicant_id != user.id,
        "attachments": files,
        "slot_names": {d.code: d.name for d in (getattr(procedure, "documents", None) or ())},
        "supplement_choices": _supplement_choices(view, procedure),
        "actions": await _with_originals(
            _with_inputs(access.allowed_actions(user, view, stop_pending=stop_request is not None), view),
            view,
            procedure,
        ),
        "errors": errors or {},
        "form": form or {},
        "open_action": open_action,
        "suspend_reasons": SUSPEND_REASONS,
        "receiver_relations": RECEIVER_RELATIONS,
        "today": datetime.now(VN_TZ).date(),
        **_labels(),
    }
    response = await page(request, "dossiers/staff.html", ctx, status_code=status_code)
    if status_code >= 400:
        # An htmx (boosted) form that failed stays on the dossier's address: without this the
        # browser's address bar shows the POST-only action URL, and a reload answers 405.
        response.headers["HX-Replace-Url"] = f"/ho-so/{view.code or view.id}"
    return response


def _supplement_choices(view, procedure) -> dict[str, list[tuple[str, Any]]]:
    """What a supplement request may name: the dossier's upload slots and its form's answers."""
    from core.catalogue.registry import get_catalogue
    from core.dossiers.drafts import slots_of

    if procedure is None:
        return {"slots": [], "fields": []}
    form = get_catalogue().forms.get(procedure.form)
    return {
        "slots": [(s.code, s.name) for s in slots_of(procedure, view)],
        "fields": [(f.name, f.label) for p in (form.pages if form else ()) for f in p.fields],
    }


async def _panels(view, user, request: Request) -> list[dict[str, Any]]:
    """Sections plugins add to the dossier page (``dossier_panels``), in ``order``, each rendered
    from its template with its ``context`` keys as variables (plus ``dossier``, ``user``, ``request``
    and the CSRF helpers)."""

    from litestar.utils.scope.state import ScopeState
    from markupsafe import Markup

    from core.plugins import await_me_maybe, get_plugin_manager

    panels = []
    dossier = view.as_dict()
    for result in get_plugin_manager().hook.dossier_panels(dossier=dossier, user=user, request=request):
        panels += list(await await_me_maybe(result) or ())
    engine = request.app.template_engine
    if engine is None:
        raise RuntimeError("the app has no template engine")
    env = engine.engine
    token = ScopeState.from_scope(request.scope).csrf_token or ""
    base = {
        "dossier": dossier,
        "user": user,
        "request": request,
        "csrf_token": lambda: token,
        "csrf_input": Markup('<input type="hidden" name="_csrf_token" value="{}">').format(token),
    }
    rendered = []
    for p in sorted(panels, key=lambda p: p.order):
        html = env.get_template(p.template).render({**base, **dict(p.context)})
        rendered.append({"title": p.title, "html": Markup(html)})  # noqa: S704 - rendered with autoescape
    return rendered


@get("/ho-so/{code:str}", include_in_schema=False, name="dossier_page", guards=[reads_dossier])
async def dossier_page(request: Request, code: str) -> Template | Redirect:
    user = request.user  # the applicant (and nobody else) follows the dossier on the citizen's page
    if not user.is_staff and (mine := await access.readable_view(user, code)).applicant_id == user.id:
        return Redirect(f"/ho-so-cua-toi/{mine.code or mine.id}", status_code=303)
    kept = await kept_forms.take(request, post_prefix=f"/ho-so/{code}/thao-tac/")
    if kept is not None:
        fields, post_path = kept
        flash(
            request,
            _("Your session had expired: what you typed is kept here. Check it and send again."),
            "info",
        )
        return await _render_dossier(
            request,
            code,
            form={k: str(fields.get(k)) for k in fields if k not in ("version", "step_id")},
            open_action=post_path.rsplit("/", 1)[-1],
        )
    return await _render_dossier(request, code)


def _step_inputs(view, step_row_id: Any) -> tuple:
    """The fields the officer fills in to complete this step: the ``inputs`` of the result documents
    the step issues (``ResultDocumentSpec.inputs``)."""
    from core.catalogue.registry import get_catalogue

    results = get_catalogue().results
    step = next((s for s in view.steps if str(s.id) == str(step_row_id)), None)
    if step is None:
        return ()
    return tuple(f for rid in step.results if rid in results for f in results[rid].inputs)


def _with_inputs(actions: list[dict[str, Any]], view) -> list[dict[str, Any]]:
    for a in actions:
        if a["action"] == "complete_step" and a.get("step_id"):
            a["inputs"] = _step_inputs(view, a["step_id"])
    return actions


async def _with_originals(actions: list[dict[str, Any]], view, procedure) -> list[dict[str, Any]]:
    """The hand-over form lists the originals still owed (R30), with the box to tick on receipt."""
    if procedure is None or not procedure.originals_at_return:
        return actions
    for a in actions:
        if a["action"] == "return_result":
            from core.dossiers.actions import originals_owed

            a["originals_owed"] = await originals_owed(
                {"id": view.id, "procedure_version": view.procedure_version_id, "channel": view.channel},
                procedure,
            )
    return actions


def _params(action: str, form: dict[str, Any]) -> dict[str, Any]:
    get = lambda k: str(form.get(k) or "").strip()  # noqa: E731
    if action == "complete_step":  # the step's form asks the inputs of the results it issues
        from core.catalogue.registry import get_catalogue

        inputs = {f.name for spec in get_catalogue().results.values() for f in spec.inputs}
        return {name: get(name) for name in sorted(inputs) if get(name)}
    if action == "request_supplement":
        out: dict[str, Any] = {"items": get("items")}
        for key in ("slots", "fields"):  # checkboxes: the slots and answers asked for
            value = form.get(key)
            chosen = value if isinstance(value, list) else [value] if value else []
            if chosen:
                out[key] = [str(v) for v in chosen[:200]]
        if get("override_reason"):
            out["override_reason"] = get("override_reason")
        if get("late_reason"):
            out["late_reason"] = get("late_reason")
        return out
    if action == "return_result":
        return {
            "channel": get("channel"),
            "receiver": {
                "name": get("receiver_name"),
                "id_number": get("receiver_id_number"),
                "relation": get("receiver_relation") or "holder",
                "document": get("receiver_document"),
                "tracking": get("receiver_tracking"),
            },
            "originals_received": get("originals_received") == "1",
        }
    if action == "apologise":
        return {"new_due": get("new_due")}
    if action == "suspend":
        return {"reason_code": get("reason_code") or "appraisal"}
    return {}


@post(
    "/ho-so/{code:str}/thao-tac/{action:str}",
    include_in_schema=False,
    name="dossier_action",
    guards=[reads_dossier],
)
async def dossier_action(
    request: Request,
    code: str,
    action: str,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Template | Redirect:
    # The dossier is loaded once, locked, by the transition, which checks first that the user may
    # read it: whatever else was sent, a stranger learns nothing (the pages below check it too).
    user = request.user
    form = {k: (v if not isinstance(v, list) else v[-1]) for k, v in (data or {}).items()}
    for key in ("slots", "fields"):  # checkboxes: every value sent
        value = (data or {}).get(key)
        if value is not None:
            form[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if action not in access.UI_ACTIONS:
        await access.readable_id(user, code)
        raise NotFound(f"Không có thao tác '{action}'.")
    version_text = str(form.get("version") or "")
    if not version_text.isdigit():
        return await _render_dossier(
            request,
            code,
            errors={"version": _("Reload the page and try again.")},
            form=form,
            open_action=action,
            status_code=422,
        )
    step_id = form.get("step_id") or None
    try:
        done = await service.perform(
            code,
            action,
            actor=user,
            version=int(version_text),
            step_id=step_id,
            note=str(form.get("note") or ""),
            **_params(action, form),
        )
    except InvalidInput as exc:
        errors = {(f or "form").replace(".", "_"): m for f, m in exc.errors} or {"form": exc.message}
        return await _render_dossier(
            request, code, errors=errors, form=form, open_action=action, status_code=422
        )
    flash(request, _("Done: %(action)s.", action=_(ACTION_LABELS.get(action, action))))
    back = str(form.get("next") or "")
    if back in RETURN_PAGES:  # a decision taken from a list goes back to that list
        return Redirect(back, status_code=303)
    return Redirect(f"/ho-so/{done.code or done.id}", status_code=303)


RETURN_PAGES = frozenset({"/can-bo/yeu-cau-dung"})
"""Pages an action form may send the user back to (``next``) instead of the dossier's page."""


@get(
    "/ho-so/{code:str}/tep/{attachment_id:int}",
    include_in_schema=False,
    name="dossier_attachment",
    guards=[reads_dossier],
)
async def dossier_attachment(request: Request, code: str, attachment_id: int) -> Response[bytes]:
    """One uploaded file of the dossier, for those who may see the dossier."""
    user = request.user
    view = await access.readable_view(user, code)
    row, content = await attachments.read(view.id, attachment_id)
    return Response(
        content,
        media_type=row["content_type"],
        headers=attachments.download_headers(row, f"{view.code or view.id}-{row['id']}"),
    )


@get(
    "/ho-so/{code:str}/tep/{attachment_id:int}/xem",
    include_in_schema=False,
    name="dossier_attachment_preview",
    guards=[reads_dossier],
)
async def dossier_attachment_preview(request: Request, code: str, attachment_id: int) -> Response[bytes]:
    """The same file shown inside the dossier page (a PDF in a frame, an image): served inline, and
    only to a frame of this site; a kind the page does not preview is the download instead."""
    user = request.user
    view = await access.readable_view(user, code)
    row, content = await attachments.read(view.id, attachment_id)
    kind = PREVIEWABLE.get(row["content_type"])
    headers = attachments.download_headers(row, f"{view.code or view.id}-{row['id']}")
    if kind is not None:
        headers["Content-Disposition"] = headers["Content-Disposition"].replace("attachment;", "inline;", 1)
        # No script, nothing loaded, framed only by our own pages. A PDF is not sandboxed: Chromium's
        # viewer refuses to render a sandboxed PDF; the file was parsed as a PDF on upload and is
        # served as one with nosniff, so it is never read as a page.
        headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'" + (
            "; sandbox" if kind == "image" else ""
        )
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return Response(content, media_type=row["content_type"], headers=headers)


def _bulk_items(values: Any) -> tuple[list[bulk.Item], list[str]]:
    """``CODE:VERSION`` values of the ticked boxes → items; malformed values are named back."""
    if isinstance(values, str):
        values = [values]
    items, bad = [], []
    for raw in list(values or ())[: bulk.MAX_ITEMS + 1]:
        code, _sep, version = str(raw).strip().rpartition(":")
        if not code or not codes.is_valid_code(code) or not version.isdigit() or len(version) > 9:
            bad.append(str(raw)[:64])
            continue
        items.append(bulk.Item(code, int(version)))
    return items, bad


@post(
    "/ho-so/chuyen-tiep",
    include_in_schema=False,
    name="dossier_bulk_action",
    status_code=200,
    guards=[requires_staff()],
)
async def dossier_bulk_action(
    request: Request, data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
) -> Template:
    """Apply one action to several dossiers ticked on a list (bulk hand-over to the next step).

    Form fields (``application/x-www-form-urlencoded``):

    - ``chon``: repeated, one per ticked dossier, ``CODE:VERSION`` — the dossier's code and the
      ``version`` the list showed (``Dossier.version``), e.g. ``000.00.31.H39-261203-0001:4``;
    - ``action``: one of ``core.dossiers.bulk.BULK_ACTIONS`` (``complete_step``, ``approve``,
      ``mark_result_ready``, ``receive``);
    - ``note``: optional remark recorded on every event (at most the usual long-text limit);
    - ``next``: optional path of the list to offer a way back to (a path of this site);
    - ``_csrf_token``: the CSRF token (or the ``x-csrftoken`` header, as htmx sends it).

    Each dossier goes through the lifecycle service in its own transaction, with the version the list
    showed: one that changed since, or that this user may not act on, is refused alone. The answer is a
    page saying which succeeded and which did not, and why (status 200; 422 when nothing was ticked or
    the action is not one of the above).
    """
    from core.web.security import same_site_path

    user = request.user
    form = data or {}
    action = str(_last(form.get("action")) or "")
    note = str(_last(form.get("note")) or "")
    back = same_site_path(str(_last(form.get("next")) or ""), request.headers.get("host", ""), default=None)
    items, bad = _bulk_items(form.get("chon"))
    errors: dict[str, str] = {}
    if action not in bulk.BULK_ACTIONS:
        errors["action"] = _("Choose what to do with the ticked dossiers.")
    if not items and not bad:
        errors["chon"] = _("Tick at least one dossier.")
    elif len(items) + len(bad) > bulk.MAX_ITEMS:
        errors["chon"] = _("Tick at most %(n)s dossiers at a time.", n=bulk.MAX_ITEMS)
    results: list[bulk.Result] = []
    if not errors:
        try:
            results = await bulk.perform_many(items, action, actor=user, note=note)
        except InvalidInput as exc:
            errors = {(f or "form"): m for f, m in exc.errors} or {"form": exc.message}
    results += [
        bulk.Result(code, False, message=_("This is not a dossier code."), status=422) for code in bad
    ]
    return await page(
        request,
        "dossiers/bulk.html",
        {
            "action": action,
            "results": results,
            "done": [r for r in results if r.ok],
            "failed": [r for r in results if not r.ok],
            "errors": errors,
            "back": back,
            **_labels(),
        },
        status_code=422 if errors else 200,
    )


def _last(value: Any) -> Any:
    return value[-1] if isinstance(value, list) and value else value


@get(
    "/can-bo/yeu-cau-dung",
    include_in_schema=False,
    name="stop_requests",
    guards=[
        requires_role(
            "approver",
            message="Chỉ lãnh đạo (người phê duyệt) của cơ quan tiếp nhận xem và quyết định các yêu cầu "
            "dừng giải quyết hồ sơ.",
        )
    ],
)
async def stop_requests(request: Request) -> Template:
    """A leader's list of stop requests (form 05) waiting at the agencies where they are a leader, with
    the applicant's reasons, each with the two decisions: stop (form 05 issued) or refuse, with a reason."""
    from core.catalogue.registry import get_catalogue

    user = request.user
    rows = await stops.pending(set(user.agencies_with("approver")))
    cat = get_catalogue()
    for r in rows:
        proc = cat.procedure(r["procedure_code"])
        r["procedure_name"] = proc.name if proc else r["procedure_code"]
    return await page(
        request, "dossiers/stop_requests.html", {"rows": rows, "limit": stops.LIMIT, **_labels()}
    )


ROUTES = [
    status_lookup,
    status_page,
    dossier_page,
    dossier_action,
    dossier_attachment,
    dossier_attachment_preview,
    dossier_bulk_action,
    stop_requests,
]
