"""Who may download a dossier's documents: the dossier read rule (``core.dossiers.access.may_see``) —
the applicant, or staff of the agency that received the dossier or holds/held one of its steps."""

from __future__ import annotations

from typing import Any

from core.contract.errors import NotAllowed
from core.dossiers import access
from core.dossiers.tables import Dossier

__all__ = ("dossier_for_user", "staff_agencies_of")


async def staff_agencies_of(dossier_id: int, receiving_agency: int) -> set[int]:
    return await access.staff_agencies(dossier_id, receiving_agency)


async def dossier_for_user(user: Any, code: str) -> dict[str, Any]:
    """The dossier ``code`` if ``user`` may see its documents. A signed-out caller is asked to sign in
    before anything is looked up; a caller who may not read the dossier gets ``access.not_found`` —
    the same answer as for a code that does not exist, so nothing is learnt about it."""
    if user is None:
        raise NotAllowed("Vui lòng đăng nhập để tải tài liệu của hồ sơ.")
    d = (
        await Dossier.select(Dossier.id, Dossier.code, Dossier.applicant, Dossier.receiving_agency)
        .where(Dossier.code == code)
        .first()
    )
    if d is None:
        raise access.not_found(code)
    if d["applicant"] is not None and d["applicant"] == user.id:
        return d
    if access.may_see(user, d["applicant"], await staff_agencies_of(d["id"], d["receiving_agency"])):
        return d
    raise access.not_found(code)
