"""Processing routes of the land procedures and the ``land:parcel_commune`` agency selector.

Budgets follow REGULATIONS.md §7.1 / R21 (Đồng Tháp QĐ 138/2025 as the template): the intake at the
one-stop desk (0.5 working day) is not a route step, so every route leaves it out of its budget.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from core.api import L, StageSpec, StepSpec, WorkflowSpec

PARCEL_COMMUNE = "land:parcel_commune"
"""Selector: the commune agency where the application's parcel lies (``Parcel.commune_code``)."""

_DECIDE = ("approve", "reject", "return")


def _stage(*steps: StepSpec) -> StageSpec:
    return StageSpec(steps=steps)


def _tax_notice(name: L) -> StageSpec:
    """The tax officer enters the assessed amounts (``complete_step`` with ``land_value``,
    ``registration_fee``, ``land_levy``, ``pit``, ``pit_exemption``, ``deadline``): the notice
    ``land.tax_notice`` is issued to the payer (``plugins/land/tax_notice.py``). The clock stands
    still: the time of financial obligations is not counted (R44)."""
    return _stage(
        StepSpec(
            "tax_notice",
            name,
            role="specialist",
            agency="sector:tax",
            days=0,
            suspends_for="tax_payment",
            outcomes=("complete", "return"),
            results=("land.tax_notice",),
        )
    )


def _tax_payment() -> StageSpec:
    """The dossier waits for the payer; the tax officer completes the step when the payment is
    recorded (treasury receipt over the data link, or the payer's proof)."""
    return _stage(
        StepSpec(
            "tax_payment",
            L(
                "Người nộp thuế nộp tiền theo thông báo; cơ quan thuế xác nhận đã nộp",
                "The payer pays the notice; tax confirms the payment",
            ),
            role="specialist",
            agency="sector:tax",
            days=0,
            suspends_for="tax_payment",
            outcomes=("complete",),
        )
    )


FIRST_REGISTRATION = WorkflowSpec(
    id="land.first_registration",
    name=L(
        "Đăng ký, cấp Giấy chứng nhận lần đầu: xã nơi có đất – Văn phòng đăng ký đất đai – cơ quan thuế",
        "First registration: parcel's commune – land registration office – tax",
    ),
    stages=(
        _stage(
            StepSpec(
                "cadastral_extract",
                L("Trích lục, trích đo bản đồ địa chính thửa đất", "Cadastral extract of the parcel"),
                role="specialist",
                agency="sector:land_registry",
                days=2,
            )
        ),
        _stage(
            StepSpec(
                "commune_verification",
                L(
                    "Xác nhận hiện trạng, nguồn gốc, tranh chấp, sự phù hợp quy hoạch",
                    "Confirmation of use, origin, disputes and plan conformity",
                ),
                role="specialist",
                agency=PARCEL_COMMUNE,
                days=11.5,
            )
        ),
        _stage(
            StepSpec(
                "public_posting",
                L("Niêm yết công khai kết quả kiểm tra hồ sơ (15 ngày)", "Public posting (15 days)"),
                role="specialist",
                agency=PARCEL_COMMUNE,
                days=0,
                suspends_for="public_posting",
                outcomes=("complete", "return"),
            )
        ),
        _stage(
            StepSpec(
                "tax_slip",
                L(
                    "Gửi phiếu chuyển thông tin xác định nghĩa vụ tài chính (Mẫu số 19) đến cơ quan thuế",
                    "Information slip to the tax authority (Form 19)",
                ),
                role="specialist",
                agency=PARCEL_COMMUNE,
                days=1,
                appointment=1,
            )
        ),
        _tax_notice(
            L(
                "Xác định nghĩa vụ tài chính, ra Thông báo nộp tiền sử dụng đất, lệ phí trước bạ",
                "Financial obligations assessed, notice of land levy and registration fee",
            )
        ),
        _tax_payment(),
        _stage(
            StepSpec(
                "payment_check",
                L(
                    "Kiểm tra chứng từ nộp nghĩa vụ tài chính, trình ký",
                    "Check of payment, submission for signature",
                ),
                role="specialist",
                agency=PARCEL_COMMUNE,
                days=2,
            )
        ),
        _stage(
            StepSpec(
                "registry_preparation",
                L(
                    "In Giấy chứng nhận, chuẩn bị cập nhật hồ sơ địa chính",
                    "Printing of the certificate, cadastral update prepared",
                ),
                role="specialist",
                agency="sector:land_registry",
                days=2,
            )
        ),
        _stage(
            StepSpec(
                "chairman_signature",
                L("Chủ tịch UBND xã ký Giấy chứng nhận", "The commune chairman signs the certificate"),
                role="approver",
                agency=PARCEL_COMMUNE,
                days=1,
                outcomes=_DECIDE,
                appointment=2,
            )
        ),
    ),
)
"""0.5 (intake) + 2 + 11.5 + [posting excluded] + 1 = 15 (appointment 1); [tax excluded] + 2 + 2 + 1 = 5
(appointment 2): 20 working days."""

