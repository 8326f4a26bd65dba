"""The ``motcua`` command against the test database (a separate process, as an operator runs it)."""

from __future__ import annotations

import os
import subprocess
import sys

from core.audit import chain
from core.audit.tables import AuditEntry


def motcua(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ}, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


async def test_audit_verify_exit_code_and_first_broken_row(db):
    for i in range(3):
        await chain.append("dossier.receive", chain="agency:000.30.31.H39", object_type="dossier", object_id=i)
    await chain.append("config.change", data={"k": "v"})
    ok = motcua("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "Chuỗi nhật ký kiểm toán toàn vẹn." in ok.stdout

    row = await AuditEntry.select().where(AuditEntry.seq == 2).where(
        AuditEntry.chain == "agency:000.30.31.H39").first()
    await AuditEntry.update({AuditEntry.data: {"sửa": True}}).where(AuditEntry.id == row["id"])
    bad = motcua("audit", "verify")
    assert bad.returncode == 1
    assert bad.stdout.strip() == f"Chuỗi 'agency:000.30.31.H39': bản ghi số 2 (id {row['id']}) đã bị sửa."


def test_worker_command_explains_it_needs_redis():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    r = subprocess.run([sys.executable, "-m", "core.cli", "worker", "--burst"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 1 and "REDIS_URL chưa được đặt" in r.stderr
