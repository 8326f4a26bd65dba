"""Form engine: normalise raw answers, validate a page or the whole form (respecting ``show_if``),
and check an application (declarative validators + the plugins' ``validate_application`` hook).

Errors are ``{field name: Vietnamese message}``; ``None`` keys are errors about the whole form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

from core.contract.specs import FieldSpec, FormSpec, PageSpec, ProcedureSpec
from core.forms import validators as v
from core.text.formats import parse_date, parse_money

__all__ = (
    "FieldValueError",
    "max_length",
    "normalise",
    "shown",
    "validate_page",
    "validate_all",
    "check_application",
    "display_value",
)

_TRUE = {"on", "1", "true", "yes", "co", "có", "x"}


class FieldValueError(ValueError):
    """A raw answer that cannot be read as the field's type; ``message`` is Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _kinds(field: FieldSpec) -> set[str]:
    return {val.kind for val in field.validators}


def _text(raw: Any) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return v.strip_bidi(unicodedata.normalize("NFC", str(raw))).strip()


def max_length(field: FieldSpec) -> int:
    """The most characters a text answer of ``field`` may have: its own ``max_length`` validator when
    it declares one (a plugin's override), else the default for its name and widget
    (``validators.max_length_for``)."""
    for val in field.validators:
        if val.kind == "max_length":
            return int(
                next((val.params[k] for k in ("max", "value", "length") if k in val.params), 0)
            ) or v.max_length_for(field.name, field.widget)
    return v.max_length_for(field.name, field.widget)


def _raw_problem(field: FieldSpec, raw: Any) -> str | None:
    """Refuse what no field may hold before reading it: control characters (NUL…) and text far
    beyond the field's length (a megabyte is not normalised, only refused)."""
    values = raw if isinstance(raw, list | tuple) else [raw]
    limit = max_length(field)
    for item in values:
        if isinstance(item, str):
            if len(item) > 4 * limit:
                return v.length_problem(item, field.label.vi, limit)
            if problem := v.control_problem(item, field.label.vi):
                return problem
    if isinstance(raw, list | tuple) and len(raw) > max(v.LIST_ITEMS_MAX, len(field.choices)):
        return f"{field.label.vi}: có quá nhiều giá trị."
    return None


def normalise(field: FieldSpec, raw: Any) -> Any:
    """The answer in its canonical form: ``date`` for dates, ``int`` for money/numbers/map numbers,
    ``bool`` (or a list with ``choices``) for checkboxes, digits only for CCCD, ``0…`` phones, trimmed
    NFC text otherwise; ``None`` when empty. Already-normalised values are returned unchanged.

    Raises:
        FieldValueError: when the text cannot be read as the field's type (message names the field).
    """
    label = field.label.vi
    kinds = _kinds(field)
    if problem := _raw_problem(field, raw):
        raise FieldValueError(problem)
    if field.widget == "checkbox":
        if field.choices:
            values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
            return [_text(x) for x in values if _text(x)]
        if isinstance(raw, bool):
            return raw
        return _text(raw or "").lower() in _TRUE
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, date) or (isinstance(raw, int) and not isinstance(raw, bool)):
        return raw
    if isinstance(raw, list) and field.widget not in ("select", "radio") and "vsic" in kinds:
        return ", ".join(v.split_vsic(raw)) or None
    text = _text(raw)
    if not text:
        return None
    if field.widget == "date":
        try:
            return parse_date(text)
        except ValueError:
            raise FieldValueError(
                f"{label} phải là một ngày có thật, viết theo dạng ngày/tháng/năm (ví dụ 05/09/2025)."
            ) from None
    if field.widget == "money":
        try:
            return parse_money(text)
        except ValueError:
            raise FieldValueError(
                f"{label} là số tiền bằng đồng, chỉ gồm chữ số (ví dụ 1.500.000)."
            ) from None
    if field.widget == "number" or "positive_int" in kinds:
        cleaned = re.sub(r"[\s.]", "", text) if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text) else text
        try:
            return int(cleaned)
        except ValueError:
            raise FieldValueError(f"{label} phải là một số nguyên (chỉ gồm chữ số).") from None
    if field.widget == "cccd" or "cccd" in kinds:
        return re.sub(r"[\s.\-]", "", text)
    if field.widget == "phone" or "phone" in kinds:
        return v.normalise_phone(text)
    if field.widget == "email" or "email" in kinds:
        return text.lower()
    if "tax_code" in kinds:
        return v.normalise_tax_code(text)
    if "vsic" in kinds:
        return ", ".join(v.split_vsic(text))
    return re.sub(r"[ \t]+", " ", text) if field.widget != "textarea" else text


