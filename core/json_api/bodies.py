"""Typed request and response bodies of the JSON API (``/api/v1``), as ``/schema/openapi.json`` shows them.

Each request field carries its Vietnamese label (``title``), an English ``description`` and the limits
the server holds it to (``maxLength``, ``pattern``, ``minimum``/``maximum``, ``enum``): Litestar decodes
the body into these types before the handler runs, and ``core.json_api.validation`` turns a refusal
into Vietnamese messages at each field (422). The services then apply the rules no schema can say
(a CCCD's check digits, the procedure's form, who may act now).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar.datastructures import UploadFile
from msgspec import Meta

from core.forms.validators import (
    ADDRESS_MAX,
    EMAIL_MAX,
    IDENTIFIER_MAX,
    LIST_ITEMS_MAX,
    LONG_TEXT_MAX,
    NAME_MAX,
    SHORT_TEXT_MAX,
)

__all__ = (
    "MULTI_LINE",
    "ONE_LINE",
    "ActionBody",
    "AgencyOut",
    "AllowedAction",
    "Applicant",
    "AttachmentOut",
    "AttachmentUpload",
    "ClockScanOut",
    "CreateDossier",
    "DossierOut",
    "EventOut",
    "PublicStatusOut",
    "PublicStepOut",
    "Receiver",
    "StepOut",
    "VersionedNote",
)

ONE_LINE = r"^[^\x00-\x08\x0a-\x1f\x7f]*$"
"""One line of text: no control character and no line break (a tab is read as a space)."""
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Text over several lines: no control character other than tab and line breaks."""


def _line(label: str, limit: int, description: str, **kw: Any) -> Meta:
    """One line of text of at most ``limit`` characters, labelled ``label`` in messages."""
    return Meta(max_length=limit, pattern=ONE_LINE, title=label, description=description, **kw)


def _text(label: str, limit: int, description: str) -> Meta:
    """Text over several lines of at most ``limit`` characters, labelled ``label`` in messages."""
    return Meta(max_length=limit, pattern=MULTI_LINE, title=label, description=description)


Version = Annotated[
    int,
    Meta(
        title="Phiên bản hồ sơ",
        description="The dossier's `version` as you last read it (optimistic locking: "
        "409 with the list of changes when someone changed it since).",
    ),
]
Note = Annotated[str, _text("Lý do hoặc ghi chú", LONG_TEXT_MAX, "A note or reason recorded with the event.")]


# --- requests ---------------------------------------------------------------------------------------


class Applicant(msgspec.Struct, kw_only=True):
    """Who applies. Online (``truc_tuyen``) the signed-in citizen's own account fills what is left out."""

    name: Annotated[str, _line("Họ và tên người nộp hồ sơ", NAME_MAX, "Full name.")] | None = None
    id_number: (
        Annotated[
            str,
            _line(
                "Số định danh cá nhân (CCCD)",
                IDENTIFIER_MAX,
                "12-digit citizen ID (spaces allowed), checked like at registration.",
                examples=["079203001234"],
            ),
        ]
        | None
    ) = None
    phone: (
        Annotated[
            str, _line("Số điện thoại", IDENTIFIER_MAX, "0… or +84…, 10–11 digits.", examples=["0912345678"])
        ]
        | None
    ) = None
    email: Annotated[str, _line("Địa chỉ thư điện tử", EMAIL_MAX, "E-mail address.")] | None = None
    address: Annotated[str, _line("Địa chỉ", ADDRESS_MAX, "Postal address.")] | None = None
    birth_date: (
        Annotated[
            str,
            _line(
                "Ngày sinh",
                IDENTIFIER_MAX,
                "dd/mm/yyyy. Not stored: when given, the CCCD must match it.",
                examples=["05/06/2003"],
            ),
        ]
        | None
    ) = None
    sex: (
        Annotated[
            Literal["male", "female"],
            Meta(title="Giới tính", description="Not stored: when given, the CCCD must match it."),
        ]
        | None
    ) = None


