"""Every declarative validator kind with good and bad values, normalisation, and the form engine."""

from __future__ import annotations

from datetime import date

import pytest

from core.contract.specs import VALIDATOR_KINDS, FieldSpec, FormSpec, L, PageSpec, Validator
from core.forms import engine
from core.forms.validators import KINDS, check, normalise_phone, normalise_tax_code, vsic_name

TODAY = date(2026, 11, 23)


def run(kind, value, params=None, label="Trường"):
    return check(kind, value, params or {}, label, TODAY)


CASES = {
    "required": (["x", 0, ["a"]], ["", None, []]),
    "cccd": (["079203001234", "001099012345"], ["07920300123", "07920300123a", "999203001234"]),
    "phone": (
        ["0912345678", "0281234567" + "8", "0356789012"],
        ["091234567", "0123456789", "1912345678", "09123456789"],
    ),
    "email": (["a.b@example.vn", "x+1@gov.vn"], ["a@b", "khong co a còng", "a@.vn"]),
    "date_not_future": ([TODAY, date(2000, 1, 1)], [date(2026, 11, 24), "05/09/2025"]),
    "date_not_past": ([TODAY, date(2027, 1, 1)], [date(2026, 11, 22)]),
    "int_range": ([1, 50, 100], [0, 101, "5"]),
    "choice": (["nam", ["nam", "nu"]], ["khac", ["nam", "x"]]),
    "age_at_least": ([date(2008, 11, 23), date(1990, 1, 1)], [date(2008, 11, 24), date(2020, 5, 5)]),
    "tax_code": (
        ["0312345678", "0312345678-001"],
        ["031234567", "0312345678001", "0312345678-01", "03123456ab"],
    ),
    "vsic": (["4711", "47110", "4711, 5610, 9631"], ["471", "9999", "4711, 0000", "4711,4711", "A"]),
    "positive_int": ([1, 245], [0, -3, "12"]),
    "min_length": (["abc", "abcd"], ["ab"]),
    "max_length": (["abc", ""], ["abcdef"]),
    "regex": (["AB 123456", "CD123456"], ["A 123456", "AB12345"]),
}
PARAMS = {
    "int_range": {"min": 1, "max": 100},
    "choice": {"values": ["nam", "nu"]},
    "age_at_least": {"years": 18},
    "min_length": {"min": 3},
    "max_length": {"max": 5},
    "regex": {"pattern": r"^[A-Z]{2}\s?\d{6}$", "example": "AB 123456"},
}


def test_the_engine_implements_exactly_the_contract_kinds():
    """The catalogue accepts the contract's kinds at startup; each must have a check, and no check may
    exist that a plugin cannot declare."""
    assert set(KINDS) == VALIDATOR_KINDS


def test_every_kind_is_tested():
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_validator_good_and_bad_values(kind):
    good, bad = CASES[kind]
    for value in good:
        assert run(kind, value, PARAMS.get(kind)) is None, (kind, value)
    for value in bad:
        message = run(kind, value, PARAMS.get(kind))
        assert message and "trường" in message.lower(), (kind, value, message)  # names the field


def test_messages_are_specific_vietnamese():
    assert (
        run("date_not_future", date(2027, 1, 1), label="Ngày sinh")
        == "Ngày sinh không được sau ngày hôm nay."
    )
    assert run("required", "", label="Họ và tên") == "Vui lòng nhập họ và tên."
    assert "12 chữ số" in run("cccd", "12345", label="Số CCCD")
    assert "(hiện có 7)" in run("max_length", "abcdefg", {"max": 5}, label="Tên")
    assert "từ 1 đến 100" in run("int_range", 0, {"min": 1, "max": 100})
    assert "18 tuổi" in run("age_at_least", date(2010, 1, 1), {"years": 18}, label="Ngày sinh")
    assert "9999" in run("vsic", "4711, 9999", label="Ngành nghề")
    assert "số nguyên dương" in run("positive_int", 0, label="Thửa đất số")
    assert check("phone", "123", {}, "SĐT", TODAY, message="Số điện thoại sai.") == "Số điện thoại sai."


def test_empty_values_only_fail_required():
    for kind in KINDS:
        if kind != "required":
            assert run(kind, None, PARAMS.get(kind)) is None
            assert run(kind, "", PARAMS.get(kind)) is None


def test_normalisers():
    assert normalise_phone("+84 912 345 678") == "0912345678"
    assert normalise_phone("84912345678") == "0912345678"
    assert normalise_phone("0912.345.678") == "0912345678"
    assert normalise_phone("(028) 3829-1234") == "02838291234"
    assert normalise_tax_code("0312345678001") == "0312345678-001"
    assert normalise_tax_code(" 0312345678 ") == "0312345678"
    assert vsic_name("G").startswith("Bán buôn và bán lẻ")
    assert vsic_name("4711").startswith("Bán lẻ lương thực")


def f(name, widget="text", **kw):
    return FieldSpec(name, L(kw.pop("label", "Trường " + name)), widget=widget, **kw)