def _as_str(value: Any) -> str:
    if value is True:
        return "true"
    if value is False or value is None:
        return "" if value is None else "false"
    if isinstance(value, date):
        return value.isoformat()
    return "true" if str(value).lower() == "on" else str(value)


def shown(condition: Mapping[str, str] | None, answers: Mapping[str, Any]) -> bool:
    """Whether a ``show_if`` condition holds for ``answers`` (a list answer matches any of its items)."""
    if not condition:
        return True
    for name, expected in condition.items():
        value = answers.get(name)
        if isinstance(value, list | tuple):
            if str(expected) not in [_as_str(x) for x in value]:
                return False
        elif _as_str(value).lower() != str(expected).lower() and not (
            str(expected).lower() in ("true", "on", "yes") and value is True
        ):
            return False
    return True


def _page(form: FormSpec, page_id: str) -> PageSpec:
    for page in form.pages:
        if page.id == page_id:
            return page
    raise KeyError(f"Biểu mẫu '{form.id}' không có trang '{page_id}'.")


def _today(today: date | None) -> date:
    if today is not None:
        return today
    from core.catalogue.service import today_vn

    return today_vn()


def _check_field(field: FieldSpec, value: Any, today: date) -> str | None:
    label = field.label.vi
    explicit_required = next((val for val in field.validators if val.kind == "required"), None)
    if v.is_empty(value) and field.widget != "checkbox" or (field.widget == "checkbox" and not value):
        if field.required or explicit_required:
            if field.widget in ("select", "radio") or (field.widget == "checkbox" and field.choices):
                return (
                    explicit_required and explicit_required.message
                ) or f"Vui lòng chọn {label[:1].lower() + label[1:]}."
            if field.widget == "checkbox":
                return (explicit_required and explicit_required.message) or f"Vui lòng đánh dấu ô “{label}”."
            return v.check(
                "required", value, {}, label, today, explicit_required.message if explicit_required else None
            )
        return None
    if isinstance(value, str) and (problem := v.length_problem(value, label, max_length(field))):
        return problem
    if field.choices and field.widget in ("select", "radio", "checkbox"):
        problem = v.check("choice", value, {"values": [c for c, _ in field.choices]}, label, today)
        if problem:
            return problem
    for val in field.validators:
        if val.kind == "required":
            continue
        params = val.params
        if val.kind == "choice" and "values" not in params:
            params = {"values": [c for c, _ in field.choices]}
        problem = v.check(val.kind, value, params, label, today, val.message)
        if problem:
            return problem
    return None


_SEXES = {"male": "male", "nam": "male", "female": "female", "nu": "female", "nữ": "female"}


def _cross_check_cccd(
    page: PageSpec,
    answers: Mapping[str, Any],
    today: date,
    cleaned: dict[str, Any],
    errors: dict[str | None, str],
) -> None:
    """A CCCD whose validator names the person's date of birth / sex fields (or states the sex) must
    match them, as at registration (``core.identity.cccd.validate_cccd``)."""
    for field in page.fields:
        value = cleaned.get(field.name)
        spec = next((val for val in field.validators if val.kind == "cccd"), None)
        if not value or spec is None or not ({"birth_date", "sex", "sex_is"} & set(spec.params)):
            continue
        born = answers.get(spec.params.get("birth_date") or "")
        sex = _SEXES.get(
            str(spec.params.get("sex_is") or answers.get(spec.params.get("sex") or "") or "").lower()
        )
        problem = v.validate_cccd_number(
            str(value), today, birth_date=born if isinstance(born, date) else None, sex=sex
        )
        if problem:
            errors[field.name] = spec.message or f"{field.label.vi}: {problem[:1].lower() + problem[1:]}"
            cleaned.pop(field.name, None)


def _validate_fields(
    page: PageSpec,
    raw: Mapping[str, Any],
    answers: dict[str, Any],
    today: date,
    cleaned: dict[str, Any],
    errors: dict[str | None, str],
) -> None:
    _each_field(page, raw, answers, today, cleaned, errors)
    _cross_check_cccd(page, answers, today, cleaned, errors)


