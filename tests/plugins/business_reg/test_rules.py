"""Business-registration rules that need no database: names, tax codes, fees, declarations."""

from __future__ import annotations

from datetime import date

import pytest

from core.catalogue.registry import build
from plugins.business_reg import fees, names, taxcode
from plugins.business_reg.procedures import CHANGE, ENTERPRISE, HOUSEHOLD


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Công ty TNHH Sông Đồng Nai", "CÔNG TY TNHH SÔNG ĐỒNG NAI", "identical"),
        ("Công ty TNHH Sông Đồng Nai", "Công ty cổ phần Song Dong Nai", "identical"),
        ("Công ty TNHH Minh Anh 2", "Công ty TNHH Minh Anh", "similar"),
        ("Công ty TNHH Minh Anh Mới", "Công ty TNHH Minh Anh", "similar"),
        ("Công ty TNHH Minh & Anh", "Công ty TNHH Minh và Anh", "identical"),
        ("Công ty TNHH Minh Anh Miền Nam", "Công ty TNHH Minh Anh", "similar"),
        ("Công ty TNHH Minh Anh", "Công ty TNHH Minh Châu", None),
    ],
)
def test_name_clash(a, b, expected):
    assert names.clash(a, b) == expected


@pytest.mark.parametrize(
    "look_alike",
    [
        "Công ty TNHH Sông \u00d0ồng Nai",  # ETH U+00D0 for Đ (security review, issue 7)
        "Công ty TNHH Sông Đồng N\u0430\u0456",  # Cyrillic а and і
        "Công ty TNHH S\u043eng Đ\u043eng Nai",  # Cyrillic о, with and without the marks
        "Công ty TNHH \uff33ông Đồng Nai",  # full-width S
    ],
)
def test_look_alike_letters_do_not_make_a_name_new(look_alike):
    """Rule: a name written with look-alike letters of another script is the registered name."""
    assert names.fold(look_alike) == names.fold("Công ty TNHH Sông Đồng Nai") == "song dong nai"
    assert names.clash(look_alike, "Công ty cổ phần Sông Đồng Nai") == "identical"


def test_tax_code_check_digit():
    assert taxcode.is_valid("0100109106")  # a real, published enterprise code
    assert not taxcode.is_valid("0100109107")
    assert taxcode.is_valid("0100109106-001")
    code = taxcode.make("36", 1)
    assert code is not None and len(code) == 10 and taxcode.is_valid(code)


def test_declarations_build():
    cat = build()
    assert {HOUSEHOLD, ENTERPRISE, CHANGE} <= set(cat.procedures)
    assert cat.procedures[ENTERPRISE].sets == 1


class _P:
    def __init__(self, code):
        self.code = code


def test_enterprise_fee_is_free_online_but_publication_is_charged():
    online = fees.quote(
        _P(ENTERPRISE), {}, {"channel": "truc_tuyen", "fees": {}, "today": date(2026, 11, 23)}
    )
    counter = fees.quote(
        _P(ENTERPRISE), {}, {"channel": "truc_tiep", "fees": {"business_reg.enterprise": 50_000}}
    )
    assert online.total == 100_000 and online.lines[0].exempt_reason is not None
    assert counter.total == 150_000


def test_household_fee_comes_from_the_province_table():
    q = fees.quote(_P(HOUSEHOLD), {}, {"channel": "truc_tiep", "fees": {"business_reg.household": 80_000}})
    assert q.total == 80_000
