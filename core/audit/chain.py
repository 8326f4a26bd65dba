"""Append to and verify the sealed, hash-chained audit log.

Each row's hash covers its chain, seq, time, actor, action, object and data plus the previous row's
hash, so altering or deleting any row breaks every later hash of that chain. One chain per agency
(``agency:<code>``) or ``global``: writers lock only their chain's head row.

**Sealing.** Since 2026-12-03 a row's hash is an HMAC-SHA-256 under the *audit key*
(``seal = "hmac-sha256"``), which lives outside the database (see ``audit_key``): someone who can
edit the database but does not hold the key cannot recompute the chain after editing a row. Rows
written before that are plain SHA-256 (``seal = "sha256"``) and are kept as they were (their
original hashes are the evidence): the migration that added ``seal`` wrote a *cutover anchor*
(``core.audit.anchors``) recording, under the key, each chain's head at that moment. Verification
accepts unkeyed rows only up to that recorded head, and the recorded hash pins them; they are
reported as "unkeyed, before <date>". Tampering done before the upgrade cannot be detected.

A sealed row's MAC covers ``prev_hash|seq|actor_id|at|`` then chain, action, object type and object id
each as ``<length>:<text>|``, then the ``data`` column's text exactly as stored (canonical JSON: sorted
keys, compact), so verifying needs no JSON parsing (see ``_sealed_body``). The column must stay ``json``
(text kept as written), never ``jsonb``, on PostgreSQL.

**Anchors** (``core.audit.anchors``) record every chain's head hash and length outside the
database, so a truncated or deleted chain is caught too; ``verify_report`` checks them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.audit.tables import AuditEntry, AuditHead
from core.db.tx import is_postgres, raw, write_tx

__all__ = (
    "append",
    "verify",
    "verify_all",
    "verify_report",
    "Report",
    "entry_hash",
    "audit_key",
    "key_id",
    "GENESIS",
    "SEAL_HMAC",
    "SEAL_LEGACY",
    "canonical",
    "vn_time",
)

GENESIS = "0" * 64
SEAL_HMAC = "hmac-sha256"
"""Rows sealed with the audit key (every row written since 2026-12-03)."""
SEAL_LEGACY = "sha256"
"""Rows written before 2026-12-03: plain SHA-256, which anyone can recompute (see the module doc)."""
_KEY_LABEL = b"motcua/audit-chain/v1"
BATCH = 5000
"""Rows read per query when verifying."""
ANCHOR_GRACE = timedelta(hours=48)
"""How old a sealed row may be before the absence of any anchor is itself a problem (the nightly
anchor has had time to run)."""

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode


def canonical(data: Any) -> str:
    """The text a row's ``data`` is stored as (and sealed over): sorted keys, compact, UTF-8."""
    return _dumps(data)


def audit_key() -> bytes:
    """The key that seals audit rows and anchors: HMAC-SHA-256 of a fixed label under
    ``MOTCUA_AUDIT_KEY`` when set, else under ``MOTCUA_SECRET_KEY`` (itself generated once into the data
    folder when unset). Never stored in the database; changing it makes earlier rows fail to verify (to
    rotate ``MOTCUA_SECRET_KEY``, set ``MOTCUA_AUDIT_KEY`` to its old value: the key stays the same)."""
    from core.settings import get_settings

    s = get_settings()
    return hmac.new((s.audit_key or s.secret_key).encode(), _KEY_LABEL, hashlib.sha256).digest()


def key_id(key: bytes | None = None) -> str:
    """A short public fingerprint of the audit key (written in anchors; says which key sealed them)."""
    return hmac.new(key or audit_key(), b"key id", hashlib.sha256).hexdigest()[:16]