def test_normalise_by_widget():
    assert engine.normalise(f("d", "date"), "05/09/2025") == date(2025, 9, 5)
    assert engine.normalise(f("d", "date"), "5-9-2025") == date(2025, 9, 5)
    assert engine.normalise(f("d", "date"), "2025-09-05") == date(2025, 9, 5)
    assert engine.normalise(f("m", "money"), "1.000.000") == 1_000_000
    assert engine.normalise(f("m", "money"), "1,500,000 đ") == 1_500_000
    assert engine.normalise(f("n", "number"), "12") == 12
    assert engine.normalise(f("c", "cccd"), "079 203 001 234") == "079203001234"
    assert engine.normalise(f("p", "phone"), "+84912345678") == "0912345678"
    assert engine.normalise(f("e", "email"), " A@Example.VN ") == "a@example.vn"
    assert engine.normalise(f("t", validators=(Validator("tax_code"),)), "0312345678001") == "0312345678-001"
    assert engine.normalise(f("v", validators=(Validator("vsic"),)), "4711;5610  9631") == "4711, 5610, 9631"
    assert engine.normalise(f("x", validators=(Validator("positive_int"),)), "245") == 245
    assert engine.normalise(f("b", "checkbox"), "on") is True
    assert engine.normalise(f("b", "checkbox"), None) is False
    assert engine.normalise(f("t"), "  Nguyễn   Văn A ") == "Nguyễn Văn A"
    assert engine.normalise(f("t"), "   ") is None


@pytest.mark.parametrize(
    "widget,raw",
    [
        ("date", "31/02/2025"),
        ("date", "hôm qua"),
        ("money", "1,5 triệu"),
        ("money", "-100"),
        ("number", "mười"),
    ],
)
def test_unreadable_values_give_field_messages(widget, raw):
    with pytest.raises(engine.FieldValueError) as err:
        engine.normalise(f("x", widget, label="Ô nhập"), raw)
    assert err.value.message.startswith("Ô nhập")


FORM = FormSpec(
    id="t",
    title=L("Tờ khai"),
    pages=(
        PageSpec(
            "a",
            L("Trang một"),
            (
                f("ho_ten", label="Họ và tên"),
                f("ngay_sinh", "date", label="Ngày sinh", validators=(Validator("date_not_future"),)),
                f("gioi_tinh", "radio", label="Giới tính", choices=(("nam", L("Nam")), ("nu", L("Nữ")))),
                f("uy_quyen", "checkbox", label="Có ủy quyền", required=False),
                f("so_uy_quyen", label="Số văn bản ủy quyền", show_if={"uy_quyen": "true"}),
            ),
        ),
        PageSpec(
            "b",
            L("Trang hai"),
            (f("ghi_chu", "textarea", label="Ghi chú", required=False),),
            show_if={"gioi_tinh": "nu"},
        ),
    ),
)


def test_validate_page_errors_and_show_if():
    cleaned, errors = engine.validate_page(
        FORM, "a", {"ho_ten": "", "ngay_sinh": "24/11/2026", "gioi_tinh": "x"}, today=TODAY
    )
    assert errors == {
        "ho_ten": "Vui lòng nhập họ và tên.",
        "ngay_sinh": "Ngày sinh không được sau ngày hôm nay.",
        "gioi_tinh": "Vui lòng chọn giới tính trong danh sách.",
    }
    assert cleaned == {"uy_quyen": False}
    raw = {"ho_ten": "Lê Thị B", "ngay_sinh": "01/02/2020", "gioi_tinh": "nu", "uy_quyen": "on"}
    _, errors = engine.validate_page(FORM, "a", raw, today=TODAY)
    assert errors == {"so_uy_quyen": "Vui lòng nhập số văn bản ủy quyền."}
    cleaned, errors = engine.validate_page(FORM, "a", {**raw, "uy_quyen": ""}, today=TODAY)
    assert errors == {} and "so_uy_quyen" not in cleaned and cleaned["ngay_sinh"] == date(2020, 2, 1)


def test_validate_all_drops_hidden_pages():
    data = {"ho_ten": "A", "ngay_sinh": "2020-02-01", "gioi_tinh": "nam", "ghi_chu": "bị ẩn"}
    cleaned, errors = engine.validate_all(FORM, data, today=TODAY)
    assert errors == {} and "ghi_chu" not in cleaned
    cleaned, _ = engine.validate_all(FORM, {**data, "gioi_tinh": "nu"}, today=TODAY)
    assert cleaned["ghi_chu"] == "bị ẩn"
    assert engine.validate_page(FORM, "b", {"ghi_chu": "x"}, answers={"gioi_tinh": "nam"}, today=TODAY) == (
        {},
        {},
    )


def test_display_value():
    assert engine.display_value(FORM.pages[0].fields[2], "nu") == "Nữ"
    assert engine.display_value(f("m", "money"), 1500000) == "1.500.000 đ"
    assert engine.display_value(f("d", "date"), date(2025, 9, 5)) == "05/09/2025"
