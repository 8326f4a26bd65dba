"""The audit log is tamper-evident for someone who can edit the database but does not hold the audit
key: rows are sealed with an HMAC under a key kept outside the database, and anchors (every chain's
head and length, in an HMAC-chained file in the data folder) catch a truncated or deleted chain."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta

from core.audit import anchors, chain
from core.audit.tables import AuditEntry, AuditHead

WARD = "agency:000.30.31.H39"
TAX = "agency:000.40.01.H39"


def plain_sha256(prev, c, seq, at, actor_id, action, object_type, object_id, data) -> str:
    """The unkeyed hash anyone can compute (the formula of the log before it was sealed)."""
    fields = [
        prev,
        c,
        seq,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        actor_id,
        action,
        object_type,
        object_id,
        data,
    ]
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


async def recompute_without_key(c: str, *, mark_unkeyed: bool = False) -> None:
    """What an attacker with write access to the database only can do: recompute every hash of the
    chain (and its head) with plain SHA-256, optionally also marking the rows as the unkeyed kind."""
    rows = (
        await AuditEntry.select().where(AuditEntry.chain == c).order_by(AuditEntry.seq).output(load_json=True)
    )
    prev = chain.GENESIS
    for r in rows:
        h = plain_sha256(
            prev,
            c,
            r["seq"],
            r["at"],
            r["actor_id"],
            r["action"],
            r["object_type"],
            r["object_id"],
            r["data"],
        )
        values = {AuditEntry.prev_hash: prev, AuditEntry.hash: h}
        if mark_unkeyed:
            values[AuditEntry.seal] = chain.SEAL_LEGACY
        await AuditEntry.update(values).where(AuditEntry.id == r["id"])
        prev = h
    await AuditHead.update({AuditHead.hash: prev}).where(AuditHead.chain == c)


def row_at(c: str, seq: int):
    return (AuditEntry.chain == c) & (AuditEntry.seq == seq)


async def some_log() -> None:
    for i in range(5):
        await chain.append("login", chain=WARD, actor_id=1, object_type="user", object_id=i)
    for i in range(2):
        await chain.append("dossier.receive", chain=TAX, object_type="dossier", object_id=f"HS-{i}")
    await chain.append("config", actor_id=1, data={"k": "Đồng Nai"})


async def test_untouched_log_verifies_with_and_without_anchors(db):
    await some_log()
    assert await chain.verify_all() == []
    await anchors.write_anchor()
    await chain.append("after the anchor", chain=WARD)
    report = await chain.verify_report()
    assert (report.problems, report.notes, report.chains, report.rows) == ([], [], 3, 9)
    assert report.last_anchor is not None
    rows = await AuditEntry.select(AuditEntry.seal).distinct()
    assert rows == [{"seal": "hmac-sha256"}], "every new row is sealed with the key"


async def test_edited_row_is_detected(db):
    await some_log()
    await AuditEntry.update({AuditEntry.action: "logout"}).where(row_at(WARD, 2))
    row = await AuditEntry.select(AuditEntry.id).where(row_at(WARD, 2)).first()
    assert await chain.verify_all() == [f"Chuỗi '{WARD}': bản ghi số 2 (id {row['id']}) đã bị sửa."]


async def test_chain_recomputed_without_the_key_is_detected(db):
    """Rule: editing a row and recomputing the following hashes (plain SHA-256, the only thing possible
    without the audit key) does not pass verification."""
    await some_log()
    await AuditEntry.update({AuditEntry.object_id: "99"}).where(row_at(WARD, 3))
    await recompute_without_key(WARD)
    first = await AuditEntry.select(AuditEntry.id).where(row_at(WARD, 1)).first()
    assert await chain.verify_all() == [f"Chuỗi '{WARD}': bản ghi số 1 (id {first['id']}) đã bị sửa."]

    # Marking the rows as the old unkeyed kind does not help: no cutover anchor vouches for them.
    await recompute_without_key(WARD, mark_unkeyed=True)
    problems = await chain.verify_all()
    assert problems == [
        f"Chuỗi '{WARD}': bản ghi số 1 (id {first['id']}) không được khoá mà không có "
        "mốc chuyển đổi nào ghi nhận nó: chuỗi đã bị tính lại."
    ]


async def test_deleted_chain_is_caught_by_the_anchor(db):
    await some_log()
    await anchors.write_anchor()
    await AuditEntry.delete().where(AuditEntry.chain == TAX)
    await AuditHead.delete().where(AuditHead.chain == TAX)
    [problem] = await chain.verify_all()
    assert problem.startswith(f"Chuỗi '{TAX}': không còn bản ghi nào dù mốc neo lúc ")
    assert problem.endswith("đã ghi 2 bản ghi: cả chuỗi đã bị xoá.")
    assert await chain.verify(WARD) is None, "the other chains are intact"


async def test_truncated_tail_is_caught_by_the_anchor_even_with_a_consistent_head(db):
    await some_log()
    await anchors.write_anchor()
    await AuditEntry.delete().where((AuditEntry.chain == WARD) & (AuditEntry.seq > 3))
    third = await AuditEntry.select().where(row_at(WARD, 3)).first()
    await AuditHead.update({AuditHead.seq: 3, AuditHead.hash: third["hash"]}).where(AuditHead.chain == WARD)
    [problem] = await chain.verify_all()
    assert problem.startswith(f"Chuỗi '{WARD}': chỉ còn 3 bản ghi, ít hơn 5 bản ghi mà mốc neo lúc ")
    assert problem.endswith("phần cuối của chuỗi đã bị xoá.")


async def test_deleted_last_row_is_detected_from_the_head_without_anchor(db):
    await chain.append("a")
    await chain.append("b")
    await AuditEntry.delete().where(AuditEntry.seq == 2)
    assert await chain.verify("global") == "Chuỗi 'global': bản ghi cuối (số 2) đã bị xoá."


async def test_anchor_file_is_append_only_0600_chained_and_sealed(db):
    await some_log()
    await anchors.write_anchor()
    await chain.append("x", chain=WARD)
    await anchors.write_anchor()
    await anchors.write_anchor()
    path = anchors.anchor_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["chains"][WARD] == [5, first["chains"][WARD][1]] and first["rows"] == 8
    assert first["chain_count"] == 3 and json.loads(lines[1])["prev"] == first["mac"]
    assert await chain.verify_all() == []

    # Editing a line (e.g. lowering a count to hide a truncation) breaks its seal.
    edited = first | {"chains": {**first["chains"], WARD: [3, first["chains"][WARD][1]]}}
    path.write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n")
    assert await chain.verify_all() == [f"Tệp mốc neo {path}, dòng 1: đã bị sửa (mã xác thực sai)."]
    # Removing a line from the middle breaks the chain of lines.
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert await chain.verify_all() == [
        f"Tệp mốc neo {path}, dòng 2: không nối tiếp dòng trước (có dòng bị xoá hoặc chèn)."
    ]


async def test_anchor_under_another_key_is_reported_once(db, monkeypatch):
    await chain.append("a")
    await anchors.write_anchor()
    monkeypatch.setattr(chain, "audit_key", lambda: hashlib.sha256(b"rotated").digest())
    problems = await chain.verify_all()
    assert problems[0].endswith(
        "dòng 1: được ký bằng một khoá khác khoá kiểm toán hiện tại "
        "(MOTCUA_AUDIT_KEY hoặc MOTCUA_SECRET_KEY đã bị đổi?)."
    )


async def test_old_sealed_rows_without_any_anchor_are_a_problem(db, monkeypatch):
    """Deleting the anchor file is itself reported once the nightly anchor has had time to run."""
    await chain.append("a")
    await anchors.write_anchor()
    assert await chain.verify_all() == []
    anchors.anchor_path().unlink()
    assert await chain.verify_all() == [], "a new installation: the first anchor is not due yet"
    monkeypatch.setattr(chain, "ANCHOR_GRACE", timedelta(0))
    [problem] = await chain.verify_all()
    assert problem.startswith(f"Không có mốc neo nào trong {anchors.anchor_path()} dù nhật ký có bản ghi từ ")


async def _legacy_rows(c: str, n: int) -> None:
    """Rows as the log wrote them before sealing (plain SHA-256), then the migration's cutover anchor."""
    prev, at = chain.GENESIS, datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        h = plain_sha256(prev, c, seq, at, 1, "login", "user", str(seq), {})
        await AuditEntry.insert(
            AuditEntry(
                chain=c,
                seq=seq,
                at=at,
                actor_id=1,
                action="login",
                object_type="user",
                object_id=str(seq),
                data={},
                prev_hash=prev,
                hash=h,
                seal="sha256",
            )
        )
        prev = h
    await AuditHead.insert(AuditHead(chain=c, seq=n, hash=prev))


