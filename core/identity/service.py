"""Identity services: sign-in with lockout, citizen registration, administrators, role grants.

Every login (successful or not), lockout and permission change is written to the audit log.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from piccolo.columns import Column

from core.audit import chain as audit
from core.contract.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unavailable
from core.contract.specs import AGENCY_LEVELS, ROLES
from core.contract.views import UserView
from core.contract.vntime import VN_TZ
from core.db.tx import is_unique_violation, write_tx
from core.identity import throttle
from core.identity.agencies import (
    AGENCY_KINDS,
    MAX_NAME,
    AgencyDirectory,
    agency_code_error,
    agency_directory,
    ancestor_at_level,
    ancestors,
    by_code,
    children,
    eid_error,
    parent_level_error,
    parse_work_sessions,
    sector,
    work_sessions_error,
)
from core.identity.cccd import SEX_LABELS, normalise_cccd, validate_cccd
from core.identity.current import load_user
from core.identity.tables import Agency, LoginAttempt, RoleGrant, User
from core.text.i18n import gettext

__all__ = (
    "MAX_FAILURES",
    "LOCK_MINUTES",
    "TooManyAttempts",
    "Registration",
    "authenticate",
    "register_citizen",
    "create_province_admin",
    "grant_role",
    "revoke_role",
    "can_manage",
    "manageable_roles",
    "hash_password",
    "verify_password",
    "AgencyDirectory",
    "agency_directory",
    "children",
    "ancestors",
    "ancestor_at_level",
    "sector",
    "by_code",
    "province_root",
    "add_agency",
    "update_agency",
    "clean_text",
)

MAX_FAILURES = 5
"""Consecutive failed passwords that lock an account."""
LOCK_MINUTES = 15
"""How long a locked account stays locked."""
UNKNOWN_WINDOW = timedelta(hours=24)
"""How long failures on an unknown username are remembered (towards the same lock as a real account)."""
CLIENT_MAX_FAILURES = 30
"""Failed sign-ins one client address may make per ``CLIENT_WINDOW`` (any usernames) before a pause."""
CLIENT_WINDOW = timedelta(minutes=15)
VN = VN_TZ
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("motcua-timing-equaliser")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_PHONE = re.compile(r"^0[1-9]\d{8}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STAFF_ROLES = frozenset(ROLES) - {"citizen"}
LEVELS = AGENCY_LEVELS


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 ``password_hash``."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _now() -> datetime:
    return datetime.now(UTC)


def _local(t: datetime) -> str:
    return t.astimezone(VN).strftime("%H:%M ngày %d/%m/%Y")


def _user_chain(user_id: int | None) -> str:
    # One chain per account: logins of different people never wait on each other's chain head.
    return f"user:{user_id}" if user_id else "login:unknown"


async def _agency_chain(agency_id: int) -> str:
    row = await Agency.select(Agency.code).where(Agency.id == agency_id).first()
    if row is None:
        raise NotFound(f"Không có cơ quan mã số {agency_id}.")
    return f"agency:{row['code']}"


class TooManyAttempts(InvalidInput):
    """Sign-in refused for a while because one client sent too many failed attempts."""

    status_code = 429


def _locked_message(until: datetime) -> str:
    return gettext(
        "The account is locked after %(n)s wrong passwords in a row. Please try again after %(until)s.",
        n=MAX_FAILURES,
        until=_local(until),
    )


def _client_message(until: datetime) -> str:
    return gettext(
        "Too many failed sign-ins from your network address. Please try again after %(until)s.",
        until=_local(until),
    )


async def _refuse(username: str, ip: str, now: datetime, user_id: int | None, reason: str) -> None:
    async with write_tx():
        await LoginAttempt.insert(LoginAttempt(username=username[:64], success=False, ip=ip[:64], at=now))
        await audit.append(
            "login_failed",
            chain=_user_chain(user_id),
            object_type="user",
            object_id=user_id or username[:64],
            data={"ip": ip, "reason": reason},
        )


async def _lock_of(user: dict | None, username: str, now: datetime) -> datetime | None:
    """When the account (or the unknown name: the same answer) is locked, the lock's end."""
    if user is not None:
        until = user["locked_until"]
        return until if until is not None and until > now else None
    state = await throttle.peek(f"user:{username}")
    return state.until if state is not None and state.blocked(MAX_FAILURES, now) else None


