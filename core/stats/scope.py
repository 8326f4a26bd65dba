"""Who sees which statistics: a province administrator, or a leader (approver) or administrator of the
province's own agency, sees the whole province; other leaders and agency administrators see their
agencies; nobody else sees any."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.contract.errors import NotAllowed

__all__ = ("Scope", "scope_of", "LEADER_ROLES", "DENIED")

LEADER_ROLES = ("approver", "agency_admin", "province_admin")
DENIED = "Thống kê chỉ dành cho lãnh đạo và quản trị của cơ quan, đơn vị."


@dataclass(frozen=True, slots=True)
class Scope:
    province: bool
    """The whole province (every receiving agency)."""
    agencies: tuple[int, ...] = ()
    """Otherwise: these agencies only."""

    def allows(self, agency_id: int) -> bool:
        return self.province or agency_id in self.agencies


def scope_of(user: Any) -> Scope:
    """The statistics ``user`` may see, or ``NotAllowed`` (403) when none."""
    if user is None:
        raise NotAllowed(DENIED)
    if user.has_role("province_admin"):
        return Scope(province=True)
    leading = user.agencies_with("approver", "agency_admin")
    if any((user.agencies.get(a) or {}).get("level") == "province" for a in leading):
        return Scope(province=True)
    if not leading:
        raise NotAllowed(DENIED)
    return Scope(province=False, agencies=tuple(leading))
