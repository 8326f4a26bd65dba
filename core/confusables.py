"""Fold look-alike characters onto the Vietnamese Latin alphabet, for comparing names.

``fold_confusables("CÔNG TY ÐẠI РНÁТ")`` (an ETH for Đ, Cyrillic Р, Н, А, Т) gives ``"CÔNG TY ĐẠI PHÁT"``.
Compatibility forms (full-width ``Ａ``, ligatures, mathematical letters) are folded by NFKC; letters of
other scripts that look like a Latin letter (Cyrillic ``і``, Greek ``Ο``…) by the Unicode confusables
data (UTS #39, shipped by the ``confusable_homoglyphs`` package). The Vietnamese alphabet itself is
never folded: ``Đ`` stays distinct from ``D``, ``Ư`` from ``U``, ``ơ`` from ``o`` and each tone mark from
the others; whether a rule then ignores diacritics is up to that rule.
"""

from __future__ import annotations

import unicodedata
from functools import cache

__all__ = ("fold_confusables",)

_OWN = frozenset("Đđ")
"""The only letters of the Vietnamese alphabet that do not decompose into ASCII and combining marks."""


def _is_own(ch: str) -> bool:
    return ch.isascii() or ch in _OWN or unicodedata.category(ch) == "Mn"


def _pick(ch: str, members: list[str]) -> str | None:
    """The member of ``ch``'s look-alike class that is written in our alphabet, of ``ch``'s case."""
    ours = [m for m in members if m and all(_is_own(c) for c in m) and not m.isspace()]
    if not ours:
        return None
    if ch.isalpha():
        letters = [m for m in ours if m.isalpha()] or ours

        def of_case(m: str) -> bool:
            return m.isupper() if ch.isupper() else m.islower() if ch.islower() else True

        ours = [m for m in letters if of_case(m)] or letters
    return ours[0]


@cache
def _table() -> dict[int, str]:
    from confusable_homoglyphs.confusables import confusables_data  # loaded on first use only

    classes: dict[str, list[str]] = {}
    for char, entries in confusables_data.items():
        glyphs = [e["c"].replace("\u200e", "") for e in entries]
        if len(entries) > 1 or all(_is_own(c) for c in char):  # a class prototype, listing its look-alikes
            classes.setdefault(char, [char]).extend(glyphs)
    member_of: dict[str, str] = {}
    for proto, members in classes.items():
        for m in members:
            member_of.setdefault(m, proto)
    table: dict[int, str] = {}
    for char, entries in confusables_data.items():
        if len(char) != 1 or _is_own(char):
            continue
        proto = member_of.get(char) or entries[0]["c"].replace("\u200e", "")
        members = classes.get(proto) or [proto]
        target = _pick(char, [proto, *members])
        if target is not None:
            table[ord(char)] = target
    return table


def fold_confusables(text: str) -> str:
    """``text`` with compatibility forms and other scripts' look-alikes written in the Vietnamese Latin
    alphabet (NFC); letters of that alphabet, and characters with no look-alike in it, are kept."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    folded = decomposed.translate(_table())
    # A D with a stroke drawn by a combining overlay reads as Đ.
    for overlay in ("\u0335", "\u0336"):
        folded = folded.replace("D" + overlay, "Đ").replace("d" + overlay, "đ")
    return unicodedata.normalize("NFC", folded)
