"""Amounts in Vietnamese words, as a certificate prints charter capital ("bằng chữ")."""

from __future__ import annotations

__all__ = ("number_in_words", "vnd_in_words")

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ")


def _three(n: int, full: bool) -> str:
    """Words of 0–999; ``full`` when a higher group precedes (so 5 → "không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        elif units == 4 and tens > 1:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def number_in_words(n: int) -> str:
    """``1500000000`` → ``một tỷ năm trăm triệu``. Groups above a billion repeat "tỷ" (nghìn tỷ)."""
    if n == 0:
        return "không"
    if n < 0:
        return "âm " + number_in_words(-n)
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        text = number_in_words(high) + " tỷ"
        return text if low == 0 else f"{text} {_below_billion(low, full=True)}"
    return _below_billion(n, full=False)


def _below_billion(n: int, *, full: bool) -> str:
    groups = [n // 1_000_000 % 1000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    started = full
    for value, name in zip(groups, ("triệu", "nghìn", ""), strict=True):
        if value == 0:
            continue
        words.append(_three(value, started))
        if name:
            words.append(name)
        started = True
    return " ".join(words)


def vnd_in_words(n: int) -> str:
    """``1500000000`` → ``Một tỷ năm trăm triệu đồng``."""
    text = number_in_words(int(n)) + " đồng"
    return text[:1].upper() + text[1:]
