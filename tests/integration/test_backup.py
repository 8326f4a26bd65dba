"""``motcua backup PATH`` / ``motcua restore PATH``: one archive, restored into an empty installation with
the same rows, the same files and an audit chain that still verifies (issue 12, "faults survived").

Run as an operator runs them: separate processes, the restore against a new data folder and (on
PostgreSQL) a new, empty database."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from core.db import backup
from core.db.tx import engine
from core.jobs import runner
from core.settings import get_settings
from plugins.land import procedures
from tests.integration.test_dossier_attachments import PDF, _draft, _upload
from tests.plugins.land.test_routes_http import BUYER, TRANSFER_DATA, WARD, _create_submit_receive

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "dossier",
    "dossier_event",
    "attachment",
    "generated_document",
    "audit_entry",
    "outbox",
    "motcua_user",
)


def motcua(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env or {**os.environ},
        cwd=ROOT,
    )


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def _counts_here() -> dict[str, int]:
    db = engine()
    return {t: (await db._run_in_new_connection(f'SELECT COUNT(*) AS n FROM "{t}"'))[0]["n"] for t in TABLES}  # noqa: S608


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = urlparse(get_settings().database_url)
    conn = await asyncpg.connect(url._replace(path="/postgres").geturl())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_counts(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return {t: await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in TABLES}  # noqa: S608
    finally:
        await conn.close()


@pytest.fixture
async def target(tmp_path):
    """The environment of a new, empty installation: its own data folder and, on PostgreSQL, a new
    database (dropped afterwards)."""
    env = {**os.environ, "MOTCUA_DATA_DIR": str(tmp_path / "restored")}
    url = get_settings().database_url
    if get_settings().is_postgres:
        name = urlparse(url).path.lstrip("/") + "_restore"
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
        await _pg_admin(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlparse(url)._replace(path=f"/{name}").geturl()
    else:
        env.pop("DATABASE_URL", None)
    yield env
    if get_settings().is_postgres:
        await _pg_admin(
            f'DROP DATABASE IF EXISTS "{urlparse(env["DATABASE_URL"]).path.lstrip("/")}" WITH (FORCE)'
        )


def _rewrite(archive: Path, out_path: Path, change) -> Path:
    """A copy of ``archive`` whose members went through ``change(name, body) -> body``."""
    with tarfile.open(archive) as src, tarfile.open(out_path, "w:gz") as out:
        for member in src.getmembers():
            body = change(member.name, src.extractfile(member).read())
            member.size = len(body)
            out.addfile(member, io.BytesIO(body))
    return out_path


async def _refused(archive: Path, target_dir: Path) -> str:
    """Restore in this process into ``target_dir`` (same engine settings); the refusal's message."""
    settings = dataclasses.replace(get_settings(), data_dir=target_dir)
    with pytest.raises(backup.BackupError) as refused:
        await backup.restore(archive, settings=settings)
    return str(refused.value)


async def _damaged_and_foreign_archives_are_refused(archive: Path, tmp_path: Path, target_dir: Path) -> None:
    def flip_db_byte(name: str, body: bytes) -> bytes:
        return body[:-1] + bytes([body[-1] ^ 1]) if name.startswith("database.") else body

    def other_engine(name: str, body: bytes) -> bytes:
        if name != "manifest.json":
            return body
        manifest = json.loads(body)
        manifest["engine"] = "sqlite" if manifest["engine"] == "postgres" else "postgres"
        return json.dumps(manifest).encode()

    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz", flip_db_byte)
    assert "mã băm không khớp: database." in await _refused(tampered, target_dir)
    foreign = _rewrite(archive, tmp_path / "foreign.tar.gz", other_engine)
    assert "không phục hồi được vào" in await _refused(foreign, target_dir)
    not_ours = tmp_path / "other.tar.gz"
    with tarfile.open(not_ours, "w:gz") as out:
        out.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    assert "không phải bản sao lưu motcua" in await _refused(not_ours, target_dir)
    assert not target_dir.exists() or not any(target_dir.iterdir()), "nothing written before refusing"


async def test_backup_restores_into_an_empty_installation_with_rows_files_and_audit_chain(
    client, world, tmp_path, target
):
    a = world["actors"]
    draft = await _draft(client, a)
    slot = next(
        x["code"]
        for x in (await client.get(f"/api/v1/procedures/{procedures.TRANSFER}")).json()["documents"]
        if x.get("upload", True)
    )
    assert (await _upload(client, a, "buyer", draft, slot, "hop-dong.pdf", PDF)).status_code == 201
    await _create_submit_receive(client, a, "buyer", procedures.TRANSFER, WARD, BUYER, TRANSFER_DATA)
    await runner.run_pending_now()  # the receipt's PDF is rendered into the data folder
    before = await _counts_here()
    files_before = _files(get_settings().files_dir)
    assert before["dossier"] == 2 and before["attachment"] == 1 and before["generated_document"] >= 1
    assert len(files_before) >= 2, "the upload and at least one generated PDF"

    archive = tmp_path / "motcua-backup.tar.gz"
    made = motcua("backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"Đã sao lưu vào {archive}: ")
    assert oct(archive.stat().st_mode & 0o777) == "0o600", "the archive holds personal data"
    made_again = motcua("backup", str(archive))
    assert made_again.returncode == 1 and "không ghi đè" in made_again.stderr

    data_dir = Path(target["MOTCUA_DATA_DIR"])
    await _damaged_and_foreign_archives_are_refused(archive, tmp_path, data_dir)

    restored = motcua("restore", str(archive), env=target)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "Chuỗi nhật ký kiểm toán toàn vẹn" in restored.stdout
    # Every file is back under its name; the files the restored rows name have the rows' hashes (the
    # bytes of a file may differ from the snapshot above when a background job of an earlier test
    # rewrote it meanwhile: the archive holds what was there when it was made).
    restored_files = _files(data_dir / "files")
    assert set(files_before) <= set(restored_files)
    from core.documents.tables import GeneratedDocument
    from core.dossiers.tables import Attachment

    named = [*await Attachment.select(Attachment.path, Attachment.sha256)]
    named += await GeneratedDocument.select(GeneratedDocument.path, GeneratedDocument.sha256).where(
        GeneratedDocument.status == "ready"
    )
    assert len(named) >= 2
    for row in named:
        assert restored_files[row["path"]] == row["sha256"], row["path"]
    if get_settings().is_postgres:
        after = await _pg_counts(target["DATABASE_URL"])
    else:
        conn = sqlite3.connect(data_dir / "motcua.sqlite")
        after = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # noqa: S608
        conn.close()
    assert after == before
    verified = motcua("audit", "verify", env=target)
    assert verified.returncode == 0, verified.stdout

    # A restore never merges into live data.
    again = motcua("restore", str(archive), env=target)
    assert again.returncode == 1 and "không trống" in again.stderr