class CreateDossier(msgspec.Struct, kw_only=True):
    """``POST /api/v1/dossiers``: a draft dossier (its code is given when it is submitted)."""

    procedure_code: Annotated[
        str, _line("Mã thủ tục", IDENTIFIER_MAX, "A procedure's `code` from GET /api/v1/procedures.")
    ]
    agency_code: Annotated[
        str,
        _line(
            "Mã cơ quan tiếp nhận",
            IDENTIFIER_MAX,
            "The receiving agency's `code` (GET /api/v1/procedures/{code}: `agencies`).",
        ),
    ]
    applicant: Applicant | None = None
    data: (
        Annotated[
            dict[str, Any],
            Meta(
                title="Nội dung tờ khai",
                description="Answers to the procedure's form by field `name` (GET /api/v1/procedures/{code}: `form`); "
                "checked by the form's own rules (422 naming the fields).",
            ),
        ]
        | None
    ) = None
    channel: Annotated[
        Literal["truc_tuyen", "truc_tiep", "buu_chinh"],
        Meta(title="Kênh nộp", description="How it is filed: online, at the counter, by public post."),
    ] = "truc_tuyen"
    result_channel: Annotated[
        Literal["counter", "post", "online"],
        Meta(
            title="Hình thức nhận kết quả",
            description="How the result is returned: one of the procedure's result channels.",
        ),
    ] = "counter"


class VersionedNote(msgspec.Struct, kw_only=True):
    """``submit`` and ``receive``: the version you read, and an optional note."""

    version: Version
    note: Note | None = None


class Receiver(msgspec.Struct, kw_only=True):
    """``return_result``: who collects the result (R29)."""

    name: Annotated[str, _line("Họ và tên người nhận kết quả", NAME_MAX, "Full name.")] | None = None
    id_number: (
        Annotated[
            str,
            _line(
                "Số định danh cá nhân của người nhận",
                IDENTIFIER_MAX,
                "12-digit citizen ID, checked like at registration.",
            ),
        ]
        | None
    ) = None
    relation: (
        Annotated[
            Literal["holder", "authorised", "representative"],
            Meta(
                title="Quan hệ của người nhận",
                description="The holder, a person authorised under civil law, or an organisation's representative.",
            ),
        ]
        | None
    ) = None
    document: (
        Annotated[
            str,
            _line(
                "Giấy ủy quyền hoặc giấy giới thiệu",
                SHORT_TEXT_MAX,
                "The authorisation or introduction letter (not for the holder).",
            ),
        ]
        | None
    ) = None
    tracking: Annotated[str, _line("Số hiệu bưu gửi", IDENTIFIER_MAX, "Postal tracking number.")] | None = (
        None
    )


_ITEM = _line("Mỗi giấy tờ cần bổ sung", SHORT_TEXT_MAX, "One document asked for.")


class ActionBody(msgspec.Struct, kw_only=True):
    """``POST /api/v1/dossiers/{code}/actions/{action}``. Besides the keys below, a step that issues a
    result document takes the inputs its procedure declares (GET /api/v1/procedures/{code}:
    ``steps[].inputs``) as further keys of this object."""

    version: Version
    step_id: (
        Annotated[
            int,
            Meta(
                title="Bước xử lý",
                description="The dossier step acted on (`steps[].id` of the dossier); "
                "inferred when you hold a single active step.",
            ),
        ]
        | None
    ) = None
    note: Note | None = None
    items: (
        Annotated[
            list[Annotated[str, _ITEM]],
            Meta(
                max_length=LIST_ITEMS_MAX,
                title="Danh sách giấy tờ cần bổ sung",
                description="request_supplement: the documents asked for, one per item.",
                extra_json_schema={
                    "extra": {
                        "items": {
                            "type": "string",
                            "maxLength": _ITEM.max_length,
                            "pattern": _ITEM.pattern,
                            "title": _ITEM.title,
                        }
                    }
                },
            ),
        ]
        | None
    ) = None
    override_reason: (
        Annotated[
            str,
            _text(
                "Lý do yêu cầu bổ sung lần nữa",
                LONG_TEXT_MAX,
                "request_supplement a second time: why the law allows it.",
            ),
        ]
        | None
    ) = None
    late_reason: (
        Annotated[
            str,
            _text(
                "Lý do yêu cầu bổ sung sau 8 giờ làm việc",
                LONG_TEXT_MAX,
                "request_supplement of an online dossier later than 8 working hours after receipt (R9).",
            ),
        ]
        | None
    ) = None
    channel: (
        Annotated[
            Literal["counter", "post", "online"],
            Meta(title="Hình thức trả kết quả", description="return_result: how the result is handed over."),
        ]
        | None
    ) = None
    receiver: Receiver | None = None
    originals_received: (
        Annotated[
            bool,
            Meta(
                title="Đã nhận bản chính",
                description="return_result: the originals owed (copies submitted) were handed in (R30).",
            ),
        ]
        | None
    ) = None
    new_due: (
        Annotated[
            str,
            _line(
                "Ngày hẹn mới",
                IDENTIFIER_MAX,
                "apologise: the new date: dd/mm/yyyy, dd/mm/yyyy HH:MM or ISO 8601.",
            ),
        ]
        | None
    ) = None
    reason_code: (
        Annotated[
            Literal["appraisal", "violation", "tax_payment", "public_posting", "other"],
            Meta(
                title="Lý do tạm dừng", description="suspend: the legal reason the clock stands still (R17)."
            ),
        ]
        | None
    ) = None