def _iso(at: datetime | str) -> str:
    """``at`` in UTC as ISO 8601 with microseconds (the form hashed)."""
    if isinstance(at, str):  # SQLite's stored text (UTC, "2026-12-03 08:28:59.165223+00:00"), or to_char's
        if len(at) == 32 and at[19] == "." and at.endswith("+00:00"):
            return at if at[10] == "T" else f"{at[:10]}T{at[11:]}"
        at = datetime.fromisoformat(at)
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def _legacy_body(
    prev_hash: str,
    chain: str,
    seq: int,
    at: datetime | str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
) -> bytes:
    if isinstance(data, str):
        data = json.loads(data)
    return _dumps([prev_hash, chain, seq, _iso(at), actor_id, action, object_type, object_id, data]).encode()


def _sealed_body(
    prev_hash: str,
    chain: str,
    seq: int,
    at: datetime | str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    data_text: str,
) -> bytes:
    # Free-text fields are length-prefixed so no content can move from one field to the next.
    return (
        f"{prev_hash}|{seq}|{actor_id}|{_iso(at)}|{len(chain)}:{chain}|{len(action)}:{action}|"
        f"{len(object_type)}:{object_type}|{len(object_id)}:{object_id}|{data_text}"
    ).encode()


def entry_hash(
    prev_hash: str,
    chain: str,
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    *,
    seal: str = SEAL_HMAC,
    key: bytes | None = None,
) -> str:
    """The hash of one row: sealed with the audit key (default; ``data`` as stored: store
    ``canonical(data)`` when giving a dict), or plain SHA-256 for legacy rows."""
    if seal == SEAL_LEGACY:
        body = _legacy_body(prev_hash, chain, seq, at, actor_id, action, object_type, object_id, data)
        return hashlib.sha256(body).hexdigest()
    text = data if isinstance(data, str) else canonical(data)
    body = _sealed_body(prev_hash, chain, seq, at, actor_id, action, object_type, object_id, text)
    return hmac.new(key or audit_key(), body, hashlib.sha256).hexdigest()


async def append(
    action: str,
    *,
    chain: str = "global",
    actor_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict | None = None,
) -> int:
    """Append one entry; joins the caller's write transaction (or opens one)."""
    data = data or {}
    async with write_tx():
        await AuditHead.insert(AuditHead(chain=chain, seq=0, hash=GENESIS)).on_conflict(action="DO NOTHING")
        lock = " FOR UPDATE" if is_postgres() else ""
        sql = f"SELECT seq, hash FROM audit_head WHERE chain = {{}}{lock}"  # noqa: S608 - chain is bound
        head = (await raw(sql, chain))[0]
        seq = head["seq"] + 1
        at = datetime.now(UTC)
        text = canonical(data)
        h = entry_hash(head["hash"], chain, seq, at, actor_id, action, object_type, str(object_id), text)
        await AuditEntry.insert(
            AuditEntry(
                chain=chain,
                seq=seq,
                at=at,
                actor_id=actor_id,
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                data=text,
                prev_hash=head["hash"],
                hash=h,
                seal=SEAL_HMAC,
            )
        )
        await AuditHead.update({AuditHead.seq: seq, AuditHead.hash: h}).where(AuditHead.chain == chain)
    return seq


@dataclass
class Report:
    """What ``verify_report`` found: ``problems`` (tampering, exit 1) and ``notes`` (information)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chains: int = 0
    rows: int = 0
    last_anchor: str | None = None
    """When the newest valid anchor was written (ISO), or None when there is none."""


@dataclass(slots=True)
class _Chain:
    name: str
    prev: str = GENESIS
    next_seq: int = 1
    problem: str | None = None
    legacy: int = 0
    hash_at_head: str | None = None


def vn_time(at: str) -> str:
    """An anchor's ISO time as Vietnam local time for messages."""
    from core.text.templating import VN_TZ

    try:
        return datetime.fromisoformat(at).astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")
    except ValueError:
        return at


_COLS = "id, chain, seq, at, actor_id, action, object_type, object_id, data, prev_hash, hash, seal"