async def _record_failure(user: dict | None, username: str, ip: str, now: datetime) -> datetime | None:
    """Count a failed attempt atomically; returns the lock end when the account is (now) locked.

    A real account counts in its row (``failed_logins = failed_logins + 1``, one statement, so N
    concurrent failures count N on both engines); an unknown name counts in the shared throttle
    store with the same limit and lock, so both give the same answers.
    """
    await throttle.hit(f"ip:{ip}", limit=CLIENT_MAX_FAILURES, window=CLIENT_WINDOW, block=CLIENT_WINDOW)
    if user is None:
        state = await throttle.hit(
            f"user:{username}",
            limit=MAX_FAILURES,
            window=UNKNOWN_WINDOW,
            block=timedelta(minutes=LOCK_MINUTES),
        )
        locked_until = state.until if state.blocked(MAX_FAILURES, now) else None
        async with write_tx():
            await LoginAttempt.insert(LoginAttempt(username=username[:64], success=False, ip=ip[:64], at=now))
            await audit.append(
                "login_failed",
                chain=_user_chain(None),
                object_type="user",
                object_id=username[:64],
                data={"ip": ip, "reason": "unknown_user"},
            )
        return locked_until
    async with write_tx():
        await LoginAttempt.insert(LoginAttempt(username=username[:64], success=False, ip=ip[:64], at=now))
        not_locked = (User.locked_until.is_null()) | (User.locked_until <= now)
        rows = (
            await User.update({User.failed_logins: User.failed_logins + 1})
            .where((User.id == user["id"]) & not_locked)
            .returning(User.failed_logins)
        )
        if not rows:  # a concurrent attempt locked it meanwhile
            row = await User.select(User.locked_until).where(User.id == user["id"]).first()
            return (
                row["locked_until"] if row and row["locked_until"] else now + timedelta(minutes=LOCK_MINUTES)
            )
        failures = rows[0]["failed_logins"]
        locked_until = None
        if failures >= MAX_FAILURES:
            locked_until = now + timedelta(minutes=LOCK_MINUTES)
            await User.update({User.failed_logins: 0, User.locked_until: locked_until}).where(
                User.id == user["id"]
            )
        await audit.append(
            "login_failed",
            chain=_user_chain(user["id"]),
            object_type="user",
            object_id=user["id"],
            data={"ip": ip, "failures": failures},
        )
        if locked_until is not None:
            await audit.append(
                "locked",
                chain=_user_chain(user["id"]),
                object_type="user",
                object_id=user["id"],
                data={"ip": ip, "until": locked_until.isoformat()},
            )
    return locked_until


