"""Declarative field validators with specific Vietnamese messages that name the field.

Each kind is a function ``check(value, params, label, today) -> message | None`` applied to a value
already normalised by ``core.forms.engine.normalise`` (dates are ``date``, money and numbers ``int``).
Empty values are checked by ``required`` only: the other kinds pass them.

Parameters (``Validator.params``):

* ``min_length`` / ``max_length``: ``{"min": n}`` / ``{"max": n}`` (``{"value": n}`` also accepted);
* ``regex``: ``{"pattern": r"^...$", "example": "text shown in the message"}`` (``re.search``: anchor it);
* ``vsic``: none; the value may list several codes separated by commas (main line first);
* ``int_range``: ``{"min": a, "max": b}`` (either may be left out);
* ``choice``: ``{"values": [...]}`` (defaults to the field's ``choices``);
* ``age_at_least``: ``{"years": n}`` on a date the person was born;
* ``cccd``: optional ``{"birth_date": "<field>", "sex": "<field>"}`` naming the fields of the same form
  holding that person's date of birth and sex (``male``/``female``): the number must match them;
* the other kinds take none.

Free text everywhere (form answers, action notes and reasons, JSON API fields) obeys the same limits:
a maximum length (``max_length_for``: the named constants below, by field; a plugin overrides it with
an explicit ``max_length`` validator), no control characters other than tab and line breaks
(``control_problem``), and no bidirectional override characters (``strip_bidi``: removed, they only
serve to disguise names and identifiers).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

__all__ = (
    "KINDS",
    "NAME_MAX",
    "ADDRESS_MAX",
    "IDENTIFIER_MAX",
    "EMAIL_MAX",
    "SHORT_TEXT_MAX",
    "LONG_TEXT_MAX",
    "LIST_ITEMS_MAX",
    "REQUEST_BODY_MAX_BYTES",
    "max_length_for",
    "length_problem",
    "control_problem",
    "strip_bidi",
    "clean_free_text",
    "check",
    "is_empty",
    "normalise_phone",
    "normalise_tax_code",
    "vsic_codes",
    "split_vsic",
    "vsic_name",
    "validate_cccd_number",
)

Check = Callable[[Any, Mapping[str, Any], str, date], "str | None"]

_DIGITS12 = re.compile(r"^\d{12}$")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_TAX = re.compile(r"^\d{10}(-\d{3})?$")
VSIC_FILE = Path(__file__).resolve().parent / "data" / "vsic.json"

# --- Limits of free text (one place for forms, actions and the JSON API) ------------------------------

NAME_MAX = 150
"""A person's or organisation's name (the national population database allows 100 characters for a
person's full name; an organisation's name may be longer)."""
ADDRESS_MAX = 300
"""An address: house number, street, hamlet, ward, province."""
IDENTIFIER_MAX = 50
"""A number or code typed by hand: a postal tracking number, a document or registration number."""
EMAIL_MAX = 254
"""An e-mail address (RFC 5321's limit on a forward path)."""
SHORT_TEXT_MAX = 500
"""Any other one-line answer."""
LONG_TEXT_MAX = 2000
"""A multi-line answer, a note, a reason (about a page of an administrative letter)."""
LIST_ITEMS_MAX = 50
"""Most lines of a list typed one per line (the documents asked for in a supplement request)."""
REQUEST_BODY_MAX_BYTES = 4 * 1024 * 1024
"""Largest body of a form post or JSON request (the app's ``request_max_body_size``; file uploads set
their own). A megabyte of Vietnamese text is about 3 MB once percent-encoded in a form: it still gets
through, to be refused at its field with a message that says how long it may be."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def is_empty(value: Any) -> bool:
    return (
        value is None or value is False or (isinstance(value, str | list | tuple | dict) and len(value) == 0)
    )


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def strip_bidi(text: str) -> str:
    """``text`` without the bidirectional embedding/override/isolate characters (U+202A–U+202E,
    U+2066–U+2069), which make a name or a number display differently from what is stored."""
    return _BIDI.sub("", text)


def control_problem(text: str, label: str) -> str | None:
    """The message when ``text`` holds a control character (NUL, escape…; tab and line breaks are
    allowed), else None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return (
        f"{label} chứa ký tự điều khiển không hợp lệ (mã U+{ord(found.group()):04X}, "
        f"thường do dán từ tệp khác): vui lòng gõ lại nội dung."
    )


def length_problem(text: str, label: str, limit: int) -> str | None:
    """The message when ``text`` is longer than ``limit`` characters, else None."""
    if len(text) <= limit:
        return None
    return f"{label} chỉ được dài tối đa {_vn_int(limit)} ký tự (hiện có {_vn_int(len(text))} ký tự)."


def max_length_for(name: str, widget: str = "text") -> int:
    """The default maximum length of a field, from its name and widget: ``…name`` → ``NAME_MAX``,
    ``…address`` → ``ADDRESS_MAX``, ``…number``/``…code`` → ``IDENTIFIER_MAX``, a ``textarea`` →
    ``LONG_TEXT_MAX``, anything else ``SHORT_TEXT_MAX``."""
    last = name.rsplit("_", 1)[-1].rsplit(".", 1)[-1].lower()
    if widget == "textarea":
        return LONG_TEXT_MAX
    if last == "name":
        return NAME_MAX
    if last == "address":
        return ADDRESS_MAX
    if last == "email":
        return EMAIL_MAX
    if last in ("number", "code", "tracking"):
        return IDENTIFIER_MAX
    return SHORT_TEXT_MAX


def clean_free_text(value: Any, label: str, limit: int, *, multiline: bool = True) -> tuple[str, str | None]:
    """A free-text value as stored: NFC, trimmed, without bidi overrides; with the problem, if any.

    Args:
        value: What was sent (``None`` is empty; anything else is read as text).
        label: The field's Vietnamese name, for the message.
        limit: The most characters allowed.
        multiline: False refuses line breaks too (one-line fields).

    Returns:
        ``(text, message)``; ``message`` is None when the text may be stored.
    """
    import unicodedata

    if value is None:
        return "", None
    if isinstance(value, bool | int | float):
        value = str(value)
    if not isinstance(value, str):
        return "", f"{label} phải là một đoạn văn bản."
    if len(value) > 4 * limit:  # checked before the work below: a megabyte is refused at once
        return "", length_problem(value, label, limit)
    text = strip_bidi(unicodedata.normalize("NFC", value)).strip()
    problem = control_problem(text if multiline else text.replace("\t", " "), label)
    if problem is None and not multiline and ("\n" in text or "\r" in text):
        problem = f"{label} chỉ gồm một dòng, không xuống dòng."
    return text, problem or length_problem(text, label, limit)


# --- Normalisers shared with the engine -------------------------------------------------------------


def normalise_phone(raw: str) -> str:
    """``+84 912.345.678`` / ``84912345678`` / ``0912 345 678`` → ``0912345678`` (unchanged if not a number)."""
    text = re.sub(r"[\s.\-()]", "", raw or "")
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12) and text.isdigit():
        text = "0" + text[2:]
    return text


