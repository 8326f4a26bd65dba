"""JSON API for dossiers (``/api/v1``): create, submit, receive, act, read, events, public status.

Writes need ``Authorization: Bearer <token>`` (``core.identity.api_auth``); errors are
``application/problem+json`` (422 with ``errors: [{field, message}]`` for bad input, 409 with
``changes`` for a stale version).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from core.dossiers import access, attachments, service
from core.contract.views import DossierView, EventView
from core.contract.errors import InvalidInput, NotAllowed
from core.identity.api_auth import api_user
from core.contract.views import UserView
from core.identity.guards import public, reads_dossier, requires_login, requires_role
from core.identity.tables import Agency

__all__ = ("DossierApi", "StatusApi", "ROUTES", "dossier_json", "public_json")


def dossier_json(view: DossierView, user: UserView | None = None) -> dict[str, Any]:
    """The dossier for its applicant and staff, with the actions the caller may take now."""
    d = view.as_dict()
    if user is not None:
        d["allowed_actions"] = access.allowed_actions(user, view)
    return d


def public_json(view: DossierView) -> dict[str, Any]:
    return view.public_dict()


def _body(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("Nội dung yêu cầu phải là một đối tượng JSON.", [(None, "Gửi một đối tượng JSON.")])
    return data


_CODES = {"procedure_code": "Mã thủ tục", "agency_code": "Mã cơ quan tiếp nhận", "channel": "Kênh nộp",
          "result_channel": "Hình thức nhận kết quả"}
"""Short codes of a create request: each held to ``IDENTIFIER_MAX`` before it is looked up or echoed."""


def _codes(body: dict[str, Any], default: dict[str, str]) -> dict[str, str]:
    """The create request's codes, or ``InvalidInput`` naming each one that is not a short line of text."""
    from core.forms.validators import IDENTIFIER_MAX, clean_free_text

    out: dict[str, str] = {}
    errors: list[tuple[str, str]] = []
    for key, label in _CODES.items():
        text, problem = clean_free_text(body.get(key), label, IDENTIFIER_MAX, multiline=False)
        if problem:
            errors.append((key, problem))
        out[key] = text or default.get(key, "")
    if errors:
        raise InvalidInput("Hồ sơ chưa hợp lệ, vui lòng sửa các trường được đánh dấu.", errors)
    return out


def _version(body: dict[str, Any]) -> int:
    value = body.get("version")
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise InvalidInput("Thiếu phiên bản hồ sơ.",
                           [("version", "Gửi kèm 'version' (số nguyên) của hồ sơ như khi bạn đọc nó.")])
    return value


async def _readable(code: str, user: UserView) -> DossierView:
    return await access.readable_view(user, code)


