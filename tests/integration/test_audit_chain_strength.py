"""The audit chain's stored format and its checks at their edges (docs/testing.md, mutation testing):
the hash of an entry never changes for the same fields (chains written by earlier versions must still
verify), the defaults of an entry, a missing middle row, a head altered alone, a chain whose head or
entries were deleted."""

from __future__ import annotations

import os
import time as _time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.audit import chain
from core.audit.tables import AuditEntry, AuditHead


def test_entry_hash_is_a_fixed_function_of_the_fields():
    """Golden values: serialisation (key order, separators, non-ASCII kept, dates as text, time in
    UTC to the microsecond) must never change, or stored chains stop verifying — the unkeyed rows
    written before sealing and the sealed ones alike."""
    at = datetime(2026, 1, 14, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=7)))
    data = {"z": "Đồng Nai", "a": [1, 2], "ngày": date(2026, 1, 14)}
    got = chain.entry_hash(
        chain.GENESIS,
        "agency:H39.31",
        7,
        at,
        42,
        "dossier.receive",
        "dossier",
        "H39.31-260114-0001",
        data,
        seal=chain.SEAL_LEGACY,
    )
    assert got == "2a89a12ca90816f42021e0f50ccb9430343b18739204f515f43283ee8c23de7c"
    sealed = chain.entry_hash(
        chain.GENESIS,
        "agency:H39.31",
        7,
        at,
        42,
        "dossier.receive",
        "dossier",
        "H39.31-260114-0001",
        data,
        key=b"k" * 32,
    )
    assert sealed == "34a2945fd005b196653114d5796ad2081ebc36015d22cc6b22c90e532e77c8c7"


@pytest.fixture
def server_in_vietnam(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


def test_entry_hash_does_not_depend_on_the_servers_time_zone(server_in_vietnam):
    at = datetime(2026, 1, 14, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=7)))
    data = {"z": "Đồng Nai", "a": [1, 2], "ngày": date(2026, 1, 14)}
    got = chain.entry_hash(
        chain.GENESIS,
        "agency:H39.31",
        7,
        at,
        42,
        "dossier.receive",
        "dossier",
        "H39.31-260114-0001",
        data,
        seal=chain.SEAL_LEGACY,
    )
    assert got == "2a89a12ca90816f42021e0f50ccb9430343b18739204f515f43283ee8c23de7c"
    assert os.environ["TZ"] == "Asia/Ho_Chi_Minh"


async def test_an_entry_without_chain_or_object_goes_to_global_with_empty_object(db):
    await chain.append("config")
    row = await AuditEntry.select().first().output(load_json=True)
    assert (row["chain"], row["object_type"], row["object_id"], row["data"]) == ("global", "", "", {})
    assert await chain.verify("global") is None


async def test_a_missing_middle_row_is_named(db):
    for a in ("a", "b", "c"):
        await chain.append(a)
    await AuditEntry.delete().where(AuditEntry.seq == 2)
    assert await chain.verify("global") == "Chuỗi 'global': thiếu bản ghi số 2 (gặp số 3)."


async def test_a_head_altered_alone_is_detected(db):
    await chain.append("a")
    await chain.append("b")
    await AuditHead.update({AuditHead.hash: "f" * 64}).where(AuditHead.chain == "global")
    assert (
        await chain.verify("global")
        == "Chuỗi 'global': dòng đầu chuỗi (audit_head, số 2) không khớp bản ghi."
    )
    await AuditHead.update({AuditHead.seq: 5}).where(AuditHead.chain == "global")
    assert await chain.verify("global") == "Chuỗi 'global': bản ghi cuối (số 5) đã bị xoá."


async def test_verify_all_checks_chains_known_only_by_their_head_or_only_by_their_entries(db):
    await chain.append("a", chain="agency:A")
    await chain.append("b", chain="agency:B")
    await AuditEntry.delete().where(AuditEntry.chain == "agency:A")  # every entry of A gone
    await AuditHead.delete().where(AuditHead.chain == "agency:B")  # B's head gone ...
    await AuditEntry.update({AuditEntry.action: "x"}).where(AuditEntry.chain == "agency:B")  # ... and altered
    problems = await chain.verify_all()
    assert sorted(problems) == [
        "Chuỗi 'agency:A': bản ghi cuối (số 1) đã bị xoá.",
        f"Chuỗi 'agency:B': bản ghi số 1 (id {(await AuditEntry.select().first())['id']}) đã bị sửa.",
    ]


async def test_an_entry_is_stamped_in_utc_whatever_the_servers_zone(db, server_in_vietnam):
    before = datetime.now(UTC)
    await chain.append("a")
    row = await AuditEntry.select().first()
    at = row["at"] if row["at"].tzinfo else row["at"].replace(tzinfo=UTC)
    assert abs(at - before) < timedelta(minutes=1)
    assert await chain.verify("global") is None
