"""Fees of the land procedures (the ``compute_fee`` hook) and the estimate of the financial obligation.

Our quote holds what the one-stop desk collects: the appraisal fee (phí thẩm định hồ sơ) and the
certificate fee (lệ phí cấp Giấy chứng nhận / đăng ký biến động), amounts set by the provincial
People's Council and read from the province fee table (``ctx["fees"]``), with ``DEFAULT_FEES`` as
the fallback for a province that has not entered them yet.

The registration fee (lệ phí trước bạ, 0.5 %) and the personal income tax on a transfer (2 %) are
*not* fee lines: the tax authority determines them in its notice (the ``tax_notice`` step, which
stops the clock) and the payer pays them to the State Treasury. ``estimate_obligations`` gives the
applicant and the clerk an indicative figure only (docs/plugins/land.md explains why).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.api import FeeLine, FeeQuote, L, ProcedureSpec
from plugins.land import procedures
from plugins.land.registry import as_int

__all__ = ("DEFAULT_FEES", "FEE_BASIS", "quote", "estimate_obligations", "REGISTRATION_FEE_RATE", "PIT_RATE")

DEFAULT_FEES: dict[str, int] = {
    "land.appraisal_first": 250_000,
    "land.appraisal_transfer": 250_000,
    "land.certificate_issue": 25_000,
    "land.change_registration": 15_000,
    "land.certificate_reissue": 20_000,
}
"""Demo amounts (VND) for individuals, in the range of current HĐND resolutions; seeded as FeeAmount rows."""

FEE_BASIS = (
    "Thông tư số 85/2019/TT-BTC; Nghị quyết của HĐND tỉnh về phí thẩm định hồ sơ cấp Giấy chứng nhận "
    "và lệ phí cấp Giấy chứng nhận"
)

_LABELS: dict[str, L] = {
    "land.appraisal_first": L(
        "Phí thẩm định hồ sơ cấp Giấy chứng nhận lần đầu", "Appraisal fee, first certificate"
    ),
    "land.appraisal_transfer": L(
        "Phí thẩm định hồ sơ đăng ký biến động (chuyển nhượng)", "Appraisal fee, transfer"
    ),
    "land.certificate_issue": L("Lệ phí cấp Giấy chứng nhận quyền sử dụng đất", "Certificate fee"),
    "land.change_registration": L(
        "Lệ phí chứng nhận đăng ký biến động vào Giấy chứng nhận", "Fee for endorsing a change"
    ),
    "land.certificate_reissue": L("Lệ phí cấp đổi, cấp lại Giấy chứng nhận", "Replacement certificate fee"),
}

FEE_EXEMPTIONS: dict[str, L] = {
    "poor_household": L(
        "Miễn lệ phí cấp Giấy chứng nhận cho hộ nghèo theo Nghị quyết HĐND tỉnh",
        "Certificate fee waived for poor households (provincial resolution)",
    ),
    "merit": L(
        "Miễn lệ phí cấp Giấy chứng nhận cho người có công với cách mạng theo Nghị quyết HĐND tỉnh",
        "Certificate fee waived for people with merit (provincial resolution)",
    ),
}
"""Exemptions a province commonly grants on the *lệ phí* (never on the appraisal fee)."""

REGISTRATION_FEE_RATE = 0.005
"""Lệ phí trước bạ nhà, đất: 0.5 % (Decree 10/2022/NĐ-CP Art. 8(1))."""
PIT_RATE = 0.02
"""Personal income tax on a transfer of real estate: 2 % of the transfer price (PIT Law Art. 14)."""

_LINES: dict[str, tuple[str, ...]] = {
    procedures.FIRST: ("land.appraisal_first", "land.certificate_issue"),
    procedures.REISSUE: ("land.certificate_reissue",),
}


def _codes(procedure_code: str, application: Mapping[str, Any]) -> tuple[str, ...]:
    if procedure_code == procedures.TRANSFER:
        second = (
            "land.certificate_issue"
            if application.get("new_certificate") == "yes"
            else "land.change_registration"
        )
        return ("land.appraisal_transfer", second)
    return _LINES.get(procedure_code, ())


def quote(
    procedure: ProcedureSpec, application: Mapping[str, Any], ctx: Mapping[str, Any]
) -> FeeQuote | None:
    """The fee lines for a land procedure (None for other procedures)."""
    codes = _codes(procedure.code, application)
    if not codes:
        return None
    table = {**DEFAULT_FEES, **{k: v for k, v in (ctx.get("fees") or {}).items() if k in DEFAULT_FEES}}
    exemption = FEE_EXEMPTIONS.get(str(application.get("fee_exemption") or ""))
    lines = []
    for code in codes:
        amount = int(table[code])
        reason = None
        if amount == 0:
            reason = L("Miễn theo Nghị quyết HĐND tỉnh", "Waived by the provincial council")
        elif exemption is not None and not code.startswith("land.appraisal"):
            amount, reason = 0, exemption
        lines.append(
            FeeLine(
                code=code, label=_LABELS[code], amount=amount, legal_basis=FEE_BASIS, exempt_reason=reason
            )
        )
    return FeeQuote(lines=tuple(lines))


def estimate_obligations(procedure_code: str, application: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Indicative registration fee and PIT of a transfer, from the contract price (informational only).

    The tax authority's notice is what the payer pays; it may use the provincial land price table
    when that gives more than the contract price.
    """
    if procedure_code != procedures.TRANSFER:
        return []
    price = as_int(application.get("price")) or 0
    if price <= 0:
        return []
    return [
        {
            "code": "registration_fee",
            "label": L("Lệ phí trước bạ (0,5%)", "Registration fee (0.5%)"),
            "amount": round(price * REGISTRATION_FEE_RATE),
            "legal_basis": "Nghị định số 10/2022/NĐ-CP, Điều 8",
        },
        {
            "code": "pit",
            "label": L(
                "Thuế thu nhập cá nhân từ chuyển nhượng bất động sản (2%)", "Personal income tax (2%)"
            ),
            "amount": round(price * PIT_RATE),
            "legal_basis": "Luật Thuế thu nhập cá nhân, Điều 14",
        },
    ]
