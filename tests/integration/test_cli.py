"""The ``motcua`` command against the test database (a separate process, as an operator runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from core.audit import chain
from core.audit.tables import AuditEntry


def motcua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )


async def test_audit_verify_exit_code_and_first_broken_row(db):
    for i in range(3):
        await chain.append(
            "dossier.receive", chain="agency:000.30.31.H39", object_type="dossier", object_id=i
        )
    await chain.append("config.change", data={"k": "v"})
    ok = motcua("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "Chuỗi nhật ký kiểm toán toàn vẹn." in ok.stdout

    row = (
        await AuditEntry.select()
        .where(AuditEntry.seq == 2)
        .where(AuditEntry.chain == "agency:000.30.31.H39")
        .first()
    )
    await AuditEntry.update({AuditEntry.data: {"sửa": True}}).where(AuditEntry.id == row["id"])
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert bad.stdout.strip() == f"Chuỗi 'agency:000.30.31.H39': bản ghi số 2 (id {row['id']}) đã bị sửa."


async def test_audit_anchor_then_verify_catches_a_deleted_chain(db):
    """Rule: a whole agency chain deleted from the database (entries and head) is caught by the anchor
    that ``motcua audit anchor`` wrote outside the database; exit code 1."""
    from core.audit.tables import AuditHead

    ward = "agency:000.30.31.H39"
    for i in range(3):
        await chain.append("dossier.receive", chain=ward, object_type="dossier", object_id=i)
    await chain.append("config.change", data={"k": "v"})
    anchored = motcua("audit", "anchor")
    assert anchored.returncode == 0, anchored.stderr
    assert anchored.stdout.startswith("Đã ghi mốc neo vào ") and "2 chuỗi, 4 bản ghi." in anchored.stdout
    assert "audit anchor: {" in anchored.stderr, "the anchor is also written to the log"
    ok = motcua("audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Chuỗi nhật ký kiểm toán toàn vẹn." in ok.stdout
    assert "2 chuỗi, 4 bản ghi; mốc neo gần nhất lúc" in ok.stdout

    await AuditEntry.delete().where(AuditEntry.chain == ward)
    await AuditHead.delete().where(AuditHead.chain == ward)
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert bad.stdout.startswith("Chuỗi 'agency:000.30.31.H39': không còn bản ghi nào dù mốc neo lúc ")
    assert "đã ghi 3 bản ghi: cả chuỗi đã bị xoá." in bad.stdout


def test_upgrade_keeps_unkeyed_rows_verifiable_and_pins_them_with_a_cutover_anchor(tmp_path):
    """An installed province has audit rows from before sealing: after ``motcua migrate`` they verify as
    unkeyed rows (reported as such), and recomputing them with SHA-256 is caught by the cutover anchor."""
    import sqlite3

    from tests.integration.test_audit_chain import plain_sha256

    up_to_before_sealing = (
        "import asyncio; from piccolo.apps.migrations.commands.forwards import run_forwards; "
        "r = asyncio.run(run_forwards(app_name='core', migration_id='2026-11-01T00:00:01:000000')); "
        "assert r.success, r.message"
    )
    before = subprocess.run(
        [sys.executable, "-c", up_to_before_sealing],
        capture_output=True,
        text=True,
        timeout=300,
        env=_fresh_env(tmp_path, PICCOLO_CONF="core.db.piccolo_conf"),
        cwd=ROOT,
    )
    assert before.returncode == 0, before.stderr[-3000:]

    def legacy_chain(conn, c: str, n: int, changed: int | None = None) -> None:
        prev, at = "0" * 64, datetime(2026, 11, 20, 3, 0, 0, 123456, tzinfo=UTC)
        for seq in range(1, n + 1):
            object_id = "sửa" if seq == changed else str(seq)
            h = plain_sha256(prev, c, seq, at, 1, "login", "user", object_id, {"ip": "10.0.0.1"})
            conn.execute(
                "INSERT OR REPLACE INTO audit_entry (id, chain, seq, at, actor_id, action, "
                "object_type, object_id, data, prev_hash, hash) VALUES ((SELECT id FROM audit_entry "
                "WHERE chain = ? AND seq = ?), ?, ?, ?, 1, 'login', 'user', ?, '{\"ip\":\"10.0.0.1\"}', "
                "?, ?)",
                (c, seq, c, seq, at.isoformat(sep=" "), object_id, prev, h),
            )
            prev = h
        conn.execute(
            "INSERT OR REPLACE INTO audit_head (id, chain, seq, hash) VALUES ((SELECT id FROM "
            "audit_head WHERE chain = ?), ?, ?, ?)",
            (c, c, n, prev),
        )

    with sqlite3.connect(tmp_path / "var" / "motcua.sqlite") as conn:
        legacy_chain(conn, "global", 3)
    migrated = fresh(tmp_path, "migrate")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    cutover = json.loads((tmp_path / "var" / "audit-anchors.jsonl").read_text().splitlines()[0])
    assert cutover["kind"] == "cutover" and cutover["chains"]["global"][0] == 3
    with sqlite3.connect(tmp_path / "var" / "motcua.sqlite") as conn:
        assert conn.execute("SELECT DISTINCT seal FROM audit_entry").fetchall() == [("sha256",)]
    ok = fresh(tmp_path, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Chuỗi 'global': 3 bản ghi đầu ghi trước" in ok.stdout and "không được khoá" in ok.stdout

    with sqlite3.connect(tmp_path / "var" / "motcua.sqlite") as conn:
        legacy_chain(conn, "global", 3, changed=2)  # edited, then recomputed as anyone can
    bad = fresh(tmp_path, "audit", "verify")
    assert bad.returncode == 1
    assert bad.stdout.startswith("Chuỗi 'global': bản ghi số 3 (id 3) khác với mốc neo lúc ")


def test_worker_command_explains_it_needs_redis():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    r = subprocess.run(
        [sys.executable, "-m", "core.cli", "worker", "--burst"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 1 and "REDIS_URL chưa được đặt" in r.stderr


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _fresh_env(tmp_path, **extra) -> dict:
    """An operator's environment on a new machine: nothing set but an empty data folder (SQLite)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MOTCUA_SECRET_KEY")}
    env["MOTCUA_DATA_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def fresh(tmp_path, *args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_fresh_env(tmp_path, **extra),
        cwd=ROOT,
    )


