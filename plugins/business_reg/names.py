"""The enterprise-name rules of the Enterprise Law 2020 (Art. 37–41), as pure functions.

``fold`` gives the comparison key: look-alike letters of other scripts and compatibility forms folded
first (``Ð`` ETH → ``Đ``, Cyrillic ``і`` → ``i``, full-width ``Ａ`` → ``A``: ``core.api.fold_confusables``),
then no case, no diacritics (đ → d), no type prefix, single spaces.
A name is *identical* when the keys are equal, and *confusingly similar* (Art. 41(2)) when the keys
differ only by a serial number, a single letter, "&"/"và", a hyphen or dot, or one of the words the
law lists ("mới", a direction or region), or by a trailing place name.
"""

from __future__ import annotations

import re
import unicodedata

from core.api import fold_confusables

__all__ = ("plain", "fold", "core_key", "clash")

TYPE_PREFIXES = (
    "cong ty trach nhiem huu han mot thanh vien",
    "cong ty trach nhiem huu han hai thanh vien tro len",
    "cong ty trach nhiem huu han",
    "cong ty tnhh mot thanh vien",
    "cong ty tnhh mtv",
    "cong ty tnhh",
    "cong ty co phan",
    "cong ty cp",
    "cong ty hop danh",
    "doanh nghiep tu nhan",
    "dntn",
    "ho kinh doanh",
)

# Words whose presence alone does not make a name distinct (Enterprise Law 2020 Art. 41(2)(đ)–(e)).
NOISE_WORDS = {
    "moi",
    "va",
    "bac",
    "nam",
    "trung",
    "dong",
    "tay",
    "mien",
    "mien bac",
    "mien nam",
    "mien trung",
    "viet nam",
    "vn",
}


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D")


def plain(name: str) -> str:
    """Lower case, no diacritics, "&" as "va", punctuation as spaces, single spaces (type prefix kept)."""
    key = _strip_marks(fold_confusables(name)).lower()
    key = key.replace("&", " va ")
    key = re.sub(r"[^a-z0-9 ]+", " ", key)
    return re.sub(r"\s+", " ", key).strip()


def fold(name: str) -> str:
    """Comparison key of a name: lower case, no diacritics, no type prefix, punctuation as spaces."""
    key = plain(name)
    for prefix in TYPE_PREFIXES:
        if key.startswith(prefix + " "):
            key = key[len(prefix) + 1 :]
            break
    return key


def core_key(name: str) -> str:
    """The name with the similarity-neutral parts removed: numbers, single letters, noise words."""
    words = [w for w in fold(name).split() if not w.isdigit() and len(w) > 1 and w not in NOISE_WORDS]
    key = " ".join(words)
    for phrase in ("mien bac", "mien nam", "mien trung", "viet nam"):
        key = key.replace(phrase, " ")
    return re.sub(r"\s+", " ", key).strip()


def clash(candidate: str, existing: str) -> str | None:
    """``"identical"``, ``"similar"`` or None."""
    if fold(candidate) == fold(existing):
        return "identical"
    a, b = core_key(candidate), core_key(existing)
    if a and a == b:
        return "similar"
    return None
