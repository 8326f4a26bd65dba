"""Issue 7 (items 5, 9, 15): every text answer has a maximum length by default, refuses control
characters and loses bidi overrides; a plugin may allow a longer answer; a CCCD field that names the
person's date of birth and sex is checked against them, as at registration."""

from __future__ import annotations

from datetime import date

import pytest

from core.contract.specs import FieldSpec, FormSpec, L, PageSpec, Validator
from core.forms import engine
from core.forms import validators as v

TODAY = date(2026, 11, 23)


def _form(*fields: FieldSpec) -> FormSpec:
    return FormSpec(
        id="t", title=L("Tờ khai", "Form"), pages=(PageSpec(id="p", title=L("Trang", "Page"), fields=fields),)
    )


def _check(form: FormSpec, data: dict) -> tuple[dict, dict]:
    return engine.validate_page(form, "p", data, today=TODAY)


@pytest.mark.parametrize(
    "field, limit",
    [
        (FieldSpec("owner_name", L("Họ và tên", "Name")), v.NAME_MAX),
        (FieldSpec("owner_address", L("Địa chỉ", "Address")), v.ADDRESS_MAX),
        (FieldSpec("parcel_number", L("Số thửa", "Parcel")), v.IDENTIFIER_MAX),
        (FieldSpec("subject", L("Nội dung", "Subject")), v.SHORT_TEXT_MAX),
        (FieldSpec("details", L("Trình bày", "Details"), widget="textarea"), v.LONG_TEXT_MAX),
    ],
)
def test_every_text_field_has_a_default_maximum_length(field, limit):
    form = _form(field)
    cleaned, errors = _check(form, {field.name: "a" * limit})
    assert not errors and cleaned[field.name] == "a" * limit
    cleaned, errors = _check(form, {field.name: "a" * (limit + 1)})
    assert field.name not in cleaned
    assert errors[field.name] == (
        f"{field.label.vi} chỉ được dài tối đa {limit:,} ký tự (hiện có {limit + 1:,} ký tự)."
    ).replace(",", ".")


def test_a_megabyte_is_refused_at_the_field_without_being_read():
    form = _form(FieldSpec("reason", L("Lý do", "Reason"), widget="textarea"))
    cleaned, errors = _check(form, {"reason": "x" * 1_000_000})
    assert cleaned == {} and "tối đa 2.000 ký tự (hiện có 1.000.000 ký tự)" in errors["reason"]


def test_a_plugin_may_allow_a_longer_answer():
    field = FieldSpec(
        "plan",
        L("Phương án", "Plan"),
        widget="textarea",
        validators=(Validator("max_length", {"max": 5000}),),
    )
    cleaned, errors = _check(_form(field), {"plan": "a" * 4000})
    assert not errors and len(cleaned["plan"]) == 4000
    assert "tối đa 5.000 ký tự" in _check(_form(field), {"plan": "a" * 5001})[1]["plan"]


@pytest.mark.parametrize("bad", ["Nguyễn\x00Văn", "A\x1b[2J", "x\x7f", "a\x0bb"])
def test_control_characters_are_refused(bad):
    form = _form(
        FieldSpec("owner_name", L("Họ và tên", "Name")),
        FieldSpec("note", L("Ghi chú", "Note"), widget="textarea", required=False),
    )
    for name in ("owner_name", "note"):
        cleaned, errors = _check(form, {"owner_name": "An", name: bad})
        assert name not in cleaned and "ký tự điều khiển" in errors[name], (name, bad)


def test_tabs_and_line_breaks_are_kept_in_long_text():
    form = _form(FieldSpec("note", L("Ghi chú", "Note"), widget="textarea"))
    cleaned, errors = _check(form, {"note": "Dòng 1\r\nDòng 2\tcột"})
    assert not errors and cleaned["note"] == "Dòng 1\r\nDòng 2\tcột"


def test_bidi_overrides_are_removed():
    form = _form(
        FieldSpec("owner_name", L("Họ và tên", "Name")),
        FieldSpec("owner_cccd", L("Số CCCD", "ID"), widget="cccd", validators=(Validator("cccd"),)),
    )
    cleaned, errors = _check(
        form, {"owner_name": "\u202eTrần\u2067 Văn\u2069 Ba\u202c", "owner_cccd": "0792\u202e03001234"}
    )
    assert not errors and cleaned == {"owner_name": "Trần Văn Ba", "owner_cccd": "079203001234"}


def test_free_text_helper_of_actions_and_the_api():
    assert v.clean_free_text("  Lý do\u202e  ", "Lý do", 10) == ("Lý do", None)
    assert (
        v.clean_free_text("a\nb", "Tên", 10, multiline=False)[1] == "Tên chỉ gồm một dòng, không xuống dòng."
    )
    assert "ký tự điều khiển" in v.clean_free_text("a\x00", "Lý do", 10)[1]
    assert "tối đa 10 ký tự" in v.clean_free_text("x" * 1_000_000, "Lý do", 10)[1]
    assert v.clean_free_text({"a": 1}, "Lý do", 10)[1] == "Lý do phải là một đoạn văn bản."


PERSON = (
    FieldSpec("p_birth_date", L("Ngày sinh", "Born"), widget="date"),
    FieldSpec(
        "p_sex", L("Giới tính", "Sex"), widget="radio", choices=(("nam", L("Nam", "M")), ("nu", L("Nữ", "F")))
    ),
    FieldSpec(
        "p_cccd",
        L("Số CCCD", "ID"),
        widget="cccd",
        validators=(Validator("cccd", {"birth_date": "p_birth_date", "sex": "p_sex"}),),
    ),
)


@pytest.mark.parametrize(
    "born, sex, number, expected",
    [
        ("05/06/2003", "nam", "079203001234", None),
        ("05/06/1990", "nam", "079203001234", "không khớp với năm sinh"),
        ("05/06/2003", "nu", "079203001234", "không khớp với giới tính"),
        ("05/06/2003", "nam", "000203001234", "mã tỉnh 000"),
        ("05/06/2003", "nam", "079903001234", "chưa tới"),
    ],
)
def test_a_cccd_is_cross_checked_with_the_persons_birth_date_and_sex(born, sex, number, expected):
    cleaned, errors = _check(_form(*PERSON), {"p_birth_date": born, "p_sex": sex, "p_cccd": number})
    if expected is None:
        assert not errors and cleaned["p_cccd"] == number
    else:
        assert "p_cccd" not in cleaned and expected in errors["p_cccd"], errors


def test_a_cccd_may_state_the_sex_the_section_implies():
    mother = _form(
        FieldSpec("m_birth_date", L("Ngày sinh", "Born"), widget="date"),
        FieldSpec(
            "m_cccd",
            L("Số CCCD của mẹ", "ID"),
            widget="cccd",
            validators=(Validator("cccd", {"birth_date": "m_birth_date", "sex_is": "female"}),),
        ),
    )
    assert (
        "giới tính" in _check(mother, {"m_birth_date": "01/01/1995", "m_cccd": "079095001234"})[1]["m_cccd"]
    )
    assert not _check(mother, {"m_birth_date": "01/01/1995", "m_cccd": "079195001234"})[1]
