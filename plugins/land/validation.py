"""Cross-field and registry checks of the land applications (the ``validate_application`` hook).

Each rule names the field it is about. A rule runs once every answer it reads is present; on a
single page only the errors of that page's fields are reported, on the whole application (``page``
None) all of them. Registry conflicts name parcels and certificates by their public identifiers
(commune code, map sheet, parcel number, certificate serial) and never show the holders' data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from core.api import FieldError, ProcedureSpec, vn_today
from plugins.land import forms, procedures
from plugins.land.registry import (
    as_int,
    find_certificate,
    find_parcel,
    holds,
    normalise_serial,
    valid_certificate_of,
)
from plugins.land.tables import Parcel

__all__ = ("validate", "as_date", "area_vi", "NEW_FORM_FROM")

NEW_FORM_FROM = date(2024, 8, 1)
"""Certificates issued from this day use the form of Decree 101/2024 (no exchange "for the new form")."""

STABLE_USE_BEFORE = date(2014, 7, 1)
AREA_TOLERANCE = 0.10

_FORMS = {p.form: f for p in procedures.ALL for f in forms.ALL if f.id == p.form}


def as_date(value: Any) -> date | None:
    """A date from a form answer (``date``, ``datetime`` or ISO ``YYYY-MM-DD``/``DD/MM/YYYY``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time
        except ValueError:
            continue
    return None


def area_vi(value: float) -> str:
    """``1234.5`` → ``"1.234,5"`` (Vietnamese separators; no decimals for whole numbers)."""
    text = f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return text[:-2] if text.endswith(",0") else text


def _d(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _where(parcel_like: Mapping[str, Any]) -> str:
    return (
        f"thửa đất số {parcel_like['parcel_number']}, tờ bản đồ số {parcel_like['map_sheet']} "
        f"({parcel_like['commune_code']})"
    )


def _present(data: Mapping[str, Any], *names: str) -> bool:
    return all(data.get(n) not in (None, "") for n in names)


async def _parcel_errors(data: Mapping[str, Any]) -> tuple[dict | None, list[FieldError]]:
    """The parcel named by the answers, with the errors that stop any registration on it."""
    if not _present(data, "commune_code", "map_sheet", "parcel_number"):
        return None, []
    parcel = await find_parcel(data)
    if parcel is None:
        commune = str(data["commune_code"]).strip()
        if not await Parcel.exists().where(Parcel.commune_code == commune):
            return None, [
                FieldError(
                    "commune_code",
                    f"Mã xã, phường {commune} không có trong cơ sở dữ liệu địa chính "
                    "của tỉnh. Kiểm tra lại mã ghi trên Giấy chứng nhận hoặc thông báo của UBND xã.",
                )
            ]
        where = {
            "commune_code": commune,
            "map_sheet": as_int(data["map_sheet"]),
            "parcel_number": as_int(data["parcel_number"]),
        }
        return None, [
            FieldError(
                "parcel_number",
                f"Không tìm thấy {_where(where)} trong cơ sở dữ liệu địa chính. "
                "Kiểm tra lại số tờ, số thửa trên Giấy chứng nhận hoặc trích lục bản đồ.",
            )
        ]
    if parcel["dispute"]:
        note = f" ({parcel['dispute_note']})" if parcel["dispute_note"] else ""
        return parcel, [
            FieldError(
                "parcel_number",
                f"{_where(parcel).capitalize()} đang có tranh chấp hoặc bị ngăn chặn{note}; "
                "chưa thể đăng ký cho đến khi tranh chấp được giải quyết xong.",
            )
        ]
    return parcel, []


async def _certificate_errors(
    data: Mapping[str, Any], parcel: dict | None, holder_field: str, today: date
) -> tuple[dict | None, list[FieldError]]:
    """The certificate named by ``certificate_serial`` and the person in ``holder_field``."""
    if not _present(data, "certificate_serial"):
        return None, []
    serial = normalise_serial(data["certificate_serial"])
    if serial is None:
        return None, []  # the declarative validator reports the format
    cert = await find_certificate(serial)
    if cert is None:
        return None, [
            FieldError(
                "certificate_serial",
                f"Không tìm thấy Giấy chứng nhận số phát hành {serial} trong cơ sở "
                "dữ liệu địa chính. Kiểm tra lại số seri ở trang 1 của Giấy chứng nhận.",
            )
        ]
    if cert["status"] != "valid":
        return cert, [
            FieldError(
                "certificate_serial",
                f"Giấy chứng nhận số phát hành {serial} đã được thay thế hoặc thu hồi, "
                "không còn hiệu lực; nhập số phát hành của Giấy chứng nhận đang sử dụng.",
            )
        ]
    errors = []
    if parcel is not None and cert["parcel"] != parcel["id"]:
        errors.append(
            FieldError(
                "certificate_serial", f"Giấy chứng nhận số phát hành {serial} không cấp cho {_where(parcel)}."
            )
        )
    elif _present(data, f"{holder_field}_id_number") and not holds(cert, data[f"{holder_field}_id_number"]):
        errors.append(
            FieldError(
                f"{holder_field}_id_number",
                f"Người có số định danh này không đứng tên trên Giấy chứng nhận số phát hành {serial}; "
                "chỉ người sử dụng đất ghi trên Giấy chứng nhận (hoặc người được ủy quyền) mới được đề nghị.",
            )
        )
    return cert, errors


async def _first_registration(data: Mapping[str, Any], today: date) -> list[FieldError]:
    parcel, errors = await _parcel_errors(data)
    if parcel is not None and not errors:
        cert = await valid_certificate_of(parcel["id"])
        if cert is not None:
            errors.append(
                FieldError(
                    "parcel_number",
                    f"{_where(parcel).capitalize()} đã được cấp Giấy chứng nhận số phát hành "
                    f"{cert['serial']}; đề nghị làm thủ tục đăng ký biến động hoặc cấp đổi, "
                    "không đăng ký lần đầu.",
                )
            )
        area = as_int(data.get("declared_area"))
        if (
            area is not None
            and parcel["area"]
            and abs(area - parcel["area"]) > AREA_TOLERANCE * parcel["area"]
        ):
            errors.append(
                FieldError(
                    "declared_area",
                    f"Diện tích đề nghị ({area_vi(area)} m²) chênh lệch quá 10% so với diện tích "
                    f"đo đạc trên bản đồ địa chính ({area_vi(parcel['area'])} m²); đề nghị kê khai "
                    "đúng diện tích hoặc đề nghị đo đạc lại thửa đất.",
                )
            )
        use = data.get("land_use_type")
        if use and use != parcel["land_use_type"]:
            errors.append(
                FieldError(
                    "land_use_type",
                    f"Mục đích sử dụng kê khai ({use}) khác với bản đồ địa chính "
                    f"({parcel['land_use_type']}); muốn thay đổi mục đích phải làm thủ tục "
                    "chuyển mục đích sử dụng đất.",
                )
            )
    if (
        data.get("has_spouse") == "yes"
        and _present(data, "spouse_id_number", "holder_id_number")
        and str(data["spouse_id_number"]).strip() == str(data["holder_id_number"]).strip()
    ):
        errors.append(
            FieldError(
                "spouse_id_number", "Số định danh của vợ hoặc chồng trùng với số của người sử dụng đất."
            )
        )
    since, born = as_date(data.get("use_since")), as_date(data.get("holder_birth_date"))
    if since and born and since < born and data.get("origin") != "inherited":
        errors.append(
            FieldError(
                "use_since",
                "Thời điểm bắt đầu sử dụng đất không thể trước ngày sinh của người sử dụng đất, "
                "trừ trường hợp được thừa kế, tặng cho.",
            )
        )
    if since and data.get("origin") == "allocated" and since >= STABLE_USE_BEFORE:
        errors.append(
            FieldError(
                "use_since",
                "Trường hợp được giao đất không đúng thẩm quyền chỉ được cấp Giấy chứng nhận khi "
                "sử dụng từ trước ngày 01/7/2014 (Điều 140 Luật Đất đai).",
            )
        )
    if "no_dispute_declared" in data and data.get("no_dispute_declared") in (
        False,
        "",
        "0",
        "false",
        "no",
        None,
    ):
        errors.append(FieldError("no_dispute_declared", "Đánh dấu vào ô cam đoan để nộp đơn đăng ký."))
    return errors


async def _transfer(data: Mapping[str, Any], today: date) -> list[FieldError]:
    parcel, errors = await _parcel_errors(data)
    if parcel is not None and not errors:
        term = parcel.get("term_until")
        if term is not None and as_date(term) < today:
            errors.append(
                FieldError(
                    "parcel_number",
                    f"{_where(parcel).capitalize()} đã hết thời hạn sử dụng đất "
                    f"({_d(as_date(term))}); không đủ điều kiện chuyển nhượng (Điều 45 Luật Đất đai).",
                )
            )
        if await valid_certificate_of(parcel["id"]) is None:
            errors.append(
                FieldError(
                    "parcel_number",
                    f"{_where(parcel).capitalize()} chưa được cấp Giấy chứng nhận; "
                    "chưa đủ điều kiện chuyển nhượng (Điều 45 Luật Đất đai).",
                )
            )
    cert, cert_errors = await _certificate_errors(data, parcel if not errors else None, "transferor", today)
    errors += cert_errors
    if (
        _present(data, "transferor_id_number", "transferee_id_number")
        and str(data["transferor_id_number"]).strip() == str(data["transferee_id_number"]).strip()
    ):
        errors.append(
            FieldError(
                "transferee_id_number", "Bên nhận chuyển nhượng phải là người khác với bên chuyển nhượng."
            )
        )
    signed = as_date(data.get("contract_date"))
    issued = as_date(cert["issue_date"]) if cert else None
    if signed and issued and signed < issued:
        errors.append(
            FieldError(
                "contract_date",
                f"Ngày công chứng hợp đồng không thể trước ngày cấp Giấy chứng nhận ({_d(issued)}).",
            )
        )
    return errors


async def _reissue(data: Mapping[str, Any], today: date) -> list[FieldError]:
    parcel, errors = await _parcel_errors(data)
    cert, cert_errors = await _certificate_errors(data, parcel if not errors else None, "holder", today)
    errors += cert_errors
    issued = as_date(cert["issue_date"]) if cert else None
    if data.get("reason") == "lost":
        reported = as_date(data.get("loss_reported_on"))
        if not _present(data, "loss_reported_on"):
            errors.append(
                FieldError(
                    "loss_reported_on", "Nhập ngày đã trình báo việc mất Giấy chứng nhận với Công an cấp xã."
                )
            )
        elif reported and issued and reported < issued:
            errors.append(
                FieldError(
                    "loss_reported_on",
                    f"Ngày trình báo mất không thể trước ngày cấp Giấy chứng nhận ({_d(issued)}).",
                )
            )
    if data.get("reason") == "new_form" and issued and issued >= NEW_FORM_FROM:
        errors.append(
            FieldError(
                "reason",
                f"Giấy chứng nhận số phát hành {cert['serial']} đã theo mẫu mới (cấp ngày {_d(issued)}); "
                "không thuộc trường hợp cấp đổi sang mẫu mới.",
            )
        )
    return errors


_RULES = {
    procedures.FIRST: _first_registration,
    procedures.TRANSFER: _transfer,
    procedures.REISSUE: _reissue,
}


async def validate(
    procedure: ProcedureSpec, page: str | None, data: Mapping[str, Any], ctx: Mapping[str, Any]
) -> list[FieldError]:
    """Errors of ``data`` for a land procedure (``[]`` for other procedures)."""
    rules = _RULES.get(procedure.code)
    if rules is None:
        return []
    today = ctx.get("today") or vn_today()
    errors = await rules(data, today)
    if page is None:
        return errors
    form = _FORMS.get(procedure.form)
    fields = {f.name for p in form.pages if p.id == page for f in p.fields} if form else set()
    return [e for e in errors if e.field in fields]