async def _batches(only: str | None):
    """Rows as tuples (``_COLS``) in (chain, seq) order, ``BATCH`` at a time.

    One query, read through a connection of its own as a consistent snapshot that blocks no writer,
    without the ORM's per-value conversions. SQLite (WAL): fetched in a worker thread, the next batch
    read while this one is hashed. PostgreSQL: a server-side cursor in a read-only repeatable-read
    transaction, walking the (chain, seq) unique index.
    """
    from core.db.tx import engine

    db = engine()
    if db.engine_type == "sqlite":
        where, args = (" WHERE chain = ?", (only,)) if only is not None else ("", ())
        loop, ahead = asyncio.get_running_loop(), None
        conn = await loop.run_in_executor(
            None, lambda: sqlite3.connect(db.path, timeout=30, check_same_thread=False)
        )
        try:
            sql = f"SELECT {_COLS} FROM audit_entry{where} ORDER BY chain, seq"  # noqa: S608 - bound args
            cur = await loop.run_in_executor(None, conn.execute, sql, args)
            # The next batch is read (SQLite releases the GIL while stepping) while this one is hashed.
            ahead = loop.run_in_executor(None, cur.fetchmany, BATCH)
            while rows := await ahead:
                ahead = loop.run_in_executor(None, cur.fetchmany, BATCH)
                yield rows
        finally:
            if ahead is not None:
                with contextlib.suppress(Exception):
                    await ahead  # never close the connection under a read still running
            conn.close()
        return
    where, args = (" WHERE chain = $1", (only,)) if only is not None else ("", ())
    conn = await db.get_new_connection()
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            # ``at`` as UTC ISO text, already the form hashed (no datetime made and formatted per row).
            iso = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
            cols = _COLS.replace(" at,", f" {iso},")
            sql = f"SELECT {cols} FROM audit_entry{where} ORDER BY chain, seq"  # noqa: S608 - bound args
            cur = await conn.cursor(sql, *args)
            while rows := await cur.fetch(BATCH):
                yield rows
    finally:
        await conn.close()