async def test_rows_from_before_sealing_verify_as_unkeyed_up_to_the_cutover_only(db):
    await _legacy_rows(WARD, 3)
    anchors.append_anchor({WARD: (3, (await AuditHead.select().first())["hash"])}, kind="cutover")
    await chain.append("after the upgrade", chain=WARD)
    report = await chain.verify_report()
    assert report.problems == []
    assert len(report.notes) == 1 and report.notes[0].startswith(f"Chuỗi '{WARD}': 3 bản ghi đầu ghi trước ")
    assert "không được khoá" in report.notes[0]

    # The unkeyed rows are pinned by the cutover anchor: recomputing them with SHA-256 is caught.
    await AuditEntry.update({AuditEntry.object_id: "99"}).where(AuditEntry.seq == 2)
    await recompute_without_key(WARD, mark_unkeyed=True)
    third = await AuditEntry.select(AuditEntry.id).where(AuditEntry.seq == 3).first()
    assert await chain.verify_all() == [
        f"Chuỗi '{WARD}': bản ghi số 3 (id {third['id']}) khác với mốc neo lúc "
        f"{chain.vn_time(anchors.read().lines[0]['at'])}: chuỗi đã bị thay."
    ]

    # An unkeyed row after the cutover is refused even when its hash is right.
    await AuditEntry.delete().where(AuditEntry.chain == WARD)
    await AuditHead.delete().where(AuditHead.chain == WARD)
    await _legacy_rows(WARD, 4)
    fourth = await AuditEntry.select(AuditEntry.id).where(AuditEntry.seq == 4).first()
    assert await chain.verify_all() == [
        f"Chuỗi '{WARD}': bản ghi số 4 (id {fourth['id']}) không được khoá dù ghi sau mốc chuyển đổi lúc "
        f"{chain.vn_time(anchors.read().lines[0]['at'])}: chuỗi đã bị tính lại."
    ]