async def authenticate(username: str, password: str, ip: str = "") -> UserView:
    """Check a username and password; count failures and lock after ``MAX_FAILURES``.

    An unknown (or inactive) username gets exactly the answers a real one would, lock included.
    One client address gets at most ``CLIENT_MAX_FAILURES`` failures per ``CLIENT_WINDOW``.

    Args:
        username: As typed (case and surrounding spaces ignored).
        password: The clear password.
        ip: The client address, kept with the attempt and counted.

    Returns:
        The signed-in user's view.

    Raises:
        InvalidInput: With a Vietnamese message at ``password`` (wrong credentials) or ``username``
            (account locked, with the unlock time).
        TooManyAttempts: Too many failures from this client address (no field; with the time).
    """
    username = clean_text(username).strip().lower()[:64]
    ip = clean_text(ip)
    now = _now()
    if not username or not password:
        errors = []
        if not username:
            errors.append(("username", gettext("Please enter your user name.")))
        if not password:
            errors.append(("password", gettext("Please enter your password.")))
        raise InvalidInput(errors[0][1], errors)
    client = await throttle.peek(f"ip:{ip}")
    if client is not None and client.blocked(CLIENT_MAX_FAILURES, now):
        await _refuse(username, ip, now, None, "client_limit")
        msg = _client_message(client.until)
        raise TooManyAttempts(msg, [("", msg)])
    user = (
        await User.select(User.id, User.password_hash, User.failed_logins, User.locked_until, User.active)
        .where(User.username == username)
        .first()
    )
    if user is not None and not user["active"]:
        user = None
    if (until := await _lock_of(user, username, now)) is not None:
        await _refuse(username, ip, now, user["id"] if user else None, "locked")
        msg = _locked_message(until)
        raise InvalidInput(msg, [("username", msg)])
    try:
        _HASHER.verify(user["password_hash"] if user else _DUMMY_HASH, password)
        ok = user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        locked_until = await _record_failure(user, username, ip, now)
        msg = (
            _locked_message(locked_until)
            if locked_until
            else gettext(
                "Wrong user name or password. After 5 wrong attempts in a row, the account is locked "
                "for 15 minutes."
            )
        )
        raise InvalidInput(msg, [("username" if locked_until else "password", msg)])
    async with write_tx():
        await LoginAttempt.insert(LoginAttempt(username=username, success=True, ip=ip[:64], at=now))
        changes: dict[Column | str, Any] = {User.failed_logins: 0, User.locked_until: None}
        if _HASHER.check_needs_rehash(user["password_hash"]):
            changes[User.password_hash] = hash_password(password)
        await User.update(changes).where(User.id == user["id"])
        await audit.append(
            "login",
            chain=_user_chain(user["id"]),
            actor_id=user["id"],
            object_type="user",
            object_id=user["id"],
            data={"ip": ip},
        )
    view = await load_user(user["id"])
    if view is None:  # the row was read above, in this transaction
        raise RuntimeError(f"user {user['id']} vanished while signing in")
    return view


async def record_logout(user_id: int, ip: str = "") -> None:
    """Audit a sign-out."""
    await audit.append(
        "logout",
        chain=_user_chain(user_id),
        actor_id=user_id,
        object_type="user",
        object_id=user_id,
        data={"ip": ip},
    )


