"""Dossier codes (R4–R6): format, validator regexes, gap-free allocation per (agency, day),
and distinct codes under concurrency on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from datetime import date

import pytest

from core.db.tx import write_tx
from core.dossiers import codes

IS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def test_format_standard_and_centralised():
    assert codes.format_code("000.00.31.H39", date(2026, 11, 23), 7) == "000.00.31.H39-261123-0007"
    assert codes.format_code("H39.31", date(2026, 1, 2), 12345) == "H39.31-260102-12345"
    assert codes.format_code("H55.242", date(2026, 2, 1), 3, system_owner="01") == "H55.242-260201-010003"
    with pytest.raises(ValueError):
        codes.format_code("H55.242", date(2026, 2, 1), 3, system_owner="1")
    with pytest.raises(ValueError):
        codes.format_code("H55.242", date(2026, 2, 1), 0)


def test_validator_regexes():
    assert codes.is_valid_code("000.00.31.H39-261123-0001")
    assert codes.is_valid_code("000.00.01.H12-200101-0001")
    assert codes.is_valid_code("H55.242-260201-010003")
    parsed = codes.parse_code("000.00.31.H39-261123-0042")
    assert parsed.agency == "000.00.31.H39" and parsed.day == date(2026, 11, 23) and parsed.seq == 42
    central = codes.parse_code("H55.242-260201-010003", central=True)
    assert central.system_owner == "01" and central.seq == 3
    for bad in (
        "",
        "000.00.31.H39-261123-001",
        "000.00.31.H39-261332-0001",
        "abc-261123-0001",
        "000.00.31.H39_261123_0001",
        "000.00.31.H39-261123-0001; DROP",
    ):
        assert not codes.is_valid_code(bad), bad


async def _allocate(agency: str, day: date) -> str:
    async with write_tx():
        return await codes.allocate(agency, day)


async def test_allocation_is_sequential_per_agency_and_day(db):
    day = date(2026, 11, 23)
    got = [await _allocate("000.00.31.H39", day) for _ in range(3)]
    assert got == [f"000.00.31.H39-261123-000{i}" for i in (1, 2, 3)]
    assert await _allocate("000.00.32.H39", day) == "000.00.32.H39-261123-0001"
    assert await _allocate("000.00.31.H39", date(2026, 11, 24)) == "000.00.31.H39-261124-0001"


async def test_allocation_rolls_back_with_its_transaction(db):
    day = date(2026, 11, 23)
    with pytest.raises(RuntimeError):
        async with write_tx():
            await codes.allocate("000.00.31.H39", day)
            raise RuntimeError("boom")
    assert await _allocate("000.00.31.H39", day) == "000.00.31.H39-261123-0001"


async def test_sequence_grows_past_four_digits(db):
    from core.db.tx import raw

    day = date(2026, 11, 23)
    await _allocate("000.00.31.H39", day)
    await raw("UPDATE code_counter SET last = 9999 WHERE agency_code = {}", "000.00.31.H39")
    code = await _allocate("000.00.31.H39", day)
    assert code == "000.00.31.H39-261123-10000" and codes.is_valid_code(code)


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
async def test_concurrent_allocation_is_distinct_and_gap_free(db):
    day = date(2026, 11, 23)
    got = await asyncio.gather(*(_allocate("000.00.31.H39", day) for _ in range(20)))
    seqs = sorted(int(c.rsplit("-", 1)[1]) for c in got)
    assert seqs == list(range(1, 21))
