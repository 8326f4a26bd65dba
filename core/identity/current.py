"""The signed-in user of a request, loaded once per request from the session into ``scope``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request

from core.identity.tables import Agency, RoleGrant, User

__all__ = ("UserView", "load_user", "current_user")


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    username: str
    full_name: str
    cccd: str | None
    phone: str
    email: str
    grants: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    """``(agency_id, role)`` pairs."""
    agencies: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Agencies where the user holds a role: id → {code, name, level}."""

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _, role in self.grants)

    def has_role(self, role: str, agency_id: int | None = None) -> bool:
        if agency_id is None:
            return role in self.roles
        return (agency_id, role) in self.grants

    def agencies_with(self, *roles: str) -> list[int]:
        return sorted({a for a, r in self.grants if r in roles})

    @property
    def is_staff(self) -> bool:
        return bool(self.roles - {"citizen"})


async def load_user(user_id: int) -> UserView | None:
    """One query for the user, one for the grants with their agencies (constant per request)."""
    row = await User.select().where((User.id == user_id) & (User.active == True)).first()  # noqa: E712
    if row is None:
        return None
    grants = await RoleGrant.select(
        RoleGrant.agency, RoleGrant.role, RoleGrant.agency.code, RoleGrant.agency.name, RoleGrant.agency.level
    ).where(RoleGrant.user == user_id)
    return UserView(
        id=row["id"],
        username=row["username"],
        full_name=row["full_name"],
        cccd=row["cccd"],
        phone=row["phone"],
        email=row["email"],
        grants=frozenset((g["agency"], g["role"]) for g in grants),
        agencies={
            g["agency"]: {"id": g["agency"], "code": g["agency.code"], "name": g["agency.name"], "level": g["agency.level"]}
            for g in grants
        },
    )


def current_user(request: Request) -> UserView | None:
    return request.scope.get("motcua_user")


_ = Agency  # the join above goes through Agency
