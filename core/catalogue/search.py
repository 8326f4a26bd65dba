"""Search the catalogue: Vietnamese matched with or without diacritics ("dang ky cap phep" finds
"Đăng ký cấp phép"), over the frozen catalogue in memory, filtered by activation (one query)."""

from __future__ import annotations

import functools
import re
import unicodedata

from core.catalogue import service
from core.catalogue.registry import get_catalogue
from core.contract.specs import ONLINE_LEVELS, ProcedureSpec

__all__ = ("fold", "matches", "search")

_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case, strip diacritics (``đ`` → ``d``) and collapse spaces: the search key of a text."""
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACES.sub(" ", bare).strip()


_WORD_SPLIT = re.compile(r"[\s,;:()/\"'“”|_-]+")


def _words(spec: ProcedureSpec) -> list[str]:
    domain = get_catalogue().domains.get(spec.domain)
    parts = [spec.code, spec.name.vi, spec.name.en]
    if domain is not None:
        parts += [domain.code, domain.name.vi, domain.name.en]
    return [w for w in _WORD_SPLIT.split(fold(" ".join(parts))) if w]


def matches(spec: ProcedureSpec, query: str) -> bool:
    """True when every word of ``query`` (folded) starts a word of the procedure's code, names or domain."""
    words = [w for w in _WORD_SPLIT.split(fold(query)) if w]
    hay = _words(spec)
    return all(any(h.startswith(w) for h in hay) for w in words)


def _rank(spec: ProcedureSpec, folded_query: str) -> int:
    name = fold(spec.name.vi)
    if not folded_query:
        return 2
    if spec.code == folded_query or name == folded_query:
        return 0
    return 1 if folded_query in name or folded_query in fold(spec.name.en) else 2


async def search(
    q: str = "",
    *,
    domain: str | None = None,
    agency_code: str | None = None,
    online_level: str | None = None,
) -> list[ProcedureSpec]:
    """Procedures matching ``q`` that are taken in at ``agency_code`` (or at any agency when None).

    Args:
        q: Words to find in the code, the Vietnamese or English name, or the domain's name.
        domain: Only this domain's procedures.
        agency_code: Only procedures available at this agency (by its code).
        online_level: ``toan_trinh`` or ``mot_phan``; anything else is ignored.

    Returns:
        The procedures, exact and phrase matches first, then in catalogue order.
    """
    cat = get_catalogue()
    candidates = [
        p
        for p in cat.procedures.values()
        if (not domain or p.domain == domain)
        and (online_level not in ONLINE_LEVELS or p.online_level == online_level)
        and (not q.strip() or matches(p, q))
    ]
    if not candidates:
        return []
    available = await service.available_codes(agency_code=agency_code or None)
    folded = fold(q)
    hits = [p for p in candidates if p.code in available]
    order = {code: i for i, code in enumerate(cat.procedures)}
    return sorted(hits, key=lambda p: (_rank(p, folded), order[p.code]))