@dataclass(frozen=True, slots=True)
class Registration:
    """What a citizen types to open an account (raw; checked by ``register_citizen``)."""

    full_name: str
    cccd: str
    phone: str
    email: str
    username: str
    password: str
    password_confirm: str
    birth_date: str = ""
    """As typed: ``dd/mm/yyyy`` or ``yyyy-mm-dd`` (the browser's date picker)."""
    sex: str = ""
    """``male`` or ``female``."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None) -> str:
    """``text`` without control characters (a NUL byte cannot even be stored by PostgreSQL); forged
    input, never typed, so it is dropped rather than reported."""
    return _CONTROL.sub("", text or "")


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", clean_text(text)).split())


def _check_password(
    password: str, confirm: str | None, errors: list[tuple[str, str]], field: str = "password"
):
    if len(password) < 8:
        errors.append((field, gettext("The password must have at least 8 characters.")))
    elif not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        errors.append((field, gettext("The password must have both letters and digits.")))
    if confirm is not None and confirm != password:
        errors.append(("password_confirm", gettext("The two passwords do not match.")))


def _today():
    return _now().astimezone(VN).date()


def _check_birth_date(raw: str, errors: list[tuple[str, str]]):
    """The declared date of birth, or None with a message at ``birth_date``."""
    from core.text.formats import parse_date

    text = (raw or "").strip()
    if not text:
        errors.append(
            (
                "birth_date",
                gettext("Please enter your date of birth (day/month/year, for example 25/03/1990)."),
            )
        )
        return None
    try:
        born = parse_date(text)
    except ValueError:
        errors.append(
            (
                "birth_date",
                gettext(
                    'The date of birth "%(text)s" is not a real date; write it as day/month/year, '
                    "for example 25/03/1990.",
                    text=text[:20],
                ),
            )
        )
        return None
    if born > _today():
        errors.append(("birth_date", gettext("The date of birth cannot be after today.")))
        return None
    if born.year < 1900:
        errors.append(("birth_date", gettext("The year of birth must be 1900 or later.")))
        return None
    return born


def _check_registration(r: Registration) -> tuple[dict, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    clean = {
        "full_name": _nfc(r.full_name),
        "cccd": normalise_cccd(clean_text(r.cccd)),
        "phone": re.sub(r"[\s.]", "", clean_text(r.phone)),
        "email": clean_text(r.email).strip().lower(),
        "username": clean_text(r.username).strip().lower(),
    }
    birth_date = _check_birth_date(r.birth_date, errors)
    clean["birth_date"] = birth_date
    clean["sex"] = r.sex if r.sex in SEX_LABELS else ""
    if not clean["sex"]:
        errors.append(("sex", gettext("Please choose your sex (male or female) as on your identity card.")))
    if not clean["full_name"]:
        errors.append(("full_name", gettext("Please enter your full name.")))
    elif len(clean["full_name"]) > 100 or any(ch.isdigit() for ch in clean["full_name"]):
        errors.append(
            ("full_name", gettext("A full name has only letters and spaces, at most 100 characters."))
        )
    if cccd_error := validate_cccd(clean["cccd"], birth_date, sex=clean["sex"] or None, today=_today()):
        errors.append(("cccd", cccd_error))
    if clean["phone"].startswith("+84"):
        clean["phone"] = "0" + clean["phone"][3:]
    if not clean["phone"]:
        errors.append(("phone", gettext("Please enter your phone number.")))
    elif not _PHONE.match(clean["phone"]):
        errors.append(
            ("phone", gettext("A phone number has 10 digits and starts with 0, for example 0912345678."))
        )
    if clean["email"] and not _EMAIL.match(clean["email"]):
        errors.append(
            ("email", gettext("The e-mail address is not well formed, for example ten@example.vn."))
        )
    if not clean["username"]:
        errors.append(("username", gettext("Please choose a user name.")))
    elif not _USERNAME.match(clean["username"]):
        errors.append(
            (
                "username",
                gettext(
                    "A user name has 3–64 characters: lower-case letters without accents, digits, dots, "
                    "hyphens or underscores."
                ),
            )
        )
    _check_password(r.password or "", r.password_confirm or "", errors)
    return clean, errors


async def province_root() -> dict:
    """The province agency (the root of the tree), where citizens hold their role."""
    row = (
        await Agency.select(Agency.id, Agency.code, Agency.name)
        .where((Agency.level == "province") & (Agency.active.eq(True)))
        .order_by(Agency.id)
        .first()
    )
    if row is None:
        raise Unavailable(
            "Chưa có cơ quan cấp tỉnh trong hệ thống: quản trị viên cần nạp danh mục cơ quan trước."
        )
    return row


async def _owners(clean: dict) -> list[dict]:
    """Existing accounts holding the CCCD or e-mail just typed, each with the ``fields`` that matched."""
    cond = None
    if clean["cccd"]:
        cond = User.cccd == clean["cccd"]
    if clean["email"]:
        cond = (User.email == clean["email"]) if cond is None else cond | (User.email == clean["email"])
    if cond is None:
        return []
    owners = []
    for row in await User.select(User.id, User.username, User.full_name, User.cccd, User.email).where(cond):
        fields = [f for f in ("cccd", "email") if clean[f] and row[f] == clean[f]]
        owners.append({**row, "fields": fields})
    return owners


async def _account_event(event: dict) -> None:
    """Tell the plugins (core's notify among them) about an account event, inside the caller's transaction."""
    from core.plugins import await_me_maybe, get_plugin_manager

    for result in get_plugin_manager().hook.on_account_event(event=event):
        await await_me_maybe(result)


async def register_citizen(reg: Registration, ip: str = "") -> int | None:
    """Open a citizen account (role ``citizen`` at the province).

    The visitor is never told that a CCCD or e-mail already belongs to an account (no enumeration):
    then no account is opened, the owner is told (``on_account_event`` ``registration_duplicate``,
    mailed by notify) and the caller shows the same outcome as for a new account.

    Returns:
        The new user's id, or None when the CCCD or e-mail belongs to an existing account.

    Raises:
        InvalidInput: Field errors (``full_name``, ``birth_date``, ``sex``, ``cccd``, ``phone``, ``email``,
            ``username`` (also when taken: the visitor must choose another), ``password``,
            ``password_confirm``), all at once, in Vietnamese.
    """
    clean, errors = _check_registration(reg)
    if errors:
        raise InvalidInput(errors[0][1], errors)
    root = await province_root()
    password_hash = hash_password(reg.password)
    try:
        return await _register_once(clean, root, password_hash, ip)
    except Exception as exc:
        if not is_unique_violation(exc):
            raise
        # Another registration with the same username, CCCD or e-mail committed between our check and our
        # insert (PostgreSQL, read committed): run once more; the check now sees it and answers by the rules.
        return await _register_once(clean, root, password_hash, ip)


async def _register_once(clean: dict, root: dict, password_hash: str, ip: str) -> int | None:
    now = _now()
    async with write_tx():
        if await User.exists().where(User.username == clean["username"]):
            msg = gettext("This user name is taken; please choose another.")
            raise InvalidInput(msg, [("username", msg)])
        if owners := await _owners(clean):
            for owner in owners:
                await audit.append(
                    "registration_duplicate",
                    chain=_user_chain(owner["id"]),
                    object_type="user",
                    object_id=owner["id"],
                    data={"ip": ip, "fields": owner["fields"]},
                )
                await _account_event(
                    {
                        "action": "registration_duplicate",
                        "user_id": owner["id"],
                        "username": owner["username"],
                        "full_name": owner["full_name"],
                        "email": owner["email"],
                        "fields": owner["fields"],
                        "ip": ip,
                        "at": now,
                        "agency_name": root["name"],
                    }
                )
            return None
        user = User(
            username=clean["username"],
            full_name=clean["full_name"],
            cccd=clean["cccd"],
            phone=clean["phone"],
            email=clean["email"],
            birth_date=clean["birth_date"],
            sex=clean["sex"],
            password_hash=password_hash,
            created_at=now,
        )
        await user.save()
        await RoleGrant(user=user.id, agency=root["id"], role="citizen", granted_at=now).save()
        await audit.append(
            "user_registered",
            chain=_user_chain(user.id),
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            data={"ip": ip, "username": clean["username"]},
        )
        await audit.append(
            "role_granted",
            chain=f"agency:{root['code']}",
            actor_id=user.id,
            object_type="user",
            object_id=user.id,
            data={"role": "citizen", "agency_id": root["id"]},
        )
        await _account_event(
            {
                "action": "registered",
                "user_id": user.id,
                "username": clean["username"],
                "full_name": clean["full_name"],
                "email": clean["email"],
                "fields": [],
                "ip": ip,
                "at": now,
                "agency_name": root["name"],
            }
        )
    return user.id


async def create_user(
    username: str,
    full_name: str,
    password: str,
    *,
    cccd: str | None = None,
    phone: str = "",
    email: str = "",
    password_hash: str | None = None,
) -> int:
    """Create a staff (or demo) account without grants; raises ``ValueError`` when the username is taken.

    ``password_hash``: an argon2 hash of ``password`` made once by the caller (the demo loader hashes its
    one shared password once instead of once per account: argon2 costs ~0.1–0.4 s a hash)."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValueError(
            f"Tên đăng nhập '{username}' không hợp lệ (3–64 ký tự: chữ thường không dấu, số, . _ -)."
        )
    errors: list[tuple[str, str]] = []
    _check_password(password, None, errors)
    if cccd is not None:
        cccd = normalise_cccd(cccd)
        if cccd_error := validate_cccd(cccd, today=_today()):  # the same check as self-registration
            errors.append(("cccd", cccd_error))
    if errors:
        raise ValueError(errors[0][1])
    if await User.exists().where(User.username == username):
        raise ValueError(f"Tên đăng nhập '{username}' đã tồn tại.")
    user = User(
        username=username,
        full_name=_nfc(full_name),
        cccd=cccd,
        phone=phone,
        email=email,
        password_hash=password_hash or hash_password(password),
        created_at=_now(),
    )
    await user.save()
    return user.id