async def test_nightly_anchor_job_is_scheduled_and_writes_an_anchor(db):
    from core.catalogue.registry import get_catalogue

    job = get_catalogue().jobs["audit_anchor"]
    assert job.cron == {"hour": 0, "minute": 15}
    await some_log()
    assert await job.func({}) == {"chains": 3, "rows": 8, "at": anchors.read().lines[-1]["at"]}


async def test_verify_reads_in_batches_across_chains(db, monkeypatch):
    """Verification reads rows a batch at a time (not one query per row); chains that straddle a batch
    boundary are checked the same."""
    for i in range(11):
        await chain.append("x", chain=WARD if i % 3 else TAX, object_id=i)
    monkeypatch.setattr(chain, "BATCH", 3)
    assert (await chain.verify_report()).rows == 11
    assert await chain.verify_all() == [] and await chain.verify(WARD) is None
    await AuditEntry.update({AuditEntry.object_id: "x"}).where(row_at(WARD, 6))
    row = await AuditEntry.select(AuditEntry.id).where(row_at(WARD, 6)).first()
    assert await chain.verify_all() == [f"Chuỗi '{WARD}': bản ghi số 6 (id {row['id']}) đã bị sửa."]


def test_audit_key_is_not_the_secret_key_and_survives_a_secret_key_rotation(monkeypatch):
    """The seal key is derived with its own label (never the CSRF key itself); setting MOTCUA_AUDIT_KEY to
    the old MOTCUA_SECRET_KEY keeps the same audit key when the secret key is rotated."""
    import dataclasses

    import core.settings

    settings = core.settings.get_settings()
    before = chain.audit_key()
    assert before != settings.secret_key.encode() and len(before) == 32
    rotated = dataclasses.replace(settings, secret_key="a-new-secret-key", audit_key=settings.secret_key)
    monkeypatch.setattr(core.settings, "get_settings", lambda: rotated)
    assert chain.audit_key() == before
    monkeypatch.setattr(core.settings, "get_settings", lambda: dataclasses.replace(rotated, audit_key=None))
    assert chain.audit_key() != before
