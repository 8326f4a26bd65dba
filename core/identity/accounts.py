"""Account administration: staff accounts created by an administrator, deactivation and reactivation,
password resets with a one-time password the user must change at the next sign-in.

Who may manage an account: a province administrator, any account but their own deactivation; an agency
administrator, only accounts whose every role is a staff role held at an agency they administer (so
not citizens, not the staff of another agency, not administrators of a wider scope). Every change is
written to the audit log on the account's chain (``user:<id>``).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column

from core.audit import chain as audit
from core.contract.errors import InvalidInput, NotAllowed, NotFound
from core.contract.specs import ROLES
from core.contract.views import UserView
from core.db.tx import is_unique_violation, write_tx
from core.identity import service
from core.identity.tables import RoleGrant, User

__all__ = (
    "ONE_TIME_ALPHABET",
    "NewStaff",
    "can_manage_user",
    "may_manage",
    "create_staff",
    "set_active",
    "reset_password",
    "must_change_password",
    "change_password",
    "one_time_password",
)

ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Lower-case letters and digits that cannot be misread for each other (no i, l, o, 0, 1)."""
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^0[1-9]\d{8}$")
MAX_NAME = 255


def one_time_password() -> str:
    """A random password to read out or hand over once: ``xxxx-xxxx-xxxx`` (about 59 bits), always
    with letters and digits (the password rules of ``core.identity.service``)."""
    while True:
        groups = ["".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(3)]
        text = "-".join(groups)
        if re.search(r"[a-z]", text) and re.search(r"\d", text):
            return text


def _chain(user_id: int) -> str:
    return f"user:{user_id}"


async def _grants_of(user_id: int) -> list[dict]:
    return await RoleGrant.select(RoleGrant.agency, RoleGrant.role).where(RoleGrant.user == user_id)


def may_manage(actor: UserView, grants: list[dict]) -> bool:
    """Whether ``actor`` may manage an account holding ``grants`` (rows with ``agency`` and ``role``)."""
    if actor.has_role("province_admin"):
        return True
    mine = set(actor.agencies_with("agency_admin"))
    staff = set(ROLES) - {"citizen", "province_admin"}
    return bool(grants) and all(g["agency"] in mine and g["role"] in staff for g in grants)


async def can_manage_user(actor: UserView, user_id: int) -> bool:
    """Whether ``actor`` may deactivate, reactivate or reset the password of ``user_id``."""
    return may_manage(actor, await _grants_of(user_id))


async def _target(actor: UserView, user_id: int) -> dict:
    row = await User.select(User.id, User.username, User.active).where(User.id == user_id).first()
    if row is None or not may_manage(actor, await _grants_of(user_id)):
        # The same answer for an account that does not exist and one that is not the actor's to manage.
        raise NotFound("Không tìm thấy tài khoản này trong phạm vi bạn quản trị.")
    return row


class NewStaff:
    """What the create-account form carries (already stripped of control characters)."""

    def __init__(
        self, *, username: str, full_name: str, email: str = "", phone: str = "", agency_id: str, role: str
    ) -> None:
        self.username = username.strip().lower()
        self.full_name = " ".join(full_name.split())
        self.email = email.strip()
        self.phone = phone.strip().replace(" ", "")
        self.agency_id = agency_id.strip()
        self.role = role.strip()