class DossierApi(Controller):
    """Dossiers for integrations and scripts (bearer token)."""

    path = "/api/v1/dossiers"
    tags = ["dossiers"]
    dependencies = {"user": Provide(api_user)}

    @post("/", status_code=HTTP_201_CREATED, summary="Create a draft dossier", guards=[requires_login])
    async def create(self, data: Any, user: UserView) -> dict[str, Any]:
        """Body: ``{procedure_code, agency_code, applicant: {name, id_number, phone, email, address},
        data: {...answers}, channel: truc_tuyen|truc_tiep|buu_chinh, result_channel}``."""
        body = _body(data)
        codes = _codes(body, {"channel": "truc_tuyen", "result_channel": "counter"})
        agency_code = codes["agency_code"]
        agency = await Agency.select(Agency.id).where(Agency.code == agency_code).first() if agency_code else None
        if agency is None:
            raise InvalidInput("Cơ quan tiếp nhận không hợp lệ.",
                               [("agency_code", f"Không có cơ quan mã '{agency_code}'.")])
        view = await service.create(
            codes["procedure_code"],
            agency["id"],
            actor=user,
            applicant=body.get("applicant") if isinstance(body.get("applicant"), dict) else {},
            data=body.get("data") if body.get("data") is not None else {},
            channel=codes["channel"],
            result_channel=codes["result_channel"],
        )
        return dossier_json(view, user)

    @get("/{code:str}", summary="Read a dossier", guards=[reads_dossier])
    async def read(self, code: str, user: UserView) -> dict[str, Any]:
        return dossier_json(await _readable(code, user), user)

    @get("/{code:str}/events", summary="The dossier's events, in order", guards=[reads_dossier])
    async def read_events(self, code: str, user: UserView) -> list[dict[str, Any]]:
        view = await _readable(code, user)
        evs: list[EventView] = await service.events(view.id)
        return [e.as_dict() for e in evs]

    @get("/{code:str}/attachments", summary="The dossier's uploaded files", guards=[reads_dossier])
    async def list_attachments(self, code: str, user: UserView) -> list[dict[str, Any]]:
        return await attachments.list_for((await _readable(code, user)).id)

    @get("/{code:str}/attachments/{attachment_id:int}", summary="Download one uploaded file", guards=[reads_dossier])
    async def download_attachment(self, code: str, attachment_id: int, user: UserView) -> Response[bytes]:
        view = await _readable(code, user)
        row, content = await attachments.read(view.id, attachment_id)
        return Response(content, media_type=row["content_type"],
                        headers=attachments.download_headers(row, str(row["id"])))

    @post("/{code:str}/attachments", status_code=HTTP_201_CREATED, summary="Upload a file into a document slot",
          request_max_body_size=attachments.MAX_BYTES + 64 * 1024, guards=[reads_dossier])
    async def upload(
        self, code: str, user: UserView,
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> dict[str, Any]:
        """Multipart form: ``document_code`` (a slot of the procedure's checklist) and ``file`` (PDF,
        JPEG or PNG, at most 8 MB). Allowed to the applicant while the dossier is a draft or waits
        for a supplement, and to the receiving desk until it is received."""
        await _readable(code, user)
        upload = data.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Không tải được tệp lên.", [("file", "Chọn một tệp để tải lên (trường 'file').")])
        content = await upload.read()
        return await attachments.add(code, actor=user, document_code=str(data.get("document_code") or "").strip(),
                                     filename=upload.filename or "", content=content)

    @post("/{code:str}/submit", status_code=HTTP_200_OK, summary="Submit a draft (allocates the code)", guards=[reads_dossier])
    async def submit(self, code: str, data: Any, user: UserView) -> dict[str, Any]:
        await access.readable_id(user, code)  # before anything else (the body, the version)
        body = _body(data)
        view = await service.submit(code, actor=user, version=_version(body), note=str(body.get("note") or ""))
        return dossier_json(view, user)

    @post("/{code:str}/receive", status_code=HTTP_200_OK, summary="Receive (form 01, clock, route)", guards=[reads_dossier])
    async def receive(self, code: str, data: Any, user: UserView) -> dict[str, Any]:
        await access.readable_id(user, code)
        body = _body(data)
        view = await service.receive(code, actor=user, version=_version(body), note=str(body.get("note") or ""))
        return dossier_json(view, user)

    @post("/{code:str}/actions/{action:str}", status_code=HTTP_200_OK, summary="Apply a lifecycle action", guards=[reads_dossier])
    async def act(self, code: str, action: str, data: Any, user: UserView) -> dict[str, Any]:
        """Body: ``{version, step_id?, note?, ...}``; extra keys by action: ``items`` (request_supplement),
        ``channel`` and ``receiver`` (return_result), ``new_due`` (apologise), ``reason_code`` (suspend),
        ``override_reason`` (a second supplement request)."""
        await access.readable_id(user, code)
        body = _body(data)
        if action in ("flag_late", "close_unanswered"):
            raise NotAllowed("Thao tác này do hệ thống tự thực hiện.")
        params = {k: v for k, v in body.items() if k not in ("version", "step_id", "note", "actor", "action", "dossier_id")}
        view = await service.act(code, action, actor=user, version=_version(body), step_id=body.get("step_id"),
                                 note=str(body.get("note") or ""), **params)
        return dossier_json(view, user)


class StatusApi(Controller):
    """Public status look-up by code: no personal data."""

    path = "/api/v1/status"
    tags = ["status"]
    opt = public("status look-up by dossier code: no personal data")

    @get("/{code:str}", summary="Public status of a dossier")
    async def status(self, code: str, request: Request) -> dict[str, Any]:
        from core.dossiers.codes import is_valid_code

        if not is_valid_code(code):
            raise access.not_found(code)
        return public_json(await service.get(code))


@post("/api/v1/clock-scan", status_code=HTTP_200_OK, summary="Run the clock scan now (province admin)",
      tags=["dossiers"], dependencies={"user": Provide(api_user)},
      guards=[requires_role("province_admin", message="Chỉ quản trị cấp tỉnh mới chạy được việc quét hạn giải quyết.")])
async def clock_scan_now(user: UserView) -> dict[str, Any]:
    """Flag late dossiers and close unanswered supplements now (the daily job, on demand)."""
    from core.dossiers import clockscan

    if not user.has_role("province_admin"):
        raise NotAllowed("Chỉ quản trị cấp tỉnh mới chạy được việc quét hạn giải quyết.")
    return (await clockscan.scan()).as_dict()


ROUTES = [DossierApi, StatusApi, clock_scan_now]
