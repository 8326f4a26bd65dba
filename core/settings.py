"""Settings read from the environment, once per process (see README for the variables)."""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ("Settings", "get_settings", "private_dir", "private_file", "REPO_ROOT")

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    """Runtime configuration of one motcua process."""

    data_dir: Path
    """Where the SQLite file, uploads and generated PDFs live (``MOTCUA_DATA_DIR``, default ``./var``)."""
    database_url: str
    """``DATABASE_URL``: ``sqlite:///path`` (default, in the data folder) or ``postgres://…``."""
    redis_url: str | None
    """``REDIS_URL``; unset means background jobs run in-process."""
    secret_key: str
    """``MOTCUA_SECRET_KEY``: signs CSRF tokens. Generated and kept in the data folder when unset."""
    theme: str
    """``MOTCUA_THEME``: folder name under ``themes/`` (default ``default``)."""
    base_url: str
    """``MOTCUA_BASE_URL``: public address used in QR codes and notifications."""
    debug: bool = False
    """``MOTCUA_DEBUG=1`` shows tracebacks (never in production)."""
    db_pool: bool = True
    """``MOTCUA_DB_POOL=0`` opens a PostgreSQL connection per query instead of a pool (tests, where
    each test runs its own event loop and a pool cannot cross loops)."""
    audit_key: str | None = None
    """``MOTCUA_AUDIT_KEY``: seals the audit log (see ``core.audit.chain.audit_key``); unset, the seal
    key is derived from ``secret_key``. Never stored in the database."""

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by the owner only (0700); an existing folder is
    left as the operator set it."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # whatever the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty, or tighten it, to owner read/write only (0600): the SQLite file holds
    personal data (SQLite gives its -wal and -shm files the same mode)."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    return path


def _secret_key(data_dir: Path) -> str:
    if key := os.environ.get("MOTCUA_SECRET_KEY"):
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    private_dir(data_dir)
    key = secrets.token_urlsafe(48)
    private_file(key_file).write_text(key)
    return key


@functools.cache
def get_settings() -> Settings:
    """Build the settings from the environment; cached for the life of the process."""
    data_dir = private_dir(Path(os.environ.get("MOTCUA_DATA_DIR", "./var")).resolve())
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'motcua.sqlite'}"
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=_secret_key(data_dir),
        theme=os.environ.get("MOTCUA_THEME", "default"),
        base_url=os.environ.get("MOTCUA_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        debug=os.environ.get("MOTCUA_DEBUG") == "1",
        db_pool=os.environ.get("MOTCUA_DB_POOL", "1") != "0",
        audit_key=os.environ.get("MOTCUA_AUDIT_KEY") or None,
    )
