"""Dossier codes (R4–R6) at their edges: the first sequence number, padding, the system-owner code,
agency-code forms, real calendar dates, surrounding blanks. Pure functions, no database."""

from __future__ import annotations

from datetime import date

import pytest

from core.dossiers import codes
from core.dossiers.codes import ParsedCode, format_code, is_valid_code, parse_code


def test_the_first_code_of_the_day_is_0001_and_zero_is_refused():
    assert format_code("H55.242", date(2026, 2, 1), 1) == "H55.242-260201-0001"
    assert format_code("H55.242", date(2026, 2, 1), 1, system_owner="07") == "H55.242-260201-070001"
    with pytest.raises(ValueError, match="^sequence starts at 1$"):
        format_code("H55.242", date(2026, 2, 1), 0)


@pytest.mark.parametrize("owner", ["1", "001", "ab", "0a", ""])
def test_the_system_owner_code_is_exactly_two_digits(owner):
    with pytest.raises(ValueError, match="^system owner code must be 2 digits$"):
        format_code("H55.242", date(2026, 2, 1), 3, system_owner=owner)


@pytest.mark.parametrize(
    ("code", "central", "parsed"),
    [
        ("000.00.31.H39-261123-0042", False, ParsedCode("000.00.31.H39", date(2026, 11, 23), 42, None)),
        ("  000.00.31.H39-261123-0042\n", False, ParsedCode("000.00.31.H39", date(2026, 11, 23), 42, None)),
        ("H55.242.01-260201-0001", False, ParsedCode("H55.242.01", date(2026, 2, 1), 1, None)),
        ("H55-260201-0001", False, ParsedCode("H55", date(2026, 2, 1), 1, None)),
        ("H55.242-260201-010003", True, ParsedCode("H55.242", date(2026, 2, 1), 3, "01")),
        ("H55.242-260201-0100003", True, ParsedCode("H55.242", date(2026, 2, 1), 3, "01")),
        ("H55.242-240229-0001", False, ParsedCode("H55.242", date(2024, 2, 29), 1, None)),  # leap day
        ("H55.242-250229-0001", False, None),  # no 29/02 in 2025
        ("H55.242-261301-0001", False, None),
        ("H55.242-260201-0001", True, None),  # too short for the centralised form
        ("H55.1234-260201-0001", False, None),
        ("h55.242-260201-0001", False, None),
        ("000.00.31.H3-261123-0001", False, None),
        ("H55.242-260201-001", False, None),
    ],
)
def test_parse_code_table(code, central, parsed):
    assert parse_code(code, central=central) == parsed
    if parsed is not None:
        assert is_valid_code(code)


def test_a_code_is_valid_in_either_form():
    assert is_valid_code("H55.242-260201-0001")  # standard only: too short to be centralised
    assert is_valid_code("H55.242-260201-010003")
    assert not is_valid_code("H55.242-250229-0001")
    assert codes.CODE_RE.match("H55.242-260201-0001")
