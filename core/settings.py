"""Settings read from the environment, once per process (see README for the variables)."""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = (
    "Settings",
    "get_settings",
    "private_dir",
    "private_file",
    "REPO_ROOT",
    "OidcSettings",
    "oidc_settings",
)

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
    rate_limits: str = ""
    """``MOTCUA_RATE_LIMITS``: requests one client address may make per period, per kind, over the
    defaults of ``core.identity.throttle.DEFAULT_RATE_LIMITS``:
    ``signin=30/60,register=10/3600,lookup=60/60,verify=60/60`` (count/seconds; any subset)."""
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
        rate_limits=os.environ.get("MOTCUA_RATE_LIMITS", ""),
    )


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """The national e-ID (VNeID) OpenID Connect provider citizens may sign in with."""

    issuer: str
    """``MOTCUA_OIDC_ISSUER``: the provider's issuer URL (its discovery document is read from
    ``<issuer>/.well-known/openid-configuration``)."""
    client_id: str
    """``MOTCUA_OIDC_CLIENT_ID``."""
    client_secret: str
    """``MOTCUA_OIDC_CLIENT_SECRET``."""
    scopes: str = "openid profile"
    """``MOTCUA_OIDC_SCOPES``: space-separated; ``openid`` is always asked for."""
    claims: tuple[tuple[str, str], ...] = (
        ("cccd", "cccd"),
        ("full_name", "name"),
        ("birth_date", "birthdate"),
    )
    """``MOTCUA_OIDC_CLAIMS``: which claim fills which field, ``cccd=…,full_name=…,birth_date=…``."""

    def claim(self, field: str) -> str:
        return dict(self.claims)[field]


OIDC_FIELDS = ("cccd", "full_name", "birth_date")


def _claim_map(raw: str) -> tuple[tuple[str, str], ...]:
    mapping = dict(OidcSettings.__dataclass_fields__["claims"].default)  # type: ignore[arg-type]
    for part in raw.split(","):
        field, _, claim = part.partition("=")
        field, claim = field.strip(), claim.strip()
        if not field and not claim:
            continue
        if field not in OIDC_FIELDS or not claim:
            raise ValueError(
                f"MOTCUA_OIDC_CLAIMS: '{part.strip()}' phải có dạng trường=claim, trường là một trong "
                f"{', '.join(OIDC_FIELDS)}."
            )
        mapping[field] = claim
    return tuple((f, mapping[f]) for f in OIDC_FIELDS)


def oidc_settings() -> OidcSettings | None:
    """The e-ID provider from the environment, or None when ``MOTCUA_OIDC_ISSUER`` is unset (local
    accounts only). Read on each call (cheap) so that a test or an operator's change needs no cache reset.

    Raises:
        ValueError: The issuer is set but the client id is missing, or the claim mapping is malformed.
    """
    issuer = os.environ.get("MOTCUA_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    client_id = os.environ.get("MOTCUA_OIDC_CLIENT_ID", "").strip()
    if not client_id:
        raise ValueError("MOTCUA_OIDC_ISSUER được đặt nhưng thiếu MOTCUA_OIDC_CLIENT_ID.")
    scopes = os.environ.get("MOTCUA_OIDC_SCOPES", "").split() or ["openid", "profile"]
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", ""),
        scopes=" ".join(scopes),
        claims=_claim_map(os.environ.get("MOTCUA_OIDC_CLAIMS", "")),
    )
