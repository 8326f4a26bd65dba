"""Exception handlers: Vietnamese HTML error pages for people, problem+json for ``/api``."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty, ExceptionHandlersMap

from core.contract.errors import InvalidInput, MotcuaError, StaleVersion, TooManyRequests
from core.identity.api_auth import TOKEN_COMMAND, ApiTokenReadOnly, ApiTokenRefused, ApiTokenRequired
from core.text.i18n import gettext as _

__all__ = ("exception_handlers",)

log = logging.getLogger("motcua.errors")


def N_(message: str) -> str:
    """Mark a string for extraction; translated later, when the language is known."""
    return message


_TITLES = {
    400: N_("Bad request"),
    401: N_("Please sign in"),
    403: N_("You are not allowed to do this"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("The data changed meanwhile"),
    410: N_("Not available here"),
    413: N_("Too much data sent"),
    429: N_("Too many requests"),
    422: N_("Please correct the information"),
    500: N_("Something went wrong on our side"),
}


def _wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")[:40]
    )


def _problem(
    status: int, title: str, detail: str, extra: dict | None = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content={"type": "about:blank", "title": title, "status": status, "detail": detail, **(extra or {})},
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


_TOKEN_NEEDED = N_(
    "This API needs an API token: send it in the header “Authorization: Bearer <token>”. "
    "Tokens are issued by an administrator of the system with the command "
    "“motcua token <username>”."
)
_SESSION_NOT_ACCEPTED = N_(
    "You are signed in to the website, but the JSON API does not accept the website's "
    "sign-in. Send an API token in the header “Authorization: Bearer <token>”. Tokens "
    "are issued by an administrator of the system with the command "
    "“motcua token <username>”."
)


def _token_required(exc: ApiTokenRequired) -> Response:
    """401 for an API call without a bearer token: what to send and who issues it (there is no page
    for tokens: an administrator runs ``motcua token``), in the caller's language and in English."""
    message = _SESSION_NOT_ACCEPTED if exc.signed_in_by_session else _TOKEN_NEEDED
    return _problem(
        401,
        _("An API token is needed"),
        _(message),
        {
            "detail_en": message,
            "signed_in_by_session": exc.signed_in_by_session,
            "token_command": TOKEN_COMMAND,
        },
        headers={"WWW-Authenticate": 'Bearer realm="motcua"'},
    )


