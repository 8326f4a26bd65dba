"""One action applied to several dossiers (bulk hand-over from a list): each dossier through the
lifecycle service in its own transaction, so one refusal (stale page, wrong step, fees owed) stops
nothing else; each item says whether it was done and, if not, why (in Vietnamese).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.contract.errors import InvalidInput, MotcuaError
from core.dossiers import service

__all__ = ("Item", "Result", "BULK_ACTIONS", "MAX_ITEMS", "perform_many")

BULK_ACTIONS: tuple[str, ...] = ("complete_step", "approve", "mark_result_ready", "receive")
"""Actions that take no input beyond an optional note, so one form may apply them to many dossiers."""
MAX_ITEMS = 100
"""Most dossiers handed over in one request (a list page's page size is 50)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One dossier to act on: its code and the version the user saw."""

    code: str
    version: int | None


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one item: ``ok``, the dossier's state after, or the reason it was refused."""

    code: str
    ok: bool
    state: str | None = None
    message: str = ""
    status: int = 200


async def perform_many(items: list[Item], action: str, *, actor: Any, note: str = "") -> list[Result]:
    """Apply ``action`` to each of ``items`` in order, each in its own transaction.

    Args:
        items: The dossiers and the versions the user saw (a missing version is refused: the page
            was not the list the user looked at).
        action: One of ``BULK_ACTIONS``.
        actor: The signed-in user.
        note: The remark recorded on every event.

    Returns:
        One result per item, in the same order.
    """
    if action not in BULK_ACTIONS:
        raise InvalidInput(
            "Thao tác này không làm hàng loạt được.",
            [("action", "Chọn một thao tác chuyển tiếp: hoàn thành bước, phê duyệt, kết quả đã sẵn sàng.")],
        )
    results = []
    for item in items:
        if item.version is None:
            results.append(
                Result(item.code, False, message="Thiếu phiên bản hồ sơ: tải lại danh sách.", status=422)
            )
            continue
        try:
            done = await service.perform(item.code, action, actor=actor, version=item.version, note=note)
        except InvalidInput as exc:
            detail = "; ".join(m for _, m in exc.errors) or exc.message
            results.append(Result(item.code, False, message=detail, status=exc.status_code))
        except MotcuaError as exc:
            results.append(Result(item.code, False, message=exc.message, status=exc.status_code))
        else:
            results.append(Result(done.code or item.code, True, state=done.state))
    return results
