"""National dossier codes (R4–R6): format, validation and gap-free daily allocation.

* Standard (TT 01/2018, TT 03/2025 Art. 13 cl. 1–2): ``{agency code}-{YYMMDD}-{seq}``, ``seq``
  zero-padded to at least 4 digits, restarting every day per agency.
* Centralised system (TT 03/2025 Art. 13 cl. 3, from 25/01/2026): ``{agency eid}-{YYMMDD}-{AA}{seq}``,
  ``AA`` = 2 digits of the system owner's identifier.

Allocation keeps one ``code_counter`` row per (agency, day): ``INSERT … ON CONFLICT DO NOTHING`` then
``UPDATE … SET last = last + 1 RETURNING last`` inside the caller's transaction. On PostgreSQL the
UPDATE takes a row lock held until commit, so codes are distinct and gap-free under concurrency and
two agencies never wait on each other; on SQLite the write transaction is already exclusive.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from core.db.tx import raw
from core.settings import get_settings

__all__ = (
    "AGENCY_CODE",
    "CODE_RE",
    "CENTRAL_CODE_RE",
    "ParsedCode",
    "format_code",
    "parse_code",
    "is_valid_code",
    "allocate",
    "reserve",
    "new_lookup_key",
    "format_lookup_key",
    "lookup_key_matches",
    "normalise_lookup_key",
    "status_url",
)

LOOKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Capitals and digits a person reads back without doubt (no I/1, O/0)."""
LOOKUP_KEY_LENGTH = 8
"""32⁸ ≈ 10¹² keys per dossier code: guessing one by trying is hopeless."""


def new_lookup_key() -> str:
    """A fresh secret for the public status look-up (R36), printed on the receipt as ``ABCD-EFGH``.

    Dossier codes are sequential, so the code alone would let anyone walk every dossier's progress;
    the look-up asks for this key as well (the QR on the receipt carries both).
    """
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_KEY_LENGTH))


def normalise_lookup_key(text: str | None) -> str:
    """The key as typed (``abcd-efgh``, ``ABCD EFGH``) in its stored form (``ABCDEFGH``)."""
    return re.sub(r"[\s-]", "", text or "").upper()[: LOOKUP_KEY_LENGTH * 2]


def format_lookup_key(key: str) -> str:
    """``ABCDEFGH`` as printed: ``ABCD-EFGH``."""
    return f"{key[:4]}-{key[4:]}" if len(key) == LOOKUP_KEY_LENGTH else key


def lookup_key_matches(stored: str | None, given: str | None) -> bool:
    """Whether ``given`` opens the dossier whose key is ``stored`` (constant time; an unset key
    opens nothing)."""
    if not stored:
        return False
    return hmac.compare_digest(stored.encode(), normalise_lookup_key(given).encode())


AGENCY_CODE = r"(?:\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}|[A-Z]\d{2}(?:\.\d{1,3}){0,2})"
"""QCVN 102:2016 (``000.00.01.H39``) or QĐ 20/2020 electronic identifier (``H55.242``, ``H55.242.01``)."""

CODE_RE = re.compile(rf"^(?P<agency>{AGENCY_CODE})-(?P<day>\d{{6}})-(?P<seq>\d{{4,}})$")
"""Standard format ``{agency}-{YYMMDD}-{seq≥4}``."""

CENTRAL_CODE_RE = re.compile(
    rf"^(?P<agency>{AGENCY_CODE})-(?P<day>\d{{6}})-(?P<aa>\d{{2}})(?P<seq>\d{{4,}})$"
)
"""Centralised-system format ``{agency eid}-{YYMMDD}-{AA}{seq≥4}``."""


@dataclass(frozen=True, slots=True)
class ParsedCode:
    agency: str
    day: date
    seq: int
    system_owner: str | None = None


def format_code(agency_code: str, day: date, seq: int, system_owner: str | None = None) -> str:
    """Build a code; ``system_owner`` (2 digits) selects the centralised-system variant."""
    if seq < 1:
        raise ValueError("sequence starts at 1")
    prefix = f"{agency_code}-{day:%y%m%d}-"
    if system_owner is not None:
        if not re.fullmatch(r"\d{2}", system_owner):
            raise ValueError("system owner code must be 2 digits")
        return f"{prefix}{system_owner}{seq:04d}"
    return f"{prefix}{seq:04d}"


def _day(yymmdd: str) -> date | None:
    try:
        return datetime.strptime(yymmdd, "%y%m%d").date()  # noqa: DTZ007 - a calendar day, no time
    except ValueError:
        return None


def parse_code(code: str, *, central: bool = False) -> ParsedCode | None:
    """Split a code into its parts; None when it is not a well-formed code of that variant."""
    m = (CENTRAL_CODE_RE if central else CODE_RE).match(code.strip())
    if not m:
        return None
    day = _day(m["day"])
    if day is None:
        return None
    return ParsedCode(m["agency"], day, int(m["seq"]), m.groupdict().get("aa"))


def is_valid_code(code: str) -> bool:
    """True for a well-formed code of either variant (real calendar date included)."""
    return parse_code(code) is not None or parse_code(code, central=True) is not None


async def allocate(agency_code: str, day: date, system_owner: str | None = None) -> str:
    """Next code of ``agency_code`` for ``day``; call inside the write transaction that stores it.

    Counters are kept per (agency, day); a centralised-system code counts in its own row
    (``agency_code/AA``) so the two variants never share a sequence.
    """
    key = agency_code if system_owner is None else f"{agency_code}/{system_owner}"
    await raw(
        "INSERT INTO code_counter (agency_code, day, last) VALUES ({}, {}, 0) "
        "ON CONFLICT (agency_code, day) DO NOTHING",
        key,
        day,
    )
    rows = await raw(
        "UPDATE code_counter SET last = last + 1 WHERE agency_code = {} AND day = {} RETURNING last",
        key,
        day,
    )
    return format_code(agency_code, day, rows[0]["last"], system_owner)


async def reserve(code: str, agency_codes: tuple[str | None, ...]) -> None:
    """Keep the daily counter of ``code``'s agency at or past the code's sequence (a code another
    system gave, e.g. the national portal), so the codes allocated here never repeat it (R6). Does
    nothing for a code that is not one of ``agency_codes``'s. Call inside a write transaction."""
    for central in (False, True):
        parsed = parse_code(code, central=central)
        if parsed is None or parsed.agency not in agency_codes:
            continue
        key = parsed.agency if parsed.system_owner is None else f"{parsed.agency}/{parsed.system_owner}"
        await raw(
            "INSERT INTO code_counter (agency_code, day, last) VALUES ({}, {}, 0) "
            "ON CONFLICT (agency_code, day) DO NOTHING",
            key,
            parsed.day,
        )
        await raw(
            "UPDATE code_counter SET last = {} WHERE agency_code = {} AND day = {} AND last < {}",
            parsed.seq,
            key,
            parsed.day,
            parsed.seq,
        )
        return


def status_url(code: str, key: str = "") -> str:
    """The public status page of dossier ``code`` (``{MOTCUA_BASE_URL}/tra-cuu/{code}?k={key}``):
    ``key`` is the dossier's look-up secret (R36), without which a visitor not signed in sees nothing."""
    url = f"{get_settings().base_url}/tra-cuu/{quote(code, safe='.-')}"
    return f"{url}?k={quote(key)}" if key else url