class AttachmentUpload(msgspec.Struct, kw_only=True):
    """``POST /api/v1/dossiers/{code}/attachments`` (multipart/form-data)."""

    document_code: Annotated[
        str,
        _line(
            "Mục giấy tờ",
            IDENTIFIER_MAX,
            "A document slot of the procedure's checklist "
            "(GET /api/v1/procedures/{code}: `documents[].code`).",
        ),
    ]
    file: Annotated[UploadFile, Meta(title="Tệp", description="PDF, JPEG or PNG, at most 8 MB.")]


# --- responses --------------------------------------------------------------------------------------


class AgencyOut(msgspec.Struct):
    id: int
    code: str
    name: str


class StepOut(msgspec.Struct):
    """A route step of the dossier."""

    id: int
    stage: int
    step_id: str
    name: str
    name_en: str
    agency: AgencyOut
    role: str
    status: str
    budget_minutes: int
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    outcome: str | None
    suspends_for: str | None
    outcomes: list[str]
    colour: str | None
    results: list[str]


class AllowedAction(msgspec.Struct, omit_defaults=True):
    """An action the caller may try now (roles and states; the inputs are checked when it is sent)."""

    action: str
    step_id: int | None = None
    step: str | None = None
    agency: str | None = None


class DossierOut(msgspec.Struct):
    """A dossier as its applicant and the staff handling it read it."""

    id: int
    code: str | None
    procedure_code: str
    domain: str
    procedure_version_id: int | None
    state: str
    version: int
    receiving_agency: AgencyOut
    applicant_id: int | None
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    data: dict[str, Any]
    channel: str
    result_channel: str
    submitted_at: datetime | None
    received_at: datetime | None
    clock_start_at: datetime | None
    due_at: datetime | None
    appointment1_at: datetime | None
    extended_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    late: bool
    late_agency_id: int | None
    late_step: str | None
    parent_dossier_id: int | None
    created_at: datetime
    updated_at: datetime
    steps: list[StepOut]
    colour: str | None
    lookup_key: str
    appointment_at: datetime | None
    allowed_actions: list[AllowedAction]


class EventOut(msgspec.Struct):
    """One committed transition."""

    id: int
    dossier_id: int
    seq: int
    action: str
    from_state: str
    to_state: str
    actor_id: int | None
    actor_name: str
    agency_id: int | None
    agency_name: str
    step_id: str | None
    note: str
    data: dict[str, Any]
    at: datetime


class AttachmentOut(msgspec.Struct):
    """An uploaded file (``GET …/attachments/{id}`` downloads it)."""

    id: int
    document_code: str
    filename: str
    content_type: str
    size: int
    sha256: str
    at: datetime
    pages: int | None


class PublicStepOut(msgspec.Struct):
    stage: int
    name: str
    agency: str
    status: str
    started_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    outcome: str | None


class PublicStatusOut(msgspec.Struct):
    """What anyone may see of a dossier by its code: no names, numbers, addresses or answers."""

    code: str | None
    procedure_code: str
    state: str
    receiving_agency: AgencyOut
    received_at: datetime | None
    appointment_at: datetime | None
    appointment1_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    late: bool
    colour: str | None
    steps: list[PublicStepOut]


class ClockScanOut(msgspec.Struct):
    """What the clock scan did: dossiers flagged late, supplements closed unanswered, errors."""

    flagged_late: list[int]
    closed: list[int]
    errors: list[str]
