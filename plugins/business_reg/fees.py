"""Fee rule. Amounts come from the province fee table (``ctx["fees"]``); the defaults below are the
national amounts of Circular 47/2019/TT-BTC (as amended by Circular 64/2025/TT-BTC) and the usual
provincial amount for household businesses, used until the province sets its own."""

from __future__ import annotations

from core.api import FeeLine, FeeQuote, L
from plugins.business_reg.procedures import CHANGE, ENTERPRISE, HOUSEHOLD

DEFAULTS = {
    "business_reg.household": 100_000,
    "business_reg.enterprise": 50_000,
    "business_reg.publication": 100_000,
}
BASIS_ENTERPRISE = "Thông tư 47/2019/TT-BTC, sửa đổi bởi Thông tư 64/2025/TT-BTC"
BASIS_HOUSEHOLD = "Nghị quyết của HĐND tỉnh về lệ phí đăng ký hộ kinh doanh (Thông tư 85/2019/TT-BTC)"
ONLINE_EXEMPT = L("Miễn lệ phí khi đăng ký qua mạng điện tử", "Free when registered online")


def _amount(ctx, code: str) -> int:
    return int((ctx.get("fees") or {}).get(code, DEFAULTS[code]))


def quote(procedure, application, ctx) -> FeeQuote | None:
    online = ctx.get("channel") == "truc_tuyen"
    if procedure.code == HOUSEHOLD:
        return FeeQuote(
            (
                FeeLine(
                    "business_reg.household",
                    L("Lệ phí đăng ký hộ kinh doanh", "Household registration fee"),
                    _amount(ctx, "business_reg.household"),
                    BASIS_HOUSEHOLD,
                ),
            )
        )
    if procedure.code in (ENTERPRISE, CHANGE):
        fee = FeeLine(
            "business_reg.enterprise",
            L("Lệ phí đăng ký doanh nghiệp", "Enterprise registration fee"),
            0 if online else _amount(ctx, "business_reg.enterprise"),
            BASIS_ENTERPRISE,
            exempt_reason=ONLINE_EXEMPT if online else None,
        )
        publication = FeeLine(
            "business_reg.publication",
            L("Phí công bố nội dung đăng ký doanh nghiệp", "Publication fee"),
            _amount(ctx, "business_reg.publication"),
            BASIS_ENTERPRISE,
        )
        return FeeQuote((fee, publication))
    return None