def _sqlite(tmp_path):
    import sqlite3

    return sqlite3.connect(tmp_path / "var" / "motcua.sqlite")


def test_migrate_creates_every_table_in_an_empty_sqlite_file_and_is_idempotent(tmp_path):
    from tests.conftest import _all_tables

    first = fresh(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "Đã cập nhật cơ sở dữ liệu." in first.stdout
    assert (tmp_path / "var" / "motcua.sqlite").is_file()  # default DATABASE_URL: a file in MOTCUA_DATA_DIR
    with _sqlite(tmp_path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        applied = conn.execute("SELECT COUNT(*) FROM migration").fetchone()[0]
    assert set(_all_tables()) <= tables
    again = fresh(tmp_path, "migrate")
    assert again.returncode == 0 and "No migrations need to be run" in again.stdout
    with _sqlite(tmp_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM migration").fetchone()[0] == applied


def test_createadmin_needs_a_province_then_creates_a_province_admin(tmp_path):
    r = fresh(tmp_path, "createadmin", "quantri", "--password", "MatKhau2026")
    assert r.returncode == 1 and "Chưa có cơ quan cấp tỉnh" in r.stderr and "motcua demo" in r.stderr
    with _sqlite(tmp_path) as conn:
        conn.execute(
            "INSERT INTO agency (code, name, short_name, level, province_code, address, phone, remote_area,"
            " work_sessions, active) VALUES ('000.00.00.H39', 'UBND tỉnh Đồng Nai', '', 'province', '75',"
            " '', '', 0, '[]', 1)"
        )
    weak = fresh(tmp_path, "createadmin", "quantri", "--password", "ngan")
    assert weak.returncode == 1 and "Mật khẩu phải có ít nhất 8 ký tự." in weak.stderr
    r = fresh(
        tmp_path, "createadmin", "QuanTri", "--full-name", "Lê Minh Quân", MOTCUA_ADMIN_PASSWORD="MatKhau2026"
    )  # password from the environment, username lower-cased
    assert r.returncode == 0, r.stderr
    assert "Đã tạo quản trị viên tỉnh 'QuanTri'." in r.stdout
    with _sqlite(tmp_path) as conn:
        user = conn.execute(
            "SELECT id, full_name, password_hash FROM motcua_user WHERE username = 'quantri'"
        ).fetchone()
        grants = conn.execute("SELECT role FROM role_grant WHERE user = ?", (user[0],)).fetchall()
    assert user[1] == "Lê Minh Quân" and user[2].startswith("$argon2id$")
    assert grants == [("province_admin",)]
    again = fresh(tmp_path, "createadmin", "quantri", "--password", "MatKhau2026")
    assert again.returncode == 1 and "Tên đăng nhập 'quantri' đã tồn tại." in again.stderr


def test_demo_twice_from_the_command_line(tmp_path):
    from core import demo

    first = fresh(tmp_path, "demo")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "docs/demo_accounts.md" in first.stdout and demo.DEMO_PASSWORD in first.stdout
    with _sqlite(tmp_path) as conn:
        counts = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in ("agency", "motcua_user", "role_grant", "procedure_activation")
        }
    second = fresh(tmp_path, "demo")
    assert second.returncode == 0, second.stderr[-3000:]
    with _sqlite(tmp_path) as conn:
        assert {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in counts} == counts
    assert counts["motcua_user"] == len(demo.DEMO_USERS)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_and_answers_on_the_given_host_and_port(tmp_path):
    import time
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_fresh_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = None
        for _ in range(600):  # wait for start-up (migrations first); not a timing assertion
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/thu-tuc", timeout=5) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, proc.stderr.read() if proc.poll() is not None else "server did not answer"
        assert '<html lang="vi">' in body and "Thủ tục hành chính" in body
        assert (tmp_path / "var" / "motcua.sqlite").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_worker_runs_the_queue_when_redis_is_set():
    """With ``REDIS_URL`` (the PostgreSQL + Redis run) ``motcua worker --burst`` drains the queue and exits 0."""
    import pytest

    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL not set: this run has no Redis (the suite's second run has one)")
    r = motcua("worker", "--burst")
    assert r.returncode == 0, r.stderr[-3000:]


def test_help_lists_every_command():
    r = subprocess.run(
        [sys.executable, "-m", "core.cli", "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    for command in ("serve", "migrate", "worker", "createadmin", "demo", "audit", "plugins"):
        assert command in r.stdout
