"""Fees (``compute_fee``): on-time registration free, late registration and certified copies priced
from the province's fee table, marriage free for Vietnamese citizens residing in Vietnam."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.api import FeeLine, FeeQuote, L, ProcedureSpec
from plugins.civil_status.dates import as_date, vn_today
from plugins.civil_status.procedures import (
    BIRTH,
    BIRTH_LINKED,
    BIRTH_LINKED_VERIFY,
    CODES,
    DEATH,
    MARRIAGE,
    MARRIAGE_VERIFY,
)

__all__ = ("quote", "FEE_CODES", "DEFAULT_AMOUNTS", "BIRTH_DEADLINE_DAYS", "DEATH_DEADLINE_DAYS")

BIRTH_LATE = "civil_status.birth_late"
DEATH_LATE = "civil_status.death_late"
EXTRACT_COPY = "civil_status.extract_copy"
FEE_CODES = (BIRTH_LATE, DEATH_LATE, EXTRACT_COPY)

DEFAULT_AMOUNTS = {BIRTH_LATE: 5_000, DEATH_LATE: 5_000, EXTRACT_COPY: 8_000}
"""Used when the province's table has no amount (docs/plugins/civil_status.md); the demo seeds them."""
LEGAL_BASIS = {
    BIRTH_LATE: "Luật Hộ tịch 2014, Điều 11; Nghị quyết của HĐND tỉnh về lệ phí hộ tịch (Thông tư 85/2019/TT-BTC)",
    DEATH_LATE: "Luật Hộ tịch 2014, Điều 11; Nghị quyết của HĐND tỉnh về lệ phí hộ tịch (Thông tư 85/2019/TT-BTC)",
    EXTRACT_COPY: "Thông tư số 281/2016/TT-BTC: phí cấp bản sao trích lục hộ tịch",
}
BIRTH_DEADLINE_DAYS = 60
"""Civil Status Law Art. 15: parents register the birth within 60 days of it."""
DEATH_DEADLINE_DAYS = 15
"""Civil Status Law Art. 33: the death is registered within 15 days of it."""


def _amount(ctx: Mapping[str, Any], code: str) -> int:
    fees = ctx.get("fees") or {}
    value = fees.get(code)
    return int(value) if value is not None else DEFAULT_AMOUNTS[code]


def _late_line(kind: str, event: date | None, today: date, ctx: Mapping[str, Any]) -> FeeLine:
    if kind == "birth":
        code, limit = BIRTH_LATE, BIRTH_DEADLINE_DAYS
        label = L("Lệ phí đăng ký khai sinh", "Birth registration fee")
        reason = L(
            "Miễn lệ phí: đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)",
            "Exempt: registered within 60 days",
        )
    else:
        code, limit = DEATH_LATE, DEATH_DEADLINE_DAYS
        label = L("Lệ phí đăng ký khai tử", "Death registration fee")
        reason = L(
            "Miễn lệ phí: đăng ký khai tử đúng hạn (trong 15 ngày kể từ ngày chết)",
            "Exempt: registered within 15 days",
        )
    if event is not None and today > event + timedelta(days=limit):
        late = L(f"{label.vi} quá hạn", f"Late {label.en.lower()}")
        return FeeLine(code, late, _amount(ctx, code), LEGAL_BASIS[code])
    return FeeLine(code, label, 0, LEGAL_BASIS[code], exempt_reason=reason)


def _copies_line(application: Mapping[str, Any], ctx: Mapping[str, Any]) -> FeeLine | None:
    try:
        copies = int(application.get("extract_copies") or 0)
    except (TypeError, ValueError):
        copies = 0
    if copies <= 0:
        return None
    return FeeLine(
        EXTRACT_COPY,
        L(f"Phí cấp bản sao trích lục ({copies} bản)", f"Certified copies ({copies})"),
        copies * _amount(ctx, EXTRACT_COPY),
        LEGAL_BASIS[EXTRACT_COPY],
    )


def quote(
    procedure: ProcedureSpec, application: Mapping[str, Any], ctx: Mapping[str, Any]
) -> FeeQuote | None:
    """The quote for a civil-status application, or None for other domains' procedures."""
    if procedure.code not in CODES:
        return None
    today = as_date(ctx.get("today")) or vn_today()
    lines: list[FeeLine] = []
    if procedure.code in (BIRTH, BIRTH_LINKED, BIRTH_LINKED_VERIFY):
        lines.append(_late_line("birth", as_date(application.get("child_birth_date")), today, ctx))
    elif procedure.code == DEATH:
        lines.append(_late_line("death", as_date(application.get("death_date")), today, ctx))
    elif procedure.code in (MARRIAGE, MARRIAGE_VERIFY):
        lines.append(
            FeeLine(
                "civil_status.marriage",
                L("Lệ phí đăng ký kết hôn", "Marriage registration fee"),
                0,
                "Luật Hộ tịch 2014, Điều 11; Thông tư 85/2019/TT-BTC",
                exempt_reason=L(
                    "Miễn lệ phí: công dân Việt Nam cư trú ở trong nước",
                    "Exempt: Vietnamese citizens residing in Vietnam",
                ),
            )
        )
    copies = _copies_line(application, ctx)
    if copies:
        lines.append(copies)
    return FeeQuote(tuple(lines))
