"""Centralised-system codes (TT 03/2025 Art. 13 cl. 3) count in their own row: the two variants of
one agency never share a sequence."""

from __future__ import annotations

from datetime import date

from core.db.tx import write_tx
from core.dossiers import codes


async def _allocate(agency: str, day: date, owner: str | None = None) -> str:
    async with write_tx():
        return await codes.allocate(agency, day, owner)


async def test_centralised_codes_have_their_own_sequence(db):
    day = date(2026, 2, 1)
    assert await _allocate("H55.242", day, "01") == "H55.242-260201-010001"
    assert await _allocate("H55.242", day) == "H55.242-260201-0001"
    assert await _allocate("H55.242", day, "01") == "H55.242-260201-010002"
    assert await _allocate("H55.242", day, "02") == "H55.242-260201-020001"
    assert await _allocate("H55.242", day) == "H55.242-260201-0002"
