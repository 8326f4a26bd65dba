"""JSON API for dossiers (``/api/v1``): create, submit, receive, act, read, events, public status.

Writes need ``Authorization: Bearer <token>`` (``core.identity.api_auth``); errors are
``application/problem+json`` (422 with ``errors: [{field, message}]`` for bad input, 409 with
``changes`` for a stale version).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from core.contract.errors import InvalidInput, NotAllowed
from core.contract.views import DossierView, EventView, UserView
from core.dossiers import access, attachments, service
from core.identity.api_auth import api_user
from core.identity.guards import public, rate_limited, reads_dossier, requires_login, requires_role
from core.identity.tables import Agency
from core.json_api.bodies import (
    ActionBody,
    AttachmentOut,
    AttachmentUpload,
    ClockScanOut,
    CreateDossier,
    DossierOut,
    EventOut,
    PublicStatusOut,
    VersionedNote,
)
from core.json_api.openapi import BEARER, PROBLEMS, document_problems

__all__ = ("DossierApi", "StatusApi", "ROUTES", "dossier_json", "dossier_out", "public_json")


def dossier_json(view: DossierView, user: UserView | None = None) -> dict[str, Any]:
    """The dossier for its applicant and staff, with the actions the caller may take now."""
    d: dict[str, Any] = dict(view.as_dict())
    if user is not None:
        d["allowed_actions"] = access.allowed_actions(user, view)
    return d


def public_json(view: DossierView) -> dict[str, Any]:
    return view.public_dict()


def dossier_out(view: DossierView, user: UserView | None = None) -> DossierOut:
    """``dossier_json`` as the API's typed response (the schema's ``DossierOut``)."""
    return msgspec.convert(dossier_json(view, user), DossierOut)


_CODES = {"procedure_code": "Mã thủ tục", "agency_code": "Mã cơ quan tiếp nhận"}
"""Codes of a create request, read as stored (NFC, trimmed, no bidi override) before they are looked up."""


def _codes(body: CreateDossier) -> dict[str, str]:
    """The create request's codes, or ``InvalidInput`` naming each one that is not a short line of text."""
    from core.forms.validators import IDENTIFIER_MAX, clean_free_text

    out: dict[str, str] = {}
    errors: list[tuple[str | None, str]] = []
    for key, label in _CODES.items():
        text, problem = clean_free_text(getattr(body, key), label, IDENTIFIER_MAX, multiline=False)
        if problem:
            errors.append((key, problem))
        out[key] = text
    if errors:
        raise InvalidInput("Hồ sơ chưa hợp lệ, vui lòng sửa các trường được đánh dấu.", errors)
    return out


_ACTION_KEYS = frozenset(f.encode_name for f in msgspec.structs.fields(ActionBody))
_NOT_PARAMS = _ACTION_KEYS | {"actor", "action", "dossier_id"}


def _action_params(body: ActionBody, raw: Any) -> dict[str, Any]:
    """The action's parameters: the declared keys that were sent (as decoded), and the step inputs a
    result document declares (the body's other keys, checked by ``actions.parse_input``)."""
    raw = raw if isinstance(raw, dict) else {}
    params = {k: v for k, v in raw.items() if k not in _NOT_PARAMS}
    for key in _ACTION_KEYS - {"version", "step_id", "note"}:
        if key in raw and (value := getattr(body, key)) is not None:
            params[key] = _plain(value)
    return params


def _plain(value: Any) -> Any:
    """A decoded value as builtins, without the keys that were left out (``None``)."""
    if isinstance(value, msgspec.Struct):
        return {k: v for k, v in msgspec.structs.asdict(value).items() if v is not None}
    return value


async def _readable(code: str, user: UserView) -> DossierView:
    return await access.readable_view(user, code)