async def verify_report(only: str | None = None) -> Report:
    """Verify every chain (or only ``only``) against its seals, its head row and the anchor file.

    Reads the rows in batches of ``BATCH`` in (chain, seq) order. Per chain, at most one problem: the
    first broken row, else a chain shorter than its last anchor, else a head row that does not match.
    """
    from core.audit import anchors

    key = audit_key()
    mac = hmac.new(key, digestmod=hashlib.sha256)
    sha = hashlib.sha256
    report = Report()
    log = anchors.read()
    report.problems += log.problems
    report.last_anchor = log.lines[-1]["at"] if log.lines else None
    pinned, longest, cutover = log.pins()
    sql = "SELECT chain, seq, hash FROM audit_head" + (" WHERE chain = {}" if only is not None else "")  # noqa: S608
    # read before the rows: rows only ever get appended
    heads = {r["chain"]: (r["seq"], r["hash"]) for r in await raw(sql, *([only] if only is not None else []))}
    oldest_sealed: datetime | None = None
    seen: dict[str, _Chain] = {}

    def finish(st: _Chain) -> None:
        c, last = st.name, st.next_seq - 1
        if st.problem is None and c in longest and longest[c][0] > last:
            n, at = longest[c]
            st.problem = (
                f"Chuỗi '{c}': không còn bản ghi nào dù mốc neo lúc {vn_time(at)} đã ghi "
                f"{n} bản ghi: cả chuỗi đã bị xoá."
                if last == 0
                else f"Chuỗi '{c}': chỉ còn {last} bản ghi, ít hơn {n} bản ghi mà mốc neo lúc "
                f"{vn_time(at)} đã ghi: phần cuối của chuỗi đã bị xoá."
            )
        head = heads.get(c)
        if st.problem is None and head is not None and head[0] > 0:
            if head[0] > last:
                st.problem = f"Chuỗi '{c}': bản ghi cuối (số {head[0]}) đã bị xoá."
            elif st.hash_at_head != head[1]:
                st.problem = f"Chuỗi '{c}': dòng đầu chuỗi (audit_head, số {head[0]}) không khớp bản ghi."
        if st.problem:
            report.problems.append(st.problem)
        elif st.legacy:
            at = vn_time(cutover[c][2])
            report.notes.append(
                f"Chuỗi '{c}': {st.legacy} bản ghi đầu ghi trước {at} không được khoá "
                "(chỉ băm SHA-256); chúng được bảo vệ bằng mốc chuyển đổi ghi lúc đó."
            )

    st: _Chain | None = None
    sealed_body, legacy_body = _sealed_body, _legacy_body
    for_seq = {c: h[0] for c, h in heads.items()}
    async for rows in _batches(only):
        report.rows += len(rows)
        for row_id, c, seq, at, actor_id, action, object_type, object_id, data, prev_hash, h, seal in rows:
            if st is None or st.name != c:
                if st is not None:
                    finish(st)
                st = seen[c] = _Chain(c)
                pins = pinned.get(c)
                head_seq = for_seq.get(c, 0)
            if st.problem is not None:
                continue
            if seq != st.next_seq:
                st.problem = f"Chuỗi '{c}': thiếu bản ghi số {st.next_seq} (gặp số {seq})."
                continue
            if seal == SEAL_HMAC:
                m = mac.copy()
                m.update(
                    sealed_body(
                        st.prev,
                        c,
                        seq,
                        at,
                        actor_id,
                        action,
                        object_type,
                        object_id,
                        data if isinstance(data, str) else canonical(data),
                    )
                )
                expected = m.hexdigest()
                if oldest_sealed is None or at < oldest_sealed:
                    oldest_sealed = at
            elif seal == SEAL_LEGACY:
                if c not in cutover:
                    st.problem = (
                        f"Chuỗi '{c}': bản ghi số {seq} (id {row_id}) không được khoá mà không "
                        "có mốc chuyển đổi nào ghi nhận nó: chuỗi đã bị tính lại."
                    )
                    continue
                if seq > cutover[c][0]:
                    st.problem = (
                        f"Chuỗi '{c}': bản ghi số {seq} (id {row_id}) không được khoá dù ghi "
                        f"sau mốc chuyển đổi lúc {vn_time(cutover[c][2])}: chuỗi đã bị tính lại."
                    )
                    continue
                expected = sha(
                    legacy_body(st.prev, c, seq, at, actor_id, action, object_type, object_id, data)
                ).hexdigest()
                st.legacy += 1
            else:
                expected = None
            if prev_hash != st.prev or h != expected:
                st.problem = f"Chuỗi '{c}': bản ghi số {seq} (id {row_id}) đã bị sửa."
                continue
            if pins and seq in pins and pins[seq][0] != h:
                st.problem = (
                    f"Chuỗi '{c}': bản ghi số {seq} (id {row_id}) khác với mốc neo lúc "
                    f"{vn_time(pins[seq][1])}: chuỗi đã bị thay."
                )
                continue
            if seq == head_seq:
                st.hash_at_head = h
            st.prev, st.next_seq = h, seq + 1
    if st is not None:
        finish(st)
    for c in sorted((set(heads) | set(longest)) - set(seen)):
        if only is None or c == only:
            finish(_Chain(c))
    report.chains = len(seen)
    due = _iso(datetime.now(UTC) - ANCHOR_GRACE)
    if not log.lines and oldest_sealed is not None and _iso(oldest_sealed) < due:
        since = vn_time(_iso(oldest_sealed))
        report.problems.append(
            f"Không có mốc neo nào trong {anchors.anchor_path()} dù nhật ký có bản ghi từ {since}: "
            "tệp mốc neo đã bị xoá, hoặc lịch chạy đêm chưa chạy (chạy `motcua audit anchor`)."
        )
    return report


async def verify(chain: str) -> str | None:
    """None when the chain is intact; otherwise a Vietnamese message naming the first problem."""
    report = await verify_report(chain)
    return report.problems[0] if report.problems else None


async def verify_all() -> list[str]:
    """Every problem found in the log and the anchor file (empty when intact)."""
    return (await verify_report()).problems
