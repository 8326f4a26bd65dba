"""The signed-in user of a request (``request.user``, set by ``core.identity.auth.AuthMiddleware``)."""

from __future__ import annotations

from core.contract.views import UserView
from core.identity.tables import Agency, RoleGrant, User

__all__ = ("load_user",)


async def load_user(user_id: int) -> UserView | None:
    """One query for the user, one for the grants with their agencies (constant per request)."""
    row = await User.select().where((User.id == user_id) & (User.active.eq(True))).first()
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
        identity_verified=row["eid_verified_at"] is not None,
        birth_date=row["birth_date"],
        grants=frozenset((g["agency"], g["role"]) for g in grants),
        agencies={
            g["agency"]: {
                "id": g["agency"],
                "code": g["agency.code"],
                "name": g["agency.name"],
                "level": g["agency.level"],
            }
            for g in grants
        },
    )


_ = Agency  # the join above goes through Agency