TRANSFER = WorkflowSpec(
    id="land.transfer",
    name=L(
        "Đăng ký biến động do chuyển nhượng: một cửa – Văn phòng đăng ký đất đai – cơ quan thuế",
        "Transfer: one-stop desk – land registration office – tax",
    ),
    stages=(
        _stage(
            StepSpec(
                "land_office_check",
                L(
                    "Kiểm tra điều kiện chuyển nhượng, trích lục bản đồ, gửi thông tin đến cơ quan thuế",
                    "Check of the transfer, cadastral extract, information to tax",
                ),
                role="specialist",
                agency="sector:land_registry",
                days=4.5,
                appointment=1,
            )
        ),
        _tax_notice(
            L(
                "Xác định, ra Thông báo nộp thuế thu nhập cá nhân, lệ phí trước bạ",
                "Notice of PIT and registration fee",
            )
        ),
        _tax_payment(),
        _stage(
            StepSpec(
                "registration_decision",
                L(
                    "Xác nhận biến động hoặc cấp Giấy chứng nhận mới, cập nhật hồ sơ địa chính",
                    "Endorsement or new certificate, cadastral update",
                ),
                role="approver",
                agency="sector:land_registry",
                days=3,
                outcomes=_DECIDE,
                appointment=2,
            )
        ),
    ),
)
"""0.5 (intake) + 4.5 = 5 (appointment 1); [tax excluded] + 3 = 3 (appointment 2): 8 working days."""

REISSUE = WorkflowSpec(
    id="land.reissue",
    name=L(
        "Cấp đổi, cấp lại Giấy chứng nhận: một cửa – Văn phòng đăng ký đất đai",
        "Re-issue: one-stop desk – land registration office",
    ),
    stages=(
        _stage(
            StepSpec(
                "land_office_check",
                L(
                    "Kiểm tra hồ sơ địa chính, in Giấy chứng nhận mới",
                    "Check of the cadastral file, new certificate printed",
                ),
                role="specialist",
                agency="sector:land_registry",
                days=5,
            )
        ),
        _stage(
            StepSpec(
                "reissue_decision",
                L(
                    "Ký cấp Giấy chứng nhận mới, hủy Giấy chứng nhận cũ, cập nhật hồ sơ địa chính",
                    "New certificate signed, old one cancelled, cadastral update",
                ),
                role="approver",
                agency="sector:land_registry",
                days=2.5,
                outcomes=_DECIDE,
            )
        ),
    ),
)
"""0.5 (intake) + 5 + 2.5 = 8 working days."""

ALL = (FIRST_REGISTRATION, TRANSFER, REISSUE)


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _ref_code(agencies: Any, code: str) -> Any:
    if hasattr(agencies, "by_code"):
        return agencies.by_code(code)
    if isinstance(agencies, Mapping):
        return agencies.get(code)
    return None


async def assign_parcel_commune(dossier: Mapping[str, Any], step: StepSpec, ctx: Mapping[str, Any]) -> Any:
    """The agency of the commune where the dossier's parcel lies, or None for other selectors."""
    if step.agency != PARCEL_COMMUNE:
        return None
    from plugins.land.registry import find_parcel  # local: keeps this module import-light

    parcel = await find_parcel(dossier.get("data") or {})
    if parcel is None:
        return None
    return await _maybe(_ref_code(ctx.get("agencies"), parcel["commune_code"]))
