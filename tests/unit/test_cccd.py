"""The 12-digit citizen ID number: structure, province codes, century/sex digit, birth year."""

from __future__ import annotations

from datetime import date

import pytest

from core.identity.cccd import PROVINCE_CODES, parse_cccd, validate_cccd

TODAY = date(2026, 11, 23)


def test_sixty_three_province_codes():
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["075"] == "Đồng Nai" and PROVINCE_CODES["001"] == "Hà Nội"
    assert "003" not in PROVINCE_CODES and "099" not in PROVINCE_CODES


@pytest.mark.parametrize(
    ("number", "province", "sex", "year"),
    [
        ("075089001234", "075", "male", 1989),
        ("001195123456", "001", "female", 1995),
        ("079203000001", "079", "male", 2003),
        ("096310999999", "096", "female", 2010),
        ("075 089 001 234", "075", "male", 1989),
    ],
)
def test_valid_numbers_are_decoded(number, province, sex, year):
    info = parse_cccd(number)
    assert (info.province_code, info.sex, info.birth_year) == (province, sex, year)
    assert validate_cccd(number, today=TODAY) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Vui lòng nhập số CCCD"),
        ("07508900123", "Số CCCD phải gồm đúng 12 chữ số (bạn đã nhập 11 chữ số)"),
        ("0750890012345", "Số CCCD phải gồm đúng 12 chữ số (bạn đã nhập 13 chữ số)"),
        ("07508900123A", "Số CCCD chỉ gồm chữ số"),
        ("０７５０８９００１２３４", "Số CCCD chỉ gồm chữ số"),
        ("099089001234", "Mã tỉnh 099 trong số CCCD không tồn tại"),
        ("003089001234", "Mã tỉnh 003 trong số CCCD không tồn tại"),
        ("075489001234", "Chữ số thứ 4 (4) của số CCCD chỉ thế kỷ sinh không hợp lệ: năm sinh 2189 chưa tới"),
        ("075230001234", "năm sinh 2030 chưa tới"),
    ],
)
def test_invalid_numbers_have_specific_messages(number, message):
    error = validate_cccd(number, today=TODAY)
    assert error is not None and message in error


def test_birth_year_must_match_birth_date():
    assert validate_cccd("075089001234", date(1989, 5, 2), today=TODAY) is None
    error = validate_cccd("075089001234", date(1990, 5, 2), today=TODAY)
    assert error == (
        "Số CCCD không khớp với năm sinh: số này ứng với năm sinh 1989, ngày sinh đã khai là năm 1990."
    )
    # same two year digits, other century: 2089 is not 1989
    assert "năm sinh 1989" in validate_cccd("075089001234", date(2089, 1, 1), today=date(2100, 1, 1))


def test_century_digit_must_match_the_century_of_birth():
    # 0 = male born 1900–1999; declared 2089 has the same two year digits but another century
    error = validate_cccd("075089001234", date(2089, 1, 1), today=date(2100, 1, 1))
    assert error.startswith("Chữ số thứ 4 (0) của số CCCD chỉ người sinh trong các năm 1900–1999")
    error = validate_cccd("075289001234", date(1989, 5, 2), today=date(2100, 1, 1))  # 2 = male born 2000–2099
    assert "trong các năm 2000–2099" in error and "ngày sinh đã khai là năm 1989" in error


@pytest.mark.parametrize(
    ("number", "born", "sex", "ok"),
    [
        ("075089001234", date(1989, 5, 2), "male", True),  # 0: male, 1900s
        ("075189001234", date(1989, 5, 2), "female", True),  # 1: female, 1900s
        ("079203000001", date(2003, 1, 9), "male", True),  # 2: male, 2000s
        ("096310999999", date(2010, 7, 1), "female", True),  # 3: female, 2000s
        ("075089001234", date(1989, 5, 2), "female", False),
        ("075189001234", date(1989, 5, 2), "male", False),
        ("079203000001", date(2003, 1, 9), "female", False),
    ],
)
def test_sex_digit_must_match_the_declared_sex(number, born, sex, ok):
    error = validate_cccd(number, born, sex=sex, today=TODAY)
    if ok:
        assert error is None
    else:
        assert error is not None and error.startswith("Số CCCD không khớp với giới tính: chữ số thứ 4")
        assert ("giới tính đã khai là Nữ" if sex == "female" else "giới tính đã khai là Nam") in error


def test_parse_rejects_invalid_with_the_message():
    with pytest.raises(ValueError, match="Mã tỉnh 099"):
        parse_cccd("099089001234")