def _page(
    request: Request,
    status: int,
    message: str,
    extra: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    ctx = {
        "status": status,
        "title": _(_TITLES.get(status, "Error")),
        "message": message,
        "user": request.scope.get("user"),
        "menu": [],
        "flashes": [],
        "back_url": _same_site_referer(request),
        **(extra or {}),
    }
    return Template(
        template_name="errors/error.html",
        context=ctx,
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


def _use_language(request: Request) -> None:
    """Errors raised before the app's ``before_request`` (an address with no route) still follow the
    visitor's language choice."""
    from core.text import i18n

    i18n.set_language(request.query_params.get("lang") or request.cookies.get("lang"))


def _anonymous(request: Request) -> bool:
    """True when nobody is signed in (the user was looked up for this request and there is none).
    A JSON API call with a bearer token is signed in by its token, not by the session."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return False
    return "user" in request.scope and request.scope.get("user") is None


def _sign_in(request: Request) -> Response:
    """An anonymous visitor refused a page: the sign-in page (coming back here after), or 401 for the API."""
    if _wants_json(request):
        return _problem(401, _TITLES[401], _("Please sign in to continue."))
    from urllib.parse import quote

    from litestar.response import Redirect

    target = request.url.path + (
        f"?{request.url.query}" if request.url.query and request.method == "GET" else ""
    )
    if request.method != "GET":
        # A form sent after the session expired: back to the page that held the form (its address
        # may take only POST, and reopening it after sign-in would answer 405).
        target = _same_site_referer(request) or target
    cookies = _kept_form_cookie(request)
    if request.headers.get("hx-request") == "true":
        # htmx would swap the sign-in page into the old page's body: let the browser go there.
        return Response(
            content=b"",
            status_code=204,
            headers={"HX-Redirect": f"/dang-nhap?next={quote(target, safe='/')}"},
            cookies=cookies,
        )
    return Redirect(f"/dang-nhap?next={quote(target, safe='/')}", status_code=303, cookies=cookies)


def _kept_form_cookie(request: Request) -> list:
    """The cookie naming the form kept when this request was refused for want of a session
    (``core.identity.kept_forms``): the page that held it fills it again after sign-in."""
    from litestar.datastructures import Cookie

    from core.identity import kept_forms
    from core.settings import get_settings

    token = request.scope.get(kept_forms.SCOPE_KEY)  # type: ignore[call-overload]
    if not token:
        return []
    return [
        Cookie(
            key=kept_forms.COOKIE,
            value=str(token),
            max_age=kept_forms.TTL_SECONDS,
            path="/",
            httponly=True,
            samesite="lax",
            secure=get_settings().base_url.startswith("https://"),
        )
    ]


def motcua_error_handler(request: Request, exc: MotcuaError) -> Response:
    _use_language(request)
    if exc.status_code == 403 and _anonymous(request):
        return _sign_in(request)
    extra: dict = {}
    if isinstance(exc, StaleVersion):
        extra["changes"] = exc.changes
        if not _wants_json(request) and (back := _same_site_referer(request)):
            extra["reload_url"] = back  # the page whose form was stale, to load its current state
    if isinstance(exc, InvalidInput):
        extra["errors"] = [{"field": f, "message": m} for f, m in exc.errors]
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
        extra["retry_after"] = exc.retry_after
    if _wants_json(request):
        return _problem(exc.status_code, exc.title, exc.message, extra, headers=headers)
    return _page(request, exc.status_code, exc.message, extra, headers=headers)


def _same_site_referer(request: Request) -> str | None:
    """The path (with query) of the page that sent the request, when it is one of ours."""
    from core.web.security import same_site_path

    return same_site_path(request.headers.get("referer"), request.headers.get("host", ""), default=None)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    _use_language(request)
    if isinstance(exc, ApiTokenRequired):
        return _token_required(exc)
    if isinstance(exc, ValidationException) and (fields := _body_field_errors(request, exc)):
        return _problem(
            422,
            _(_TITLES[422]),
            _("The request is not valid: please correct the fields marked."),
            {"errors": [{"field": f, "message": m} for f, m in fields]},
        )
    status = exc.status_code
    csrf = status == 403 and "CSRF" in str(exc.detail)
    if (isinstance(exc, NotAuthorizedException) and not _wants_json(request)) or (
        status == 403 and not csrf and _anonymous(request)
    ):
        return _sign_in(request)
    messages = {
        401: _("Please sign in to continue."),
        403: _("Your account does not have the right to open this page."),
        404: _("The address you opened does not exist or has been moved."),
        405: _("This address does not accept this kind of request."),
        413: _("What you sent is too large. Shorten the text, or send files through the upload field."),
    }
    if isinstance(exc, (ApiTokenRefused, ApiTokenReadOnly)):
        message = str(exc.detail)  # why the token was refused (expired, revoked, read-only)
    elif csrf:
        message = _("The form has expired. Please reload the page and try again.")
    elif status == 400 and exc.detail == "Invalid multipart/form-data":
        message = _("Send this request as a multipart/form-data form (the file in the field “file”).")
    elif isinstance(exc, ValidationException):
        message = _("Some information is missing or not in the expected format.")
    elif status == 400 and "JSON is malformed" in str(exc.detail):
        message = _("The request body is not valid JSON: check its syntax.")
    elif status == 400 and not str(exc.detail).isascii():
        message = str(
            exc.detail
        )  # our own Vietnamese reason (e.g. JSON nested too deeply); Litestar's are English
    elif status == 400:
        message = _("The request could not be read: a parameter or the body is not in the expected format.")
    else:
        message = messages.get(status, str(exc.detail) if status < 500 else _("Please try again later."))
    if _wants_json(request):
        extra = (
            {"errors": _parameter_errors(exc.extra)}
            if isinstance(exc, ValidationException) and isinstance(exc.extra, list) and exc.extra
            else None
        )
        return _problem(status, _(_TITLES.get(status, "Error")), message, extra)
    return _page(request, status, message)


def _parameter_errors(extra: list) -> list[dict]:
    """Litestar's (English) complaints about path, query and header parameters, as Vietnamese
    ``{field, message}`` entries: which parameter, and what it must be when that is known."""
    import re

    out = []
    for e in extra:
        if not isinstance(e, dict):
            continue
        key = str(e.get("key") or "")
        text = str(e.get("message") or "")
        if m := re.search(r"length <= (\d+)", text):
            message = _("The parameter “{name}” must be at most {n} characters long.").format(
                name=key, n=m[1]
            )
        elif m := re.search(r"length >= (\d+)", text):
            message = _("The parameter “{name}” must be at least {n} characters long.").format(
                name=key, n=m[1]
            )
        elif "`int`" in text:
            message = _("The parameter “{name}” must be a whole number.").format(name=key)
        elif "Missing required" in text:
            message = _("The parameter “{name}” is missing.").format(name=key)
        else:
            message = _("The parameter “{name}” is not valid.").format(name=key)
        out.append({"field": key or None, "message": message})
    return out


def _body_field_errors(request: Request, exc: ValidationException) -> list[tuple[str | None, str]]:
    """A JSON API body its type refused: every field to correct, in Vietnamese (``core.json_api.validation``)."""
    if not request.url.path.startswith("/api/"):
        return []
    from litestar.utils.scope.state import ScopeState

    from core.json_api.validation import body_type, field_errors

    try:
        param = request.route_handler.parsed_fn_signature.parameters.get("data")
    except AttributeError:
        return []
    tp = body_type(param.annotation) if param is not None else None
    body_errors = [e for e in (exc.extra or []) if isinstance(e, dict) and e.get("source") == "body"]
    if tp is None or not body_errors:
        return []
    state = ScopeState.from_scope(request.scope)
    if state.json is not Empty:
        sent = state.json
    elif state.form is not Empty:
        sent = dict(state.form)
    else:  # nothing was sent
        sent = None
    found = field_errors(tp, sent)
    return found or [(e.get("key"), f"Giá trị của “{e.get('key')}” không hợp lệ.") for e in body_errors]


def internal_error_handler(request: Request, exc: Exception) -> Response:
    _use_language(request)
    if type(exc).__name__ == "CharacterNotInRepertoireError":  # asyncpg: a NUL byte in forged input
        message = _("The information sent contains characters that are not allowed. Please type it again.")
        if _wants_json(request):
            return _problem(422, _TITLES[422], message)
        return _page(request, 422, message)
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = _("Please try again later. If it happens again, call the hotline.")
    if _wants_json(request):
        return _problem(500, "Internal Server Error", message)
    return _page(request, HTTP_500_INTERNAL_SERVER_ERROR, message)


exception_handlers: ExceptionHandlersMap = {
    MotcuaError: motcua_error_handler,
    NotFoundException: http_error_handler,
    HTTPException: http_error_handler,
    PermissionDeniedException: http_error_handler,
    Exception: internal_error_handler,
}
