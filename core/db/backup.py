"""One archive holds everything a motcua installation keeps: ``motcua backup PATH`` / ``motcua restore PATH``.

The archive (``.tar.gz``) holds:

- ``database.sqlite`` (SQLite: an online copy through SQLite's backup API, consistent while the app
  runs) or ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``, one consistent snapshot);
- ``data/…``: the data folder — uploads and generated documents (``files/``), the secret key the
  CSRF tokens and (unless ``MOTCUA_AUDIT_KEY`` is set) the audit seal are derived from, the audit
  anchors, the chosen theme — without the live SQLite file;
- ``manifest.json``: when, from which engine and commit, the rows per table at the time of the dump,
  the applied migrations, and the SHA-256 and size of every other member.

The database is dumped before the files are read, so every file the dumped rows name is in the archive
(a file written later is extra, never missing). Restoring checks every hash first, refuses a target
that is not empty (a restore never merges into live data), loads the database, puts the files back and
compares the rows per table with the manifest. Point-in-time recovery for PostgreSQL (WAL archiving)
is described in ``docs/reliability.md``; this archive is the logical, portable copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.settings import Settings, get_settings, private_dir

__all__ = ("BackupError", "Manifest", "backup", "restore", "FORMAT")

FORMAT = 1
"""Version of the archive layout; ``restore`` refuses a newer one."""
MANIFEST = "manifest.json"
_SQLITE_MEMBER = "database.sqlite"
_PG_MEMBER = "database.pgdump"
_DATA_PREFIX = "data/"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Vietnamese) says why, for the operator."""


@dataclass
class Manifest:
    """What an archive holds (``manifest.json``)."""

    format: int
    created_at: str
    engine: str
    tables: dict[str, int]
    """Rows per table at the time of the dump."""
    migrations: list[str]
    files: dict[str, dict] = field(default_factory=dict)
    """Archive member → ``{"sha256": …, "size": …}`` (every member but the manifest)."""

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        return cls(
            **{k: data[k] for k in ("format", "created_at", "engine", "tables", "migrations", "files")}
        )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_database_file(path: Path, settings: Settings) -> bool:
    if settings.is_postgres:
        return False
    db = settings.sqlite_path.resolve()
    return path.resolve().parent == db.parent and path.name.startswith(db.name)


def _data_files(settings: Settings) -> Iterator[tuple[Path, str]]:
    """Every file of the data folder to keep, as (path, archive member), in a stable order."""
    root = settings.data_dir
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or path.is_symlink() or any(part.startswith(".") for part in rel.parts):
            continue  # temporary files are dot-files (written then renamed)
        if _is_database_file(path, settings):
            continue
        yield path, _DATA_PREFIX + rel.as_posix()


def _table_names() -> list[str]:
    from core.db.piccolo_conf import APP_REGISTRY

    return sorted(t._meta.tablename for app in APP_REGISTRY.app_configs.values() for t in app.table_classes)


def _sqlite_counts(path: Path) -> tuple[dict[str, int], list[str]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        ours = set(_table_names())
        counts = {
            n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]  # noqa: S608 - names from the schema
            for n in names
            if n in ours
        }
        migrations = []
        if "migration" in names:
            migrations = [
                f"{a}:{n}" for a, n in conn.execute("SELECT app_name, name FROM migration ORDER BY id")
            ]
        return counts, migrations
    finally:
        conn.close()


