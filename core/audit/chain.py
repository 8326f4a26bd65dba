"""Append to and verify the hash-chained audit log.

Each row's hash covers its chain, seq, time, actor, action, object and data plus the previous row's
hash, so altering or deleting any row breaks every later hash of that chain. One chain per agency
(``agency:<code>``) or ``global``: writers lock only their chain's head row.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from core.audit.tables import AuditEntry, AuditHead
from core.db.tx import is_postgres, raw, write_tx

__all__ = ("append", "verify", "verify_all", "entry_hash", "GENESIS")

GENESIS = "0" * 64


def entry_hash(prev_hash: str, chain: str, seq: int, at: datetime, actor_id: int | None, action: str,
               object_type: str, object_id: str, data: Any) -> str:
    body = json.dumps(
        [prev_hash, chain, seq, at.astimezone(UTC).isoformat(timespec="microseconds"), actor_id, action,
         object_type, object_id, data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


async def append(action: str, *, chain: str = "global", actor_id: int | None = None, object_type: str = "",
                 object_id: str | int = "", data: dict | None = None) -> int:
    """Append one entry; joins the caller's write transaction (or opens one)."""
    data = data or {}
    async with write_tx():
        await AuditHead.insert(AuditHead(chain=chain, seq=0, hash=GENESIS)).on_conflict(action="DO NOTHING")
        lock = " FOR UPDATE" if is_postgres() else ""
        head = (await raw(f"SELECT seq, hash FROM audit_head WHERE chain = {{}}{lock}", chain))[0]
        seq = head["seq"] + 1
        at = datetime.now(UTC).replace(microsecond=datetime.now(UTC).microsecond)
        h = entry_hash(head["hash"], chain, seq, at, actor_id, action, object_type, str(object_id), data)
        await AuditEntry.insert(AuditEntry(chain=chain, seq=seq, at=at, actor_id=actor_id, action=action,
                                           object_type=object_type, object_id=str(object_id), data=data,
                                           prev_hash=head["hash"], hash=h))
        await AuditHead.update({AuditHead.seq: seq, AuditHead.hash: h}).where(AuditHead.chain == chain)
    return seq


async def verify(chain: str) -> str | None:
    """None when the chain is intact; otherwise a Vietnamese message naming the first broken row."""
    prev, expected_seq = GENESIS, 1
    rows = await AuditEntry.select().where(AuditEntry.chain == chain).order_by(AuditEntry.seq).output(load_json=True)
    for row in rows:
        if row["seq"] != expected_seq:
            return f"Chuỗi '{chain}': thiếu bản ghi số {expected_seq} (gặp số {row['seq']})."
        h = entry_hash(prev, chain, row["seq"], row["at"], row["actor_id"], row["action"], row["object_type"],
                       row["object_id"], row["data"])
        if row["prev_hash"] != prev or row["hash"] != h:
            return f"Chuỗi '{chain}': bản ghi số {row['seq']} (id {row['id']}) đã bị sửa."
        prev, expected_seq = row["hash"], expected_seq + 1
    head = await AuditHead.select().where(AuditHead.chain == chain).first()
    if head and (head["seq"] != expected_seq - 1 or head["hash"] != prev):
        return f"Chuỗi '{chain}': bản ghi cuối (số {head['seq']}) đã bị xoá."
    return None


async def verify_all() -> list[str]:
    chains = {r["chain"] for r in await AuditHead.select(AuditHead.chain)}
    chains |= {r["chain"] for r in await AuditEntry.select(AuditEntry.chain).distinct()}
    return [p for c in sorted(chains) if (p := await verify(c))]