async def create_province_admin(username: str, full_name: str, password: str) -> int:
    """Create a province administrator (``motcua createadmin``); ``ValueError`` with a Vietnamese message."""
    try:
        root = await province_root()
    except Unavailable as exc:
        raise ValueError(exc.message + " (chạy `motcua demo` để nạp tỉnh mẫu)") from exc
    async with write_tx():
        user_id = await create_user(username, full_name, password)
        await _insert_grant(None, user_id, root["id"], "province_admin", f"agency:{root['code']}")
    return user_id


def manageable_roles(actor: UserView, agency_id: int) -> tuple[str, ...]:
    """Roles ``actor`` may grant or revoke at ``agency_id``: all for a province admin; staff roles of
    their own agency for an agency admin; nothing otherwise."""
    if actor.has_role("province_admin"):
        return ROLES
    if actor.has_role("agency_admin", agency_id):
        return tuple(r for r in ROLES if r not in ("citizen", "province_admin"))
    return ()


def can_manage(actor: UserView, agency_id: int, role: str | None = None) -> bool:
    roles = manageable_roles(actor, agency_id)
    return bool(roles) if role is None else role in roles


async def _insert_grant(actor_id: int | None, user_id: int, agency_id: int, role: str, chain: str) -> int:
    row = RoleGrant(user=user_id, agency=agency_id, role=role, granted_by=actor_id, granted_at=_now())
    await row.save()
    await audit.append(
        "role_granted",
        chain=chain,
        actor_id=actor_id,
        object_type="user",
        object_id=user_id,
        data={"role": role, "agency_id": agency_id, "grant_id": row.id},
    )
    return row.id


