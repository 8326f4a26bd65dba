"""Reading what people type in Vietnamese forms: dates (``25/03/1990``) and amounts of money
(``1.000.000 đ``). Used by the form engine, registration and the administration pages alike."""

from __future__ import annotations

import re
from datetime import date

__all__ = ("parse_date", "parse_money")

_DATE_VN = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(raw: str) -> date:
    """``dd/mm/yyyy`` (also with ``.`` or ``-``) or ``yyyy-mm-dd`` → ``date``.

    Raises:
        ValueError: when the text is not a real calendar date in one of those forms.
    """
    text = raw.strip()
    if m := _DATE_VN.match(text):
        day, month, year = (int(x) for x in m.groups())
    elif m := _DATE_ISO.match(text):
        year, month, day = (int(x) for x in m.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def parse_money(raw: str) -> int:
    """``"1.000.000"``, ``"1,000,000"``, ``"1 000 000 đ"`` → ``1000000`` (integer VND).

    Raises:
        ValueError: for decimals, negative amounts or text that is not an amount.
    """
    text = re.sub(r"(?i)\s*(vnđ|vnd|đồng|đ)\s*$", "", raw.strip())
    text = re.sub(r"[\s.,]", "", text)
    if not text.isdigit():
        raise ValueError(raw)
    return int(text)
