"""Identity tables: agencies (a tree), users, role grants per agency, sessions, login attempts."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LazyTableReference,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

__all__ = ("Agency", "User", "RoleGrant", "SessionRow", "LoginAttempt", "LoginThrottle", "ApiToken")


class Agency(Table):
    """An agency or unit; ``parent`` makes the province → department/district → commune tree."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code = Varchar(length=32, unique=True)
    """Agency code in the QCVN 102 form (``000.00.01.H12``); used in dossier codes."""
    eid = Varchar(length=32, null=True, default=None)
    """Electronic identifier per QĐ 20/2020 (``H55.242``), when known."""
    name = Varchar(length=255)
    short_name = Varchar(length=120, default="")
    level = Varchar(length=16, index=True)
    """One of ``AGENCY_LEVELS``."""
    kind = Varchar(length=32, null=True, default=None)
    """For sector agencies: ``tax``, ``police``, ``treasury``, ``social_insurance``, ``post``,
    ``business_registry``, ``land_registry``; otherwise None."""
    parent: ForeignKey[Agency] = ForeignKey(
        references=LazyTableReference("Agency", module_path=__name__), null=True
    )
    province_code = Varchar(length=8, default="")
    """Two-digit province code of the national administrative-unit list (Đồng Nai ``75``)."""
    address = Varchar(length=255, default="")
    phone = Varchar(length=32, default="")
    remote_area = Boolean(default=False)
    """Commune in a mountainous, border, island or disadvantaged area (some procedures grant extra days)."""
    work_sessions = JSON(default=[["08:00", "12:00"], ["13:00", "17:00"]])
    active = Boolean(default=True)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)
    predecessor: ForeignKey[Agency] = ForeignKey(
        references=LazyTableReference("Agency", module_path=__name__), null=True
    )


class User(Table, tablename="motcua_user"):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    username = Varchar(length=64, unique=True)
    full_name = Varchar(length=255)
    cccd = Varchar(length=12, null=True, default=None, unique=True)
    """12-digit citizen ID number (căn cước công dân)."""
    birth_date = Date(null=True, default=None)
    """Date of birth as declared at registration (checked against the CCCD's century and year digits)."""
    sex = Varchar(length=8, default="")
    """``male`` / ``female`` as declared at registration (checked against the CCCD's fourth digit); ``""``
    for staff accounts."""
    phone = Varchar(length=20, default="")
    email = Varchar(length=255, default="")
    password_hash = Varchar(length=255)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    eid_subject = Varchar(length=255, null=True, default=None, unique=True)
    """The national e-ID provider's ``sub`` for this person, once they signed in with it."""
    eid_verified_at = Timestamptz(null=True, default=None)
    """When the CCCD, name and birth date were last filled from a verified e-ID token; set, those
    fields are read-only everywhere (``UserView.identity_verified``)."""
    must_change_password = Boolean(default=False)
    """Holds a one-time password set by an administrator: a new one is chosen before anything else."""


class RoleGrant(Table):
    """``user`` holds ``role`` at ``agency`` (citizens: at the province)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    user = ForeignKey(references=User, index=True)
    agency = ForeignKey(references=Agency, index=True)
    role = Varchar(length=32)
    granted_by = ForeignKey(references=User, null=True)
    granted_at = Timestamptz()


class SessionRow(Table, tablename="motcua_session"):
    """Server-side session store (Litestar ``Store`` backed by the database)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=128, unique=True)
    value = Text()
    expires_at = Timestamptz(null=True, default=None, index=True)


class LoginAttempt(Table):
    id: Serial  # Piccolo's implicit primary key, declared for the type checker
    username = Varchar(length=64, index=True)
    success = Boolean()
    ip = Varchar(length=64, default="")
    at = Timestamptz()


class LoginThrottle(Table):
    """A sign-in counter shared by every app process when there is no Redis (``core.identity.throttle``):
    failures per client address (``ip:…``) and per unknown username (``user:…``)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    key = Varchar(length=160, unique=True)
    hits = Integer(default=0)
    until = Timestamptz(index=True)
    """End of the counting window, or of the block once ``hits`` reached the limit; the row is dead after it."""


class ApiToken(Table):
    """A bearer token for the JSON API (integrations, scripts). Only its SHA-256 is stored."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    user = ForeignKey(references=User, index=True)
    name = Varchar(length=100)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked = Boolean(default=False)
    scope = Varchar(length=8, default="write")
    """``read`` (GET only) or ``write`` (every method); tokens issued before scopes existed are ``write``."""
    expires_at = Timestamptz(null=True, default=None)
    """After this moment the token is refused; None: it never expires (only the old command line's)."""