async def _pg_counts() -> tuple[dict[str, int], list[str]]:
    from core.db.tx import engine

    db = engine()
    existing = {
        r["tablename"]
        for r in await db._run_in_new_connection(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
    }
    counts = {}
    for name in _table_names():
        if name in existing:
            rows = await db._run_in_new_connection(f'SELECT COUNT(*) AS n FROM "{name}"')  # noqa: S608
            counts[name] = rows[0]["n"]
    migrations = []
    if "migration" in existing:
        rows = await db._run_in_new_connection("SELECT app_name, name FROM migration ORDER BY id")
        migrations = [f"{r['app_name']}:{r['name']}" for r in rows]
    return counts, migrations


def _pg_tool(*args: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(f"Không tìm thấy {args[0]} (gói postgresql-client) trên máy này.")
    done = subprocess.run([tool, *args[1:]], capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} báo lỗi: {done.stderr.strip()[:2000]}")


def _pg_url(settings: Settings) -> str:
    return settings.database_url.replace("postgres://", "postgresql://", 1)


async def backup(target: Path, *, settings: Settings | None = None) -> Manifest:
    """Write one archive of the database and the data folder to ``target`` (a new ``.tar.gz``).

    Raises:
        BackupError: the target exists, or the database could not be dumped.
    """
    settings = settings or get_settings()
    target = Path(target)
    if target.exists():
        raise BackupError(f"Tệp {target} đã có: chọn tên khác, bản sao lưu không ghi đè.")
    with tempfile.TemporaryDirectory(prefix="motcua-backup-") as tmp:
        work = Path(tmp)
        if settings.is_postgres:
            dump, member = work / _PG_MEMBER, _PG_MEMBER
            counts, migrations = await _pg_counts()
            _pg_tool(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={dump}",
                _pg_url(settings),
            )
        else:
            dump, member = work / _SQLITE_MEMBER, _SQLITE_MEMBER
            source = sqlite3.connect(settings.sqlite_path)
            copy = sqlite3.connect(dump)
            try:
                source.backup(copy)  # consistent even while the app writes
            finally:
                copy.close()
                source.close()
            counts, migrations = _sqlite_counts(dump)
        members: list[tuple[Path, str]] = [(dump, member), *_data_files(settings)]
        manifest = Manifest(
            format=FORMAT,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            engine="postgres" if settings.is_postgres else "sqlite",
            tables=counts,
            migrations=migrations,
            files={name: {"sha256": _sha256(path), "size": path.stat().st_size} for path, name in members},
        )
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)  # it holds personal data
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            body = manifest.to_json()
            info.size, info.mtime = len(body), int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            for path, name in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(partial, target)
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> Manifest:
    try:
        raw = tar.extractfile(MANIFEST)
    except KeyError:
        raw = None
    if raw is None:
        raise BackupError("Tệp này không phải bản sao lưu motcua (không có manifest.json).")
    manifest = Manifest.from_json(raw.read())
    if manifest.format > FORMAT:
        raise BackupError(
            f"Bản sao lưu định dạng {manifest.format} mới hơn phiên bản này đọc được ({FORMAT})."
        )
    return manifest


def _extract_checked(archive: Path, into: Path) -> Manifest:
    """Unpack ``archive`` into ``into`` after checking it: only the manifest's members, each with its hash."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            manifest = _read_manifest(tar)
            names = {m.name for m in tar.getmembers()} - {MANIFEST}
            if names != set(manifest.files):
                raise BackupError(
                    "Bản sao lưu không khớp manifest.json (thừa hoặc thiếu tệp): không phục hồi."
                )
            tar.extractall(into, members=[m for m in tar.getmembers() if m.name != MANIFEST], filter="data")
    except (OSError, tarfile.TarError, json.JSONDecodeError, TypeError, KeyError) as exc:
        raise BackupError(f"Không đọc được bản sao lưu {archive}: {exc}") from exc
    bad = [
        name
        for name, meta in manifest.files.items()
        if not (into / name).is_file() or _sha256(into / name) != meta["sha256"]
    ]
    if bad:
        raise BackupError(f"Bản sao lưu bị hỏng, mã băm không khớp: {', '.join(sorted(bad)[:5])}")
    return manifest


async def restore(archive: Path, *, settings: Settings | None = None) -> Manifest:
    """Load ``archive`` into this installation's empty database and data folder.

    Raises:
        BackupError: the archive is damaged or of another engine, or the target is not empty, or the
            restored rows differ from the manifest.
    """
    settings = settings or get_settings()
    with tempfile.TemporaryDirectory(prefix="motcua-restore-") as tmp:
        work = Path(tmp)
        manifest = _extract_checked(Path(archive), work)
        engine = "postgres" if settings.is_postgres else "sqlite"
        if manifest.engine != engine:
            raise BackupError(
                f"Bản sao lưu của {manifest.engine} không phục hồi được vào {engine}: "
                "cấu hình DATABASE_URL cùng loại cơ sở dữ liệu."
            )
        data = settings.data_dir
        clashing = [
            name
            for name in manifest.files
            if name.startswith(_DATA_PREFIX) and (data / name[len(_DATA_PREFIX) :]).exists()
        ]
        # A fresh data folder already holds a generated secret key: it is replaced by the archive's,
        # since the audit seal and the sessions were made with that one.
        clashing = [n for n in clashing if n != _DATA_PREFIX + "secret_key"]
        if clashing:
            raise BackupError(
                f"Thư mục dữ liệu {data} không trống ({clashing[0][len(_DATA_PREFIX) :]} đã có)."
            )
        if engine == "postgres":
            counts, _ = await _pg_counts()
            if counts:
                raise BackupError("Cơ sở dữ liệu đích không trống: phục hồi vào một cơ sở dữ liệu mới tạo.")
            _pg_tool(
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={_pg_url(settings)}",
                str(work / _PG_MEMBER),
            )
            counts, _ = await _pg_counts()
        else:
            db = settings.sqlite_path
            if db.exists() and _sqlite_counts(db)[0]:
                raise BackupError(
                    f"Cơ sở dữ liệu đích {db} không trống: phục hồi vào một thư mục dữ liệu mới."
                )
            private_dir(db.parent)
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{db}{suffix}").unlink()
            shutil.copyfile(work / _SQLITE_MEMBER, db)
            db.chmod(0o600)
            counts, _ = _sqlite_counts(db)
        for name in manifest.files:
            if not name.startswith(_DATA_PREFIX):
                continue
            dest = data / name[len(_DATA_PREFIX) :]
            private_dir(dest.parent)
            shutil.copyfile(work / name, dest)
            dest.chmod(0o600)
        if counts != manifest.tables:
            differ = sorted(
                t for t in set(counts) | set(manifest.tables) if counts.get(t) != manifest.tables.get(t)
            )
            raise BackupError(f"Số dòng sau phục hồi khác bản sao lưu ở các bảng: {', '.join(differ[:10])}")
    return manifest