def _each_field(
    page: PageSpec,
    raw: Mapping[str, Any],
    answers: dict[str, Any],
    today: date,
    cleaned: dict[str, Any],
    errors: dict[str | None, str],
) -> None:
    for field in page.fields:
        if not shown(field.show_if, answers):
            answers.pop(field.name, None)
            continue
        try:
            value = normalise(field, raw.get(field.name))
        except FieldValueError as exc:
            errors[field.name] = exc.message
            answers.pop(field.name, None)
            continue
        answers[field.name] = value
        problem = _check_field(field, value, today)
        if problem:
            errors[field.name] = problem
        else:
            cleaned[field.name] = value


def validate_page(
    form: FormSpec,
    page_id: str,
    raw: Mapping[str, Any],
    *,
    answers: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any], dict[str | None, str]]:
    """Normalise and check the fields of one page.

    Args:
        form: The form.
        page_id: The page's id.
        raw: What was posted (strings, or lists for multi-valued checkboxes).
        answers: Answers of earlier pages, for ``show_if`` conditions.
        today: The date in Vietnam (defaults to today).

    Returns:
        ``(cleaned, errors)``: the page's valid normalised answers (hidden fields left out) and
        ``{field: message}``. A page hidden by its own ``show_if`` gives ``({}, {})``.
    """
    page = _page(form, page_id)
    merged = dict(answers or {})
    if not shown(page.show_if, merged):
        return {}, {}
    cleaned: dict[str, Any] = {}
    errors: dict[str | None, str] = {}
    _validate_fields(page, raw, merged, _today(today), cleaned, errors)
    return cleaned, errors


def validate_all(
    form: FormSpec, data: Mapping[str, Any], *, today: date | None = None
) -> tuple[dict[str, Any], dict[str | None, str]]:
    """Check every page in order (answers of earlier pages drive later ``show_if``); hidden pages and
    fields are dropped from ``cleaned``."""
    day = _today(today)
    answers: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    errors: dict[str | None, str] = {}
    for page in form.pages:
        if not shown(page.show_if, answers):
            continue
        _validate_fields(page, data, answers, day, cleaned, errors)
    return cleaned, errors


async def check_application(
    procedure: ProcedureSpec, page: str | None, data: Mapping[str, Any], ctx: Mapping[str, Any]
) -> dict[str | None, str]:
    """Declarative validation of ``page`` (or of the whole form when None), then, when that passes,
    every plugin's ``validate_application`` (sync or async) on the normalised answers.

    Args:
        procedure: The procedure applied for.
        page: A page id, or None for check-answers/submit.
        data: The answers (raw or already normalised).
        ctx: ``agency``, ``user``, ``today`` (as for the hook); ``today`` defaults to today in Vietnam.

    Returns:
        ``{field: message}``; empty when the application may go on.
    """
    from core.catalogue.registry import get_catalogue
    from core.plugins import await_me_maybe, get_plugin_manager

    form = get_catalogue().forms[procedure.form]
    today = ctx.get("today") or _today(None)
    if page is None:
        cleaned, errors = validate_all(form, data, today=today)
    else:
        cleaned, errors = validate_page(form, page, data, answers=data, today=today)
    if errors:
        return errors
    hook_ctx = {**ctx, "today": today}
    answers = {**data, **cleaned} if page is not None else cleaned
    results = get_plugin_manager().hook.validate_application(
        procedure=procedure, page=page, data=answers, ctx=hook_ctx
    )
    for result in results:
        for err in await await_me_maybe(result) or ():
            errors.setdefault(err.field, err.message)
    return errors


def display_value(field: FieldSpec, value: Any, lang: str = "vi") -> str:
    """An answer as shown to people (check-answers page, receipts): dates ``dd/mm/yyyy``, money
    ``1.000.000 đ``, choices by their label, yes/no for checkboxes."""
    if value is None or value == "" or value == []:
        return ""
    labels = {c: lab.get(lang) for c, lab in field.choices}
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(x), str(x)) for x in value)
    if isinstance(value, bool):
        return ("Có" if value else "Không") if lang == "vi" else ("Yes" if value else "No")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if field.widget == "money" and isinstance(value, int):
        return f"{value:,}".replace(",", ".") + " đ"
    return labels.get(str(value), str(value))
