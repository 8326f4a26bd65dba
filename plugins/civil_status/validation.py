"""Cross-field and registry checks of civil-status applications (``validate_application``).

Messages are Vietnamese, attached to the field that caused them. Registry conflicts name the
conflicting entry only by its public identifier (book and entry number): never a name, a date or
anything else about the other person.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from core.api import FieldError, ProcedureSpec
from plugins.civil_status import forms, registry
from plugins.civil_status.dates import age_on, as_date, vn_today
from plugins.civil_status.procedures import (
    BIRTH,
    BIRTH_LINKED,
    BIRTH_LINKED_VERIFY,
    DEATH,
    MARRIAGE,
    MARRIAGE_VERIFY,
)

__all__ = ("validate", "MIN_AGE_MAN", "MIN_AGE_WOMAN", "LINKED_MAX_AGE")

MIN_AGE_MAN = 20
MIN_AGE_WOMAN = 18
"""Law on Marriage and Family 2014, Art. 8(1)(a): man from full 20, woman from full 18."""
LINKED_MAX_AGE = 6
"""NĐ 63/2024 group 1 applies to children under 6."""

_FORM_OF = {
    BIRTH: forms.BIRTH,
    BIRTH_LINKED: forms.BIRTH_LINKED,
    BIRTH_LINKED_VERIFY: forms.BIRTH_LINKED,
    MARRIAGE: forms.MARRIAGE,
    MARRIAGE_VERIFY: forms.MARRIAGE,
    DEATH: forms.DEATH,
}


def _today(ctx: Mapping[str, Any]) -> date:
    return as_date(ctx.get("today")) or vn_today()


def _s(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if value is not None else ""


def _birth_rules(data: Mapping[str, Any], today: date, linked: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    child = as_date(data.get("child_birth_date"))
    if child and child > today:
        errors.append(FieldError("child_birth_date", "Ngày sinh của trẻ không được sau ngày hôm nay"))
    for parent, label in (("mother", "mẹ"), ("father", "cha")):
        if parent == "father" and _s(data, "father_known") != "co":
            continue
        born = as_date(data.get(f"{parent}_birth_date"))
        if child and born and born >= child:
            errors.append(
                FieldError(
                    f"{parent}_birth_date", f"Ngày sinh của người {label} phải trước ngày sinh của trẻ"
                )
            )
        elif child and born and age_on(born, child) < 12:
            errors.append(
                FieldError(
                    f"{parent}_birth_date",
                    f"Người {label} chưa đủ 12 tuổi vào ngày sinh của trẻ: kiểm tra lại năm sinh",
                )
            )
    if (
        _s(data, "father_known") == "co"
        and _s(data, "father_cccd")
        and _s(data, "father_cccd") == _s(data, "mother_cccd")
    ):
        errors.append(FieldError("father_cccd", "Số định danh cá nhân của cha trùng với của mẹ"))
    if _s(data, "declarant_relation") == "cha" and _s(data, "father_known") != "co":
        errors.append(
            FieldError(
                "declarant_relation",
                "Người đi đăng ký là cha thì phải ghi thông tin người cha (chọn “Có” ở câu hỏi về người cha)",
            )
        )
    if linked and child and child <= today and age_on(child, today) >= LINKED_MAX_AGE:
        errors.append(
            FieldError(
                "child_birth_date",
                "Thủ tục liên thông này chỉ áp dụng cho trẻ em dưới 6 tuổi; hãy nộp thủ tục đăng ký khai sinh riêng",
            )
        )
    return errors


async def _marriage_rules(data: Mapping[str, Any], today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    for who, label, minimum in (("husband", "Bên nam", MIN_AGE_MAN), ("wife", "Bên nữ", MIN_AGE_WOMAN)):
        born = as_date(data.get(f"{who}_birth_date"))
        if born and born <= today and age_on(born, today) < minimum:
            errors.append(
                FieldError(
                    f"{who}_birth_date",
                    f"{label} chưa đủ {minimum} tuổi vào ngày đăng ký (Điều 8 Luật Hôn nhân và gia đình: "
                    f"nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi)",
                )
            )
    husband, wife = _s(data, "husband_cccd"), _s(data, "wife_cccd")
    if husband and husband == wife:
        errors.append(FieldError("wife_cccd", "Số định danh cá nhân của bên nữ trùng với của bên nam"))
        return errors
    for who, cccd in (("husband", husband), ("wife", wife)):
        if not cccd:
            continue
        dead = await registry.death_entry(cccd)
        if dead:
            errors.append(
                FieldError(
                    f"{who}_cccd",
                    f"Số định danh cá nhân này đã được đăng ký khai tử ({dead.label()}); không thể đăng ký kết hôn",
                )
            )
            continue
        existing = await registry.active_marriage(cccd)
        if existing:
            errors.append(
                FieldError(
                    f"{who}_cccd",
                    "Người có số định danh cá nhân này đang có quan hệ hôn nhân chưa chấm dứt theo "
                    f"{existing.label()}. "
                    "Không được kết hôn khi đang có vợ hoặc có chồng (Điều 5 Luật Hôn nhân và gia đình)",
                )
            )
    return errors


async def _death_rules(data: Mapping[str, Any], today: date) -> list[FieldError]:
    errors: list[FieldError] = []
    died = as_date(data.get("death_date"))
    born = as_date(data.get("deceased_birth_date"))
    if died and died > today:
        errors.append(FieldError("death_date", "Ngày chết không được sau ngày hôm nay"))
    if died and born and died < born:
        errors.append(FieldError("death_date", "Ngày chết không được trước ngày sinh của người đã chết"))
    cccd = _s(data, "deceased_cccd")
    if cccd:
        dead = await registry.death_entry(cccd)
        if dead:
            errors.append(
                FieldError("deceased_cccd", f"Việc chết của người này đã được đăng ký ({dead.label()})")
            )
    return errors


def _page_fields(procedure_code: str, page: str | None) -> set[str] | None:
    if page is None:
        return None
    form = _FORM_OF[procedure_code]
    return {f.name for p in form.pages if p.id == page for f in p.fields}


async def validate(
    procedure: ProcedureSpec, page: str | None, data: Mapping[str, Any], ctx: Mapping[str, Any]
) -> list[FieldError]:
    """All cross-field and registry errors for ``data`` (only those of ``page`` when given)."""
    if procedure.code not in _FORM_OF:
        return []
    today = _today(ctx)
    if procedure.code in (BIRTH, BIRTH_LINKED, BIRTH_LINKED_VERIFY):
        errors = _birth_rules(data, today, linked=procedure.code in (BIRTH_LINKED, BIRTH_LINKED_VERIFY))
    elif procedure.code in (MARRIAGE, MARRIAGE_VERIFY):
        errors = await _marriage_rules(data, today)
    else:
        errors = await _death_rules(data, today)
    keep = _page_fields(procedure.code, page)
    return errors if keep is None else [e for e in errors if e.field in keep]