async def grant_role(actor: UserView | None, user_id: int, agency_id: int, role: str) -> int:
    """Grant ``role`` at ``agency_id`` to ``user_id`` (audited on the agency's chain).

    Args:
        actor: Who grants; None only for system set-up (CLI, demo).

    Returns:
        The grant id.

    Raises:
        InvalidInput: Unknown role. NotAllowed: ``actor`` may not grant it there.
        NotFound: No such user or agency. Conflict: The user already holds it.
    """
    if role not in ROLES:
        raise InvalidInput(f"Vai trò '{role}' không tồn tại.", [("role", f"Vai trò '{role}' không tồn tại.")])
    if actor is not None and not can_manage(actor, agency_id, role):
        raise NotAllowed("Bạn không có quyền cấp vai trò này tại cơ quan này.")
    chain = await _agency_chain(agency_id)
    if not await User.exists().where(User.id == user_id):
        raise NotFound(f"Không có người dùng mã số {user_id}.")
    async with write_tx():
        if await RoleGrant.exists().where(
            (RoleGrant.user == user_id) & (RoleGrant.agency == agency_id) & (RoleGrant.role == role)
        ):
            raise Conflict("Người dùng đã có vai trò này tại cơ quan này.")
        return await _insert_grant(actor.id if actor else None, user_id, agency_id, role, chain)


async def revoke_role(actor: UserView | None, grant_id: int) -> None:
    """Withdraw one grant (audited on the agency's chain; the grant row is deleted, the log keeps it)."""
    row = await RoleGrant.select().where(RoleGrant.id == grant_id).first()
    if row is None:
        raise NotFound("Không tìm thấy quyền cần thu hồi (có thể đã được thu hồi).")
    if actor is not None and not can_manage(actor, row["agency"], row["role"]):
        raise NotAllowed("Bạn không có quyền thu hồi vai trò này tại cơ quan này.")
    if actor is not None and actor.id == row["user"] and row["role"] in ("province_admin", "agency_admin"):
        raise NotAllowed("Không thể tự thu hồi quyền quản trị của chính mình.")
    chain = await _agency_chain(row["agency"])
    async with write_tx():
        await RoleGrant.delete().where(RoleGrant.id == grant_id)
        await audit.append(
            "role_revoked",
            chain=chain,
            actor_id=actor.id if actor else None,
            object_type="user",
            object_id=row["user"],
            data={"role": row["role"], "agency_id": row["agency"], "grant_id": grant_id},
        )