def normalise_tax_code(raw: str) -> str:
    """Strip spaces; a 13-digit code without its hyphen gets it back (``0123456789-001``)."""
    text = re.sub(r"[\s.]", "", raw or "")
    if len(text) == 13 and text.isdigit():
        text = f"{text[:10]}-{text[10:]}"
    return text


def validate_cccd_number(
    value: str, today: date | None = None, *, birth_date: date | None = None, sex: str | None = None
) -> str | None:
    """The identity module's check of a personal identification number (province code, century digit;
    the year born and sex when known) — the same as at registration."""
    from core.identity.cccd import validate_cccd

    return validate_cccd(value, birth_date, sex=sex, today=today)


@functools.cache
def _vsic() -> dict[str, dict[str, str]]:
    return json.loads(VSIC_FILE.read_text(encoding="utf-8"))


def vsic_codes() -> dict[str, str]:
    """Level-4 and level-5 VSIC 2018 codes of the bundled list → Vietnamese name."""
    data = _vsic()
    return {**data["level4"], **data["level5"]}


def vsic_name(code: str) -> str | None:
    data = _vsic()
    return data["sections"].get(code) or vsic_codes().get(code)


# --- The kinds ---------------------------------------------------------------------------------------


def _required(value, params, label, today):
    return f"Vui lòng nhập {label[:1].lower() + label[1:]}." if is_empty(value) else None


def _cccd(value, params, label, today):
    text = str(value)
    if not _DIGITS12.match(text):
        return f"{label} phải gồm đúng 12 chữ số (hiện có {sum(c.isdigit() for c in text)} chữ số)."
    problem = validate_cccd_number(text, today)
    return f"{label}: {problem[:1].lower() + problem[1:]}" if problem else None


def _phone(value, params, label, today):
    text = str(value)
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return None
    return (
        f"{label} không hợp lệ: số di động gồm 10 chữ số (ví dụ 0912345678), số cố định gồm 11 chữ số "
        f"bắt đầu bằng 02; có thể ghi +84 ở đầu."
    )


def _email(value, params, label, today):
    return None if _EMAIL.match(str(value)) else f"{label} không đúng định dạng (ví dụ: ten@example.vn)."


def _date(value) -> date | None:
    return value if isinstance(value, date) else None


def _date_not_future(value, params, label, today):
    d = _date(value)
    if d is None:
        return f"{label} phải là một ngày theo dạng ngày/tháng/năm."
    return f"{label} không được sau ngày hôm nay." if d > today else None