async def create_staff(actor: UserView, new: NewStaff) -> tuple[int, str]:
    """Create a staff account with one role at one agency and a one-time password.

    Returns:
        ``(user id, one-time password)``; the password is shown once to the administrator and must be
        changed by its holder at the first sign-in.

    Raises:
        InvalidInput: field errors (``username``, ``full_name``, ``email``, ``phone``, ``agency_id``,
            ``role``), Vietnamese.
    """
    errors: list[tuple[str, str]] = []
    if not new.username:
        errors.append(("username", "Vui lòng nhập tên đăng nhập."))
    elif not _USERNAME.match(new.username):
        errors.append(
            (
                "username",
                "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
            )
        )
    elif await User.exists().where(User.username == new.username):
        errors.append(("username", f"Tên đăng nhập '{new.username}' đã có người dùng."))
    if not new.full_name:
        errors.append(("full_name", "Vui lòng nhập họ và tên."))
    elif len(new.full_name) > MAX_NAME:
        errors.append(("full_name", f"Họ và tên dài tối đa {MAX_NAME} ký tự."))
    if new.email and (len(new.email) > 255 or not _EMAIL.match(new.email)):
        errors.append(("email", "Địa chỉ thư điện tử không đúng dạng (ví dụ: ten@donnai.gov.vn)."))
    if new.phone and not _PHONE.match(new.phone):
        errors.append(("phone", "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."))
    agency_id = int(new.agency_id) if new.agency_id.isdigit() else None
    if agency_id is None:
        errors.append(("agency_id", "Vui lòng chọn cơ quan."))
    if new.role not in ROLES or new.role == "citizen":
        errors.append(("role", "Vui lòng chọn vai trò."))
    elif agency_id is not None and not service.can_manage(actor, agency_id, new.role):
        errors.append(("role", "Bạn không có quyền cấp vai trò này tại cơ quan đã chọn."))
    if errors or agency_id is None:
        raise InvalidInput(errors[0][1], errors)
    password = one_time_password()
    try:
        async with write_tx():
            user = User(
                username=new.username,
                full_name=new.full_name,
                email=new.email,
                phone=new.phone,
                password_hash=service.hash_password(password),
                must_change_password=True,
                created_at=datetime.now(UTC),
            )
            await user.save()
            await audit.append(
                "user_created",
                chain=_chain(user.id),
                actor_id=actor.id,
                object_type="user",
                object_id=user.id,
                data={"username": new.username, "agency_id": agency_id, "role": new.role},
            )
            await service.grant_role(actor, user.id, agency_id, new.role)
    except Exception as exc:
        if is_unique_violation(exc):  # the same username created at the same moment
            msg = f"Tên đăng nhập '{new.username}' đã có người dùng."
            raise InvalidInput(msg, [("username", msg)]) from exc
        raise
    return user.id, password


async def set_active(actor: UserView, user_id: int, active: bool) -> bool:
    """Deactivate (no sign-in, no API token, sessions stop working) or reactivate an account.

    Returns:
        Whether anything changed.

    Raises:
        NotFound: not an account ``actor`` manages. NotAllowed: deactivating oneself.
    """
    row = await _target(actor, user_id)
    if not active and user_id == actor.id:
        raise NotAllowed("Không thể tự khóa tài khoản của chính mình.")
    if row["active"] == active:
        return False
    async with write_tx():
        changes: dict[Column | str, Any] = {User.active: active}
        if active:
            changes.update({User.failed_logins: 0, User.locked_until: None})
        await User.update(changes).where(User.id == user_id)
        await audit.append(
            "user_reactivated" if active else "user_deactivated",
            chain=_chain(user_id),
            actor_id=actor.id,
            object_type="user",
            object_id=user_id,
            data={"username": row["username"]},
        )
    return True


async def reset_password(actor: UserView, user_id: int) -> str:
    """Give ``user_id`` a new one-time password (returned once, never stored in clear) that must be
    changed at the next sign-in; any lock from failed sign-ins is lifted. Audited without the password."""
    row = await _target(actor, user_id)
    password = one_time_password()
    async with write_tx():
        await User.update(
            {
                User.password_hash: service.hash_password(password),
                User.must_change_password: True,
                User.failed_logins: 0,
                User.locked_until: None,
            }
        ).where(User.id == user_id)
        await audit.append(
            "password_reset",
            chain=_chain(user_id),
            actor_id=actor.id,
            object_type="user",
            object_id=user_id,
            data={"username": row["username"]},
        )
    return password


async def must_change_password(user_id: int) -> bool:
    """Whether ``user_id`` signs in with a one-time password that must be replaced first."""
    row = await User.select(User.must_change_password).where(User.id == user_id).first()
    return bool(row and row["must_change_password"])


async def change_password(user_id: int, password: str, confirm: str) -> None:
    """Set a new password chosen by the account holder (after signing in with a one-time password).

    Raises:
        InvalidInput: at ``password`` (rules, or the same as the one-time password) or
            ``password_confirm`` (different).
    """
    errors: list[tuple[str, str]] = []
    service._check_password(password, confirm, errors)
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    if row is None:
        raise NotFound("Không tìm thấy tài khoản.")
    if not errors and service.verify_password(row["password_hash"], password):
        errors.append(("password", "Mật khẩu mới phải khác mật khẩu dùng một lần."))
    if errors:
        raise InvalidInput(errors[0][1], errors)
    async with write_tx():
        await User.update(
            {User.password_hash: service.hash_password(password), User.must_change_password: False}
        ).where(User.id == user_id)
        await audit.append(
            "password_changed", chain=_chain(user_id), actor_id=user_id, object_type="user", object_id=user_id
        )