async def add_agency(
    actor: UserView | None,
    *,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    kind: str | None = None,
    eid: str | None = None,
    remote_area: bool = False,
    province_code: str = "",
    work_sessions: str | None = None,
) -> int:
    """Add an agency to the tree (audited on its chain).

    The tree may be two-tier (province → departments, communes) or three-tier (province → district-level
    units → communes); ``PARENT_LEVELS`` says which parent each level may have.

    Args:
        actor: A province administrator; None only for system set-up (CLI, demo).
        code: QCVN 102 code (``000.30.31.H39``). eid: QĐ 20/2020 identifier (``H39.031``), optional.
        parent_code: The parent's code; None for a province (a root).
        kind: One of ``AGENCY_KINDS`` (required for a sector agency). province_code: two digits, for a root.
        work_sessions: ``"08:00-12:00, 13:00-17:00"``; None keeps the default sessions.

    Returns:
        The new agency's id.

    Raises:
        InvalidInput: Field errors (``code``, ``eid``, ``name``, ``level``, ``parent_code``) in Vietnamese.
        NotAllowed: ``actor`` is not a province administrator.
    """
    if actor is not None and not actor.has_role("province_admin"):
        raise NotAllowed("Chỉ quản trị viên cấp tỉnh được thêm cơ quan.")
    code, eid, name = clean_text(code).strip(), clean_text(eid).strip() or None, _nfc(name)
    kind, province_code = clean_text(kind).strip() or None, clean_text(province_code).strip()
    parent_code = clean_text(parent_code).strip() or None
    errors: list[tuple[str, str]] = []
    if msg := agency_code_error(code):
        errors.append(("code", msg))
    if msg := eid_error(eid):
        errors.append(("eid", msg))
    errors += _name_errors(name)
    if kind is not None and kind not in AGENCY_KINDS:
        errors.append(("kind", "Vui lòng chọn ngành trong danh sách."))
    elif kind is None and level == "sector":
        errors.append(("kind", "Cơ quan ngành dọc phải có ngành (thuế, công an, kho bạc...)."))
    if province_code and not re.fullmatch(r"\d{2}", province_code):
        errors.append(
            ("province_code", "Mã tỉnh gồm đúng 2 chữ số theo danh mục đơn vị hành chính, ví dụ 75.")
        )
    sessions = None
    if work_sessions is not None:
        if msg := work_sessions_error(clean_text(work_sessions)):
            errors.append(("work_sessions", msg))
        else:
            sessions = parse_work_sessions(clean_text(work_sessions))
    parent = None
    if parent_code and len(parent_code) > 32:
        errors.append(("parent_code", "Vui lòng chọn cơ quan cấp trên trong danh sách."))
        parent_code = parent_code[:32]
    if parent_code:
        parent = (
            await Agency.select(Agency.id, Agency.level, Agency.province_code)
            .where(Agency.code == parent_code)
            .first()
        )
        if parent is None:
            errors.append(("parent_code", f"Không có cơ quan cấp trên mã {parent_code}."))
    if not (parent_code and parent is None) and (
        msg := parent_level_error(level, parent["level"] if parent else None)
    ):
        errors.append(("level" if level not in LEVELS else "parent_code", msg))
    if errors:
        raise InvalidInput(errors[0][1], errors)
    async with write_tx():
        if await Agency.exists().where(Agency.code == code):
            raise InvalidInput(
                f"Mã cơ quan {code} đã được dùng cho một cơ quan khác.",
                [("code", f"Mã cơ quan {code} đã được dùng cho một cơ quan khác.")],
            )
        if eid and await Agency.exists().where(Agency.eid == eid):
            raise InvalidInput(
                f"Mã định danh điện tử {eid} đã được dùng cho một cơ quan khác.",
                [("eid", f"Mã định danh điện tử {eid} đã được dùng cho một cơ quan khác.")],
            )
        row = Agency(
            code=code,
            eid=eid,
            name=name,
            level=level,
            kind=kind or None,
            parent=parent["id"] if parent else None,
            remote_area=remote_area,
            province_code=province_code or (parent["province_code"] if parent else ""),
        )
        if sessions is not None:
            row.work_sessions = sessions  # type: ignore[assignment]  # the JSON column takes a list too
        await row.save()
        await audit.append(
            "agency_created",
            chain=f"agency:{code}",
            actor_id=actor.id if actor else None,
            object_type="agency",
            object_id=row.id,
            data={
                "code": code,
                "eid": eid,
                "name": name,
                "level": level,
                "kind": kind,
                "parent": parent_code,
                "remote_area": remote_area,
                "work_sessions": row.work_sessions,
            },
        )
    return row.id


def _sessions_list(value) -> list:
    """An agency's ``work_sessions`` as a list (the JSON column reads back as a string on some engines)."""
    return json.loads(value) if isinstance(value, str) else [list(x) for x in value or []]