def _date_not_past(value, params, label, today):
    d = _date(value)
    if d is None:
        return f"{label} phải là một ngày theo dạng ngày/tháng/năm."
    return f"{label} không được trước ngày hôm nay." if d < today else None


def _param(params: Mapping[str, Any], *names: str) -> int:
    for name in names:
        if name in params:
            return int(params[name])
    return 0


def _min_length(value, params, label, today):
    n = _param(params, "min", "value", "length")
    return f"{label} phải có ít nhất {n} ký tự." if len(str(value)) < n else None


def _max_length(value, params, label, today):
    n = _param(params, "max", "value", "length")
    return (
        f"{label} chỉ được dài tối đa {n} ký tự (hiện có {len(str(value))})." if len(str(value)) > n else None
    )


def _regex(value, params, label, today):
    if re.search(params["pattern"], str(value)):
        return None
    example = params.get("example")
    return f"{label} không đúng định dạng" + (f" (ví dụ: {example})." if example else ".")


def _int_range(value, params, label, today):
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{label} phải là một số nguyên."
    lo, hi = params.get("min"), params.get("max")
    if lo is not None and value < lo:
        return (
            f"{label} phải từ {_vn_int(lo)} trở lên."
            if hi is None
            else f"{label} phải từ {_vn_int(lo)} đến {_vn_int(hi)}."
        )
    if hi is not None and value > hi:
        return (
            f"{label} không được lớn hơn {_vn_int(hi)}."
            if lo is None
            else f"{label} phải từ {_vn_int(lo)} đến {_vn_int(hi)}."
        )
    return None


def _choice(value, params, label, today):
    allowed = [str(v) for v in params.get("values", ())]
    values = value if isinstance(value, list | tuple) else [value]
    if all(str(v) in allowed for v in values):
        return None
    return f"Vui lòng chọn {label[:1].lower() + label[1:]} trong danh sách."


def _age_at_least(value, params, label, today):
    d = _date(value)
    if d is None:
        return f"{label} phải là một ngày theo dạng ngày/tháng/năm."
    years = int(params.get("years", 18))
    age = today.year - d.year - ((today.month, today.day) < (d.month, d.day))
    return (
        f"Người này phải đủ {years} tuổi trở lên (theo {label[:1].lower() + label[1:]})."
        if age < years
        else None
    )


def _tax_code(value, params, label, today):
    if _TAX.match(str(value)):
        return None
    return f"{label} gồm 10 chữ số, hoặc 13 chữ số viết dạng 0123456789-001 (chi nhánh, đơn vị phụ thuộc)."


def split_vsic(value: Any) -> list[str]:
    """``"4711, 5610;9631"`` → ``["4711", "5610", "9631"]`` (a list is returned as is, stripped)."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\s]+", str(value))
    return [str(v).strip() for v in items if str(v).strip()]


def _vsic_check(value, params, label, today):
    codes = split_vsic(value)
    known = vsic_codes()
    for code in codes:
        if not re.fullmatch(r"\d{4,5}", code):
            return (
                f"{label}: '{code}' không phải mã ngành cấp 4 (4 chữ số) hoặc cấp 5 (5 chữ số) "
                f"theo Hệ thống ngành kinh tế Việt Nam."
            )
        if code not in known:
            return (
                f"{label}: mã ngành '{code}' không có trong Hệ thống ngành kinh tế Việt Nam "
                "(Quyết định 27/2018/QĐ-TTg)."
            )
    if len(codes) != len(set(codes)):
        return f"{label}: mỗi mã ngành chỉ ghi một lần."
    return None


def _positive_int(value, params, label, today):
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return None
    return f"{label} phải là số nguyên dương."


KINDS: dict[str, Check] = {
    "required": _required,
    "cccd": _cccd,
    "phone": _phone,
    "email": _email,
    "date_not_future": _date_not_future,
    "date_not_past": _date_not_past,
    "min_length": _min_length,
    "max_length": _max_length,
    "regex": _regex,
    "int_range": _int_range,
    "choice": _choice,
    "age_at_least": _age_at_least,
    "tax_code": _tax_code,
    "vsic": _vsic_check,
    "positive_int": _positive_int,
}
"""Every declarative validator kind (``Validator.kind``): one check per name of the contract's
``VALIDATOR_KINDS`` (tests/unit/test_validators.py holds them equal)."""


def check(
    kind: str, value: Any, params: Mapping[str, Any], label: str, today: date, message: str | None = None
) -> str | None:
    """Run one validator; returns the Vietnamese message (``message`` overrides the default) or None.

    Raises:
        KeyError: for an unknown kind (the registry rejects those at startup).
    """
    fn = KINDS[kind]
    if kind != "required" and is_empty(value):
        return None
    problem = fn(value, params, label, today)
    return (message or problem) if problem else None
