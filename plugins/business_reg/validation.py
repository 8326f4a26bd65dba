"""Registry checks: enterprise and household names (identical or confusingly similar), the enterprise
and its legal representative for a change. Conflicts name only public data (name, enterprise code)."""

from __future__ import annotations

from core.api import FieldError
from plugins.business_reg import names, taxcode
from plugins.business_reg.procedures import CHANGE, ENTERPRISE, HOUSEHOLD
from plugins.business_reg.tables import Business, BusinessOwner


async def name_clash(
    name: str, *, kind: str, agency_id: int | None = None, exclude_code: str | None = None
) -> FieldError | None:
    """An error for ``company_name``/``business_name`` when a registered name clashes, else None."""
    key, core = names.fold(name), names.core_key(name)
    query = Business.select(Business.name, Business.code, Business.name_key).where(
        (Business.kind == kind)
        & (Business.status != "dissolved")
        & ((Business.name_key == key) | (Business.core_key == core))
    )
    if kind == "household" and agency_id is not None:
        query = query.where(Business.agency_id == agency_id)
    for row in await query.limit(5):
        if exclude_code and row["code"] == exclude_code:
            continue
        field = "company_name" if kind == "enterprise" else "business_name"
        how = "trùng" if row["name_key"] == key else "gây nhầm lẫn với"
        return FieldError(
            field,
            f"Tên “{name}” {how} tên đã đăng ký “{row['name']}” (mã số {row['code']}). "
            "Vui lòng chọn tên khác (Điều 38, 41 Luật Doanh nghiệp).",
        )
    return None


async def _check_change(data, user=None) -> list[FieldError]:
    code = str(data.get("enterprise_code", "")).strip()
    if not code:
        return []
    if not taxcode.is_valid(code):
        return [
            FieldError("enterprise_code", f"Mã số doanh nghiệp {code} không hợp lệ (sai chữ số kiểm tra).")
        ]
    business = (
        await Business.select(Business.id, Business.status, Business.name)
        .where((Business.code == code) & (Business.kind == "enterprise"))
        .first()
    )
    if business is None:
        return [
            FieldError("enterprise_code", f"Không tìm thấy doanh nghiệp có mã số {code} trong sổ đăng ký.")
        ]
    if business["status"] != "active":
        return [
            FieldError(
                "enterprise_code",
                f"Doanh nghiệp mã số {code} không còn hoạt động, không thể đăng ký thay đổi.",
            )
        ]
    errors = []
    rep = await BusinessOwner.exists().where(
        (BusinessOwner.business == business["id"])
        & (BusinessOwner.role == "representative")
        & (BusinessOwner.active.eq(True))
        & (BusinessOwner.cccd == str(data.get("rep_cccd", "")))
    )
    if not rep:
        errors.append(
            FieldError(
                "rep_cccd",
                f"Số định danh không khớp với người đại diện theo pháp luật đang đăng ký "
                f"của doanh nghiệp {code}; chỉ người đại diện đó được nộp hồ sơ thay đổi.",
            )
        )
    elif _citizen_cccd(user) not in (None, str(data.get("rep_cccd", ""))):
        # Online, the notice is signed by whoever is signed in (VNeID): it must be the representative.
        # An authorised person files at the counter with the authorisation, where the clerk checks it.
        errors.append(
            FieldError(
                "rep_cccd",
                f"Tài khoản đang đăng nhập không phải của người đại diện theo pháp luật của "
                f"doanh nghiệp {code}. Người đại diện tự nộp trực tuyến bằng tài khoản định danh "
                "của mình, hoặc người được ủy quyền nộp tại Bộ phận Một cửa kèm văn bản ủy quyền.",
            )
        )
    return errors


def _citizen_cccd(user) -> str | None:
    """The signed-in citizen's ID number; None for staff (counter) or an unknown user."""
    if user is None or getattr(user, "is_staff", False):
        return None
    return getattr(user, "cccd", None) or None


_TYPE_PREFIXES = {
    "tnhh1": (
        ("cong ty trach nhiem huu han", "cong ty tnhh"),
        "Công ty trách nhiệm hữu hạn” (hoặc “Công ty TNHH",
    ),
    "tnhh2": (
        ("cong ty trach nhiem huu han", "cong ty tnhh"),
        "Công ty trách nhiệm hữu hạn” (hoặc “Công ty TNHH",
    ),
    "cp": (("cong ty co phan", "cong ty cp"), "Công ty cổ phần” (hoặc “Công ty CP"),
    "dntn": (("doanh nghiep tu nhan", "dntn"), "Doanh nghiệp tư nhân” (hoặc “DNTN"),
}


def type_prefix_error(name: str, enterprise_type: str) -> FieldError | None:
    """Enterprise Law 2020 Art. 37: the name is the type of enterprise followed by a proper name."""
    rule = _TYPE_PREFIXES.get(enterprise_type)
    if rule is None:
        return None
    words = names.plain(name)
    for prefix in rule[0]:
        if words.startswith(prefix + " ") and names.fold(name):
            return None
    return FieldError(
        "company_name",
        f"Tên doanh nghiệp phải bắt đầu bằng loại hình đã chọn “{rule[1]}”) rồi đến tên riêng, "
        "ví dụ: Công ty TNHH Sông Đồng Nai (Điều 37 Luật Doanh nghiệp).",
    )


async def validate(procedure, page, data, ctx) -> list[FieldError]:
    if procedure.code == ENTERPRISE and data.get("company_name") and page in (None, "company"):
        wrong_type = type_prefix_error(str(data["company_name"]), str(data.get("enterprise_type") or ""))
        if wrong_type:
            return [wrong_type]
        clash = await name_clash(str(data["company_name"]), kind="enterprise")
        return [clash] if clash else []
    if procedure.code == HOUSEHOLD and data.get("business_name") and page in (None, "business"):
        agency = ctx.get("agency")
        clash = await name_clash(
            str(data["business_name"]), kind="household", agency_id=getattr(agency, "id", None)
        )
        return [clash] if clash else []
    if procedure.code == CHANGE and page in (None, "enterprise"):
        return await _check_change(data, ctx.get("user"))
    return []