class DossierApi(Controller):
    """Dossiers for integrations and scripts (bearer token)."""

    path = "/api/v1/dossiers"
    tags = ["dossiers"]
    dependencies = {"user": Provide(api_user)}
    security = BEARER

    @post("/", status_code=HTTP_201_CREATED, summary="Create a draft dossier", guards=[requires_login])
    async def create(self, data: CreateDossier, user: UserView) -> DossierOut:
        """A draft of ``procedure_code`` at ``agency_code``; it gets its code when submitted. Online
        (``truc_tuyen``) the token's user is the applicant; at the counter or by post a desk officer
        files it for the ``applicant``."""
        codes = _codes(data)
        agency_code = codes["agency_code"]
        agency = (
            await Agency.select(Agency.id).where(Agency.code == agency_code).first() if agency_code else None
        )
        if agency is None:
            raise InvalidInput(
                "Cơ quan tiếp nhận không hợp lệ.", [("agency_code", f"Không có cơ quan mã '{agency_code}'.")]
            )
        view = await service.create(
            codes["procedure_code"],
            agency["id"],
            actor=user,
            applicant=_plain(data.applicant) if data.applicant is not None else {},
            data=data.data if data.data is not None else {},
            channel=data.channel,
            result_channel=data.result_channel,
        )
        return dossier_out(view, user)

    @get("/{code:str}", summary="Read a dossier", guards=[reads_dossier])
    async def read(self, code: str, user: UserView) -> DossierOut:
        """By its code, or by its number (``id``) while it is a draft."""
        return dossier_out(await _readable(code, user), user)

    @get("/{code:str}/events", summary="The dossier's events, in order", guards=[reads_dossier])
    async def read_events(self, code: str, user: UserView) -> list[EventOut]:
        view = await _readable(code, user)
        evs: list[EventView] = await service.events(view.id)
        return [msgspec.convert(e.as_dict(), EventOut) for e in evs]

    @get("/{code:str}/attachments", summary="The dossier's uploaded files", guards=[reads_dossier])
    async def list_attachments(self, code: str, user: UserView) -> list[AttachmentOut]:
        rows = await attachments.list_for((await _readable(code, user)).id)
        return [msgspec.convert(r, AttachmentOut) for r in rows]

    @get(
        "/{code:str}/attachments/{attachment_id:int}",
        summary="Download one uploaded file",
        media_type="application/octet-stream",
        guards=[reads_dossier],
        response_description="The file as uploaded (PDF, JPEG or PNG; its type in Content-Type)",
    )
    async def download_attachment(self, code: str, attachment_id: int, user: UserView) -> Response[bytes]:
        view = await _readable(code, user)
        row, content = await attachments.read(view.id, attachment_id)
        return Response(
            content, media_type=row["content_type"], headers=attachments.download_headers(row, str(row["id"]))
        )

    @post(
        "/{code:str}/attachments",
        status_code=HTTP_201_CREATED,
        summary="Upload a file into a document slot",
        request_max_body_size=attachments.MAX_BYTES + 64 * 1024,
        guards=[reads_dossier],
    )
    async def upload(
        self,
        code: str,
        user: UserView,
        data: Annotated[AttachmentUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> AttachmentOut:
        """Multipart form: ``document_code`` (a slot of the procedure's checklist) and ``file`` (PDF,
        JPEG or PNG, at most 8 MB). Allowed to the applicant while the dossier is a draft or waits
        for a supplement, and to the receiving desk until it is received."""
        await _readable(code, user)
        upload = data.file
        if not isinstance(upload, UploadFile):
            raise InvalidInput(
                "Không tải được tệp lên.", [("file", "Chọn một tệp để tải lên (trường 'file').")]
            )
        content = await upload.read()
        row = await attachments.add(
            code,
            actor=user,
            document_code=(data.document_code or "").strip(),
            filename=upload.filename or "",
            content=content,
        )
        return msgspec.convert(row, AttachmentOut)

    @post(
        "/{code:str}/submit",
        status_code=HTTP_200_OK,
        summary="Submit a draft (allocates the code)",
        guards=[reads_dossier],
    )
    async def submit(self, code: str, data: VersionedNote, user: UserView) -> DossierOut:
        await access.readable_id(user, code)  # before anything else the body says (the version)
        view = await service.submit(code, actor=user, version=data.version, note=data.note or "")
        return dossier_out(view, user)

    @post(
        "/{code:str}/receive",
        status_code=HTTP_200_OK,
        summary="Receive (form 01, clock, route)",
        guards=[reads_dossier],
    )
    async def receive(self, code: str, data: VersionedNote, user: UserView) -> DossierOut:
        await access.readable_id(user, code)
        view = await service.receive(code, actor=user, version=data.version, note=data.note or "")
        return dossier_out(view, user)

    @post(
        "/{code:str}/actions/{action:str}",
        status_code=HTTP_200_OK,
        summary="Apply a lifecycle action",
        guards=[reads_dossier],
    )
    async def act(
        self, code: str, action: str, data: ActionBody, request: Request, user: UserView
    ) -> DossierOut:
        """``action`` is one of the dossier's ``allowed_actions``. Keys by action: ``items``
        (request_supplement), ``channel`` and ``receiver`` (return_result), ``new_due`` (apologise),
        ``reason_code`` (suspend), ``override_reason`` (a second supplement request); a step that issues
        a result document takes its declared inputs as further keys."""
        await access.readable_id(user, code)
        if action in ("flag_late", "close_unanswered"):
            raise NotAllowed("Thao tác này do hệ thống tự thực hiện.")
        params = _action_params(data, await request.json())
        view = await service.act(
            code,
            action,
            actor=user,
            version=data.version,
            step_id=data.step_id,
            note=data.note or "",
            **params,
        )
        return dossier_out(view, user)


class StatusApi(Controller):
    """Public status look-up by code and look-up key: no personal data."""

    path = "/api/v1/status"
    tags = ["status"]
    opt = public("status look-up by dossier code and look-up key: no personal data")
    security: list = []  # public: no token

    @get(
        "/{code:str}",
        summary="Public status of a dossier",
        guards=[rate_limited("lookup")],
        responses={429: PROBLEMS[429]},
    )
    async def status(
        self,
        code: str,
        request: Request,
        k: Annotated[
            str | None,
            Parameter(
                description="The look-up key printed on the receipt beside the code (``ABCD-EFGH``). "
                "Without it (or with a wrong one) the answer is 404, as for an unknown code, unless "
                "the caller's token may read the dossier.",
                max_length=32,
            ),
        ] = None,
    ) -> PublicStatusOut:
        view = await access.public_view(request.user, code, k)
        return msgspec.convert(public_json(view), PublicStatusOut)


@post(
    "/api/v1/clock-scan",
    status_code=HTTP_200_OK,
    summary="Run the clock scan now (province admin)",
    tags=["dossiers"],
    dependencies={"user": Provide(api_user)},
    security=BEARER,
    guards=[
        requires_role(
            "province_admin", message="Chỉ quản trị cấp tỉnh mới chạy được việc quét hạn giải quyết."
        )
    ],
)
async def clock_scan_now(user: UserView) -> ClockScanOut:
    """Flag late dossiers and close unanswered supplements now (the daily job, on demand)."""
    from core.dossiers import clockscan

    if not user.has_role("province_admin"):
        raise NotAllowed("Chỉ quản trị cấp tỉnh mới chạy được việc quét hạn giải quyết.")
    return msgspec.convert((await clockscan.scan()).as_dict(), ClockScanOut)


_READS = (400, 401, 404)
_WRITES = (400, 401, 403, 404, 409, 410, 422)
document_problems(
    DossierApi.read,
    DossierApi.read_events,
    DossierApi.list_attachments,
    DossierApi.download_attachment,
    codes=_READS,
)
document_problems(
    DossierApi.create, DossierApi.upload, DossierApi.submit, DossierApi.receive, DossierApi.act, codes=_WRITES
)
document_problems(clock_scan_now, codes=(401, 403))
document_problems(StatusApi.status, codes=(400, 404))

ROUTES = [DossierApi, StatusApi, clock_scan_now]
