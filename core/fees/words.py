"""Amounts in Vietnamese words, as printed on receipts: ``1250000`` → ``Một triệu hai trăm năm mươi nghìn đồng``."""

from __future__ import annotations

__all__ = ("number_to_words", "amount_in_words")

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")


def _triple(n: int, leading: bool) -> list[str]:
    """Words of 0 < n < 1000; ``leading`` False means higher groups precede it (``không trăm``…)."""
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if ones == 1 and tens >= 2:
        words.append("mốt")
    elif ones == 5 and tens >= 1:
        words.append("lăm")
    elif ones:
        words.append(_DIGITS[ones])
    return words


def _below_billion(n: int, leading: bool) -> list[str]:
    words: list[str] = []
    groups = [(n // 1_000_000) % 1000, (n // 1000) % 1000, n % 1000]
    for idx, g in enumerate(groups):
        if g == 0:
            continue
        words += _triple(g, leading and not words)
        if _GROUPS[2 - idx]:
            words.append(_GROUPS[2 - idx])
    return words


def _words(n: int, leading: bool = True) -> list[str]:
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        words = _words(high, leading) + ["tỷ"]
        return words + (_below_billion(low, False) if low else [])
    return _below_billion(n, leading)


def number_to_words(n: int) -> str:
    """Lower-case Vietnamese words of a non-negative integer (``105`` → ``một trăm linh năm``)."""
    if n < 0:
        raise ValueError("số âm không đọc thành tiền")
    if n == 0:
        return "không"
    return " ".join(_words(n))


def amount_in_words(vnd: int) -> str:
    """``Một triệu hai trăm năm mươi nghìn đồng`` (capitalised, ending in ``đồng``)."""
    text = number_to_words(vnd)
    return f"{text[0].upper()}{text[1:]} đồng"