def _name_errors(name: str) -> list[tuple[str, str]]:
    if not name:
        return [("name", "Vui lòng nhập tên cơ quan.")]
    if len(name) > MAX_NAME:
        return [("name", f"Tên cơ quan dài tối đa {MAX_NAME} ký tự (đang có {len(name)} ký tự).")]
    return []


async def update_agency(
    actor: UserView | None,
    agency_id: int,
    *,
    name: str,
    eid: str | None = None,
    kind: str | None = None,
    remote_area: bool = False,
    active: bool = True,
    work_sessions: str | None = None,
) -> dict:
    """Rename or otherwise correct an agency, or deactivate / reactivate it (never delete: dossiers,
    grants and the audit log point at it). Its code, level and parent do not change here.

    Args:
        actor: A province administrator; None only for system set-up.
        work_sessions: ``"08:00-12:00, 13:00-17:00"``; None keeps the current sessions.

    Returns:
        The changed fields, ``{field: [old, new]}`` (empty when nothing changed; nothing is audited then).

    Raises:
        InvalidInput: Field errors (``name``, ``eid``, ``kind``, ``work_sessions``, ``active``) in Vietnamese.
        NotAllowed: ``actor`` is not a province administrator. NotFound: no such agency.
    """
    if actor is not None and not actor.has_role("province_admin"):
        raise NotAllowed("Chỉ quản trị viên cấp tỉnh được sửa cơ quan.")
    current = (
        await Agency.select(
            Agency.id,
            Agency.code,
            Agency.name,
            Agency.eid,
            Agency.kind,
            Agency.level,
            Agency.remote_area,
            Agency.active,
            Agency.work_sessions,
        )
        .where(Agency.id == agency_id)
        .first()
    )
    if current is None:
        raise NotFound("Không có cơ quan này.")
    name, eid, kind = _nfc(name), clean_text(eid).strip() or None, clean_text(kind).strip() or None
    errors: list[tuple[str, str]] = _name_errors(name)
    if msg := eid_error(eid):
        errors.append(("eid", msg))
    if kind is not None and kind not in AGENCY_KINDS:
        errors.append(("kind", "Vui lòng chọn ngành trong danh sách."))
    elif kind is None and current["level"] == "sector":
        errors.append(("kind", "Cơ quan ngành dọc phải có ngành (thuế, công an, kho bạc...)."))
    current["work_sessions"] = _sessions_list(current["work_sessions"])
    sessions = current["work_sessions"]
    if work_sessions is not None:
        if msg := work_sessions_error(clean_text(work_sessions)):
            errors.append(("work_sessions", msg))
        else:
            sessions = parse_work_sessions(clean_text(work_sessions))
    if (
        not active
        and current["active"]
        and await Agency.exists().where((Agency.parent == agency_id) & (Agency.active.eq(True)))
    ):
        errors.append(
            (
                "active",
                "Cơ quan còn cơ quan trực thuộc đang hoạt động; hãy ngừng hoạt động các cơ quan "
                "trực thuộc trước.",
            )
        )
    if errors:
        raise InvalidInput(errors[0][1], errors)
    new = {
        "name": name,
        "eid": eid,
        "kind": kind,
        "remote_area": bool(remote_area),
        "active": bool(active),
        "work_sessions": sessions,
    }
    old = {k: current[k] for k in new}
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    if not changes:
        return {}
    async with write_tx():
        if (
            "eid" in changes
            and eid
            and await Agency.exists().where((Agency.eid == eid) & (Agency.id != agency_id))
        ):
            raise InvalidInput(
                f"Mã định danh điện tử {eid} đã được dùng cho một cơ quan khác.",
                [("eid", f"Mã định danh điện tử {eid} đã được dùng cho một cơ quan khác.")],
            )
        await Agency.update({getattr(Agency, k): v[1] for k, v in changes.items()}).where(
            Agency.id == agency_id
        )
        action = (
            "agency_deactivated"
            if changes.get("active") == [True, False]
            else "agency_reactivated"
            if changes.get("active") == [False, True]
            else "agency_updated"
        )
        await audit.append(
            action,
            chain=f"agency:{current['code']}",
            actor_id=actor.id if actor else None,
            object_type="agency",
            object_id=agency_id,
            data={"code": current["code"], "changes": changes},
        )
    return changes
