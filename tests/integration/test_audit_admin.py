"""The audit log's admin page (entries per chain, verify button) and its concurrency: one chain per
agency, so writers at two agencies never wait on each other, and sequences stay gap-free."""

from __future__ import annotations

import asyncio

import pytest

from core.audit import chain
from core.audit.tables import AuditEntry, AuditHead
from core.db.tx import write_tx
from tests.conftest import IS_POSTGRES, csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree

WARD = "agency:000.30.31.H39"
TAX = "agency:000.40.01.H39"


@pytest.fixture
async def admin_client(db, client):
    tree = await standard_tree()
    admin = await make_user("qtv_tinh", full_name="Quản trị tỉnh")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    return client, admin


async def test_page_lists_a_chain_and_verify_reports_intact_then_the_altered_row(admin_client):
    client, admin = admin_client
    for i in range(3):
        await chain.append(
            "dossier.receive",
            chain=WARD,
            actor_id=admin["id"],
            object_type="dossier",
            object_id=f"HS-{i}",
            data={"ghi_chú": "Đủ hồ sơ"},
        )
    await chain.append("config.change", actor_id=admin["id"], data={"fee": 50000})
    r = await client.get(f"/quan-tri/nhat-ky?chuoi={WARD}")
    assert r.status_code == 200
    assert r.text.count('<tr id="audit-') == 3 and "HS-2" in r.text and "Đủ hồ sơ" in r.text
    assert f'<option value="{WARD}" selected>' in r.text and '<option value="global"' in r.text

    headers = {"x-csrftoken": csrf_from(client)}
    r = await client.post("/quan-tri/nhat-ky/kiem-tra", data={"chuoi": WARD}, headers=headers)
    assert r.status_code == 200 and "Mọi chuỗi nhật ký đều toàn vẹn." in r.text

    await AuditEntry.update({AuditEntry.object_id: "HS-99"}).where(
        (AuditEntry.chain == WARD) & (AuditEntry.seq == 2)
    )
    r = await client.post(
        "/quan-tri/nhat-ky/kiem-tra",
        data={"chuoi": WARD},
        headers={**headers, "HX-Request": "true", "HX-Target": "audit-verify"},
    )
    assert r.status_code == 200
    assert "<html" not in r.text, "htmx gets the result block only"
    assert f"Chuỗi &#39;{WARD}&#39;: bản ghi số 2" in r.text or f"Chuỗi '{WARD}': bản ghi số 2" in r.text
    # Verifying is itself recorded.
    assert await AuditEntry.count().where(AuditEntry.action == "audit.verify") == 2
    r = await client.post("/quan-tri/nhat-ky/kiem-tra", data={"chuoi": WARD})
    assert r.status_code == 403, "CSRF token required"


async def test_deleted_middle_row_is_reported(db):
    for i in range(4):
        await chain.append("login", chain=TAX, object_type="user", object_id=i)
    await AuditEntry.delete().where((AuditEntry.chain == TAX) & (AuditEntry.seq == 2))
    assert await chain.verify_all() == [f"Chuỗi '{TAX}': thiếu bản ghi số 2 (gặp số 3)."]


async def test_parallel_appends_on_many_chains_are_gap_free(db):
    await asyncio.gather(*(chain.append("x", chain=(WARD if i % 2 else TAX), object_id=i) for i in range(20)))
    for c in (WARD, TAX):
        seqs = [
            r["seq"]
            for r in await AuditEntry.select(AuditEntry.seq)
            .where(AuditEntry.chain == c)
            .order_by(AuditEntry.seq)
        ]
        assert seqs == list(range(1, 11))
        assert (await AuditHead.select().where(AuditHead.chain == c).first())["seq"] == 10
    assert await chain.verify_all() == []


@pytest.mark.skipif(
    not IS_POSTGRES, reason="row locks per chain: PostgreSQL (SQLite has one writer at a time)"
)
async def test_an_open_transaction_on_one_chain_does_not_block_another_chain(db):
    holding, release = asyncio.Event(), asyncio.Event()
    await chain.append("first", chain=WARD)  # the head row exists

    async def long_writer():
        async with write_tx():
            await chain.append("slow", chain=WARD)
            holding.set()
            await release.wait()

    async def same_chain_writer():
        await holding.wait()
        return await chain.append("queued behind", chain=WARD)

    slow = asyncio.create_task(long_writer())
    await holding.wait()
    # Another agency's chain goes through while the ward's head row is locked.
    assert await asyncio.wait_for(chain.append("other agency", chain=TAX), timeout=5) == 1
    waiting = asyncio.create_task(same_chain_writer())
    await asyncio.sleep(0.3)
    assert not waiting.done(), "the same chain waits for the open transaction"
    release.set()
    await slow
    assert await asyncio.wait_for(waiting, timeout=5) == 3
    assert [
        r["action"]
        for r in await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.chain == WARD)
        .order_by(AuditEntry.seq)
    ] == ["first", "slow", "queued behind"]
    assert await chain.verify_all() == []
