"""Tax codes (mã số thuế) of 10 digits: a 2-digit province prefix, a 7-digit sequence and a check
digit (weights 31, 29, 23, 19, 17, 13, 7, 5, 3; check = 10 − Σ mod 11; a sequence whose check would
be 10 is skipped), the structure the tax authority uses for enterprise codes."""

from __future__ import annotations

import re

__all__ = ("check_digit", "is_valid", "make")

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def check_digit(first9: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(first9, WEIGHTS, strict=True))
    digit = 10 - total % 11
    return None if digit == 10 else digit


def is_valid(code: str) -> bool:
    """10 digits with a correct check digit, optionally followed by ``-NNN`` (a branch)."""
    m = re.fullmatch(r"(\d{10})(-\d{3})?", code)
    if not m:
        return False
    return check_digit(m.group(1)[:9]) == int(m.group(1)[9])


def make(prefix: str, sequence: int) -> str | None:
    """The code for ``sequence`` under ``prefix``, or None when that sequence has no valid check digit."""
    first9 = f"{prefix}{sequence:07d}"
    digit = check_digit(first9)
    return None if digit is None else f"{first9}{digit}"
