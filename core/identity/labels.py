"""Display names of roles and agency levels (English msgids, translated at render time)."""

from __future__ import annotations

from core.text.i18n import gettext as _

__all__ = ("role_label", "level_label", "kind_label", "ROLE_MSGIDS", "LEVEL_MSGIDS", "KIND_MSGIDS")


def N_(message: str) -> str:
    """Mark a string for extraction; translated later, when the language is known."""
    return message


ROLE_MSGIDS = {
    "citizen": N_("Citizen"),
    "receiver": N_("Counter clerk"),
    "specialist": N_("Specialist"),
    "approver": N_("Leader (approver)"),
    "agency_admin": N_("Agency administrator"),
    "province_admin": N_("Province administrator"),
    "postal_agent": N_("Postal agent"),
}
LEVEL_MSGIDS = {
    "province": N_("Province"),
    "department": N_("Department"),
    "district": N_("District level"),
    "commune": N_("Commune level"),
    "sector": N_("Sector agency"),
}

KIND_MSGIDS = {
    "tax": N_("Tax"),
    "police": N_("Police"),
    "treasury": N_("State treasury"),
    "social_insurance": N_("Social insurance"),
    "post": N_("Post"),
    "business_registry": N_("Company registration office"),
    "land_registry": N_("Property registration office"),
}


def role_label(role: str) -> str:
    return _(ROLE_MSGIDS[role]) if role in ROLE_MSGIDS else role


def level_label(level: str) -> str:
    return _(LEVEL_MSGIDS[level]) if level in LEVEL_MSGIDS else level


def kind_label(kind: str | None) -> str:
    return _(KIND_MSGIDS[kind]) if kind in KIND_MSGIDS else (kind or "")
