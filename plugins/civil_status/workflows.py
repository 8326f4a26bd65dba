"""Processing routes: same-day registration at the commune, marriage with verification, and the
NĐ 63/2024 group-1 route across three agencies (commune → police ‖ social insurance)."""

from __future__ import annotations

from core.api import L, StageSpec, StepSpec, WorkflowSpec

_DECIDE = ("approve", "reject", "return")

SAME_DAY = WorkflowSpec(
    id="civil_status.same_day",
    name=L(
        "Đăng ký hộ tịch trong ngày tại Ủy ban nhân dân cấp xã",
        "Same-day civil-status registration at the commune",
    ),
    stages=(
        StageSpec(
            (
                StepSpec(
                    "record",
                    L(
                        "Công chức tư pháp - hộ tịch kiểm tra, ghi vào Sổ hộ tịch",
                        "Justice officer checks and records",
                    ),
                    role="specialist",
                    agency="receiving",
                    days=0,
                ),
            )
        ),
        StageSpec(
            (
                StepSpec(
                    "sign",
                    L("Chủ tịch Ủy ban nhân dân cấp xã ký, cấp kết quả", "Commune chairman signs"),
                    role="approver",
                    agency="receiving",
                    days=0,
                    outcomes=_DECIDE,
                ),
            )
        ),
    ),
)

MARRIAGE_VERIFY = WorkflowSpec(
    id="civil_status.marriage_verify",
    name=L("Đăng ký kết hôn có xác minh điều kiện kết hôn", "Marriage registration with verification"),
    stages=(
        StageSpec(
            (
                StepSpec(
                    "verify",
                    L(
                        "Công chức tư pháp - hộ tịch xác minh điều kiện kết hôn",
                        "Justice officer verifies the conditions",
                    ),
                    role="specialist",
                    agency="receiving",
                    days=3,
                ),
            )
        ),
        StageSpec(
            (
                StepSpec(
                    "record",
                    L(
                        "Công chức tư pháp - hộ tịch ghi vào Sổ đăng ký kết hôn",
                        "Justice officer records the marriage",
                    ),
                    role="specialist",
                    agency="receiving",
                    days=1,
                ),
            )
        ),
        StageSpec(
            (
                StepSpec(
                    "sign",
                    L(
                        "Chủ tịch Ủy ban nhân dân cấp xã ký Giấy chứng nhận kết hôn",
                        "Commune chairman signs the certificate",
                    ),
                    role="approver",
                    agency="receiving",
                    days=1,
                    outcomes=_DECIDE,
                ),
            )
        ),
    ),
)

BIRTH_LINKED = WorkflowSpec(
    id="civil_status.birth_linked",
    name=L(
        "Liên thông khai sinh - thường trú - bảo hiểm y tế (Nghị định 63/2024/NĐ-CP, nhóm 1)",
        "Linked birth - residence - health insurance route (Decree 63/2024, group 1)",
    ),
    stages=(
        StageSpec(
            (
                StepSpec(
                    "birth",
                    L("Ủy ban nhân dân cấp xã đăng ký khai sinh", "Commune registers the birth"),
                    role="specialist",
                    agency="level:commune",
                    days=1,
                    results=("birth_extract",),
                ),
            )
        ),
        StageSpec(
            (
                StepSpec(
                    "residence",
                    L(
                        "Công an đăng ký thường trú cho trẻ",
                        "Police register the child's permanent residence",
                    ),
                    role="specialist",
                    agency="sector:police",
                    days=2,
                    results=("residence_confirmation",),
                ),
                StepSpec(
                    "health_insurance",
                    L(
                        "Bảo hiểm xã hội cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
                        "Social insurance issues the child's health-insurance card",
                    ),
                    role="specialist",
                    agency="sector:social_insurance",
                    days=2,
                    results=("health_insurance_card",),
                ),
            )
        ),
    ),
)

BIRTH_LINKED_VERIFY = WorkflowSpec(
    id="civil_status.birth_linked_verify",
    name=L(
        "Liên thông khai sinh - thường trú - bảo hiểm y tế, có xác minh (Nghị định 63/2024/NĐ-CP, nhóm 1)",
        "Linked birth - residence - health insurance route with verification (Decree 63/2024, group 1)",
    ),
    stages=(
        StageSpec(
            (
                StepSpec(
                    "birth",
                    L(
                        "Ủy ban nhân dân cấp xã xác minh và đăng ký khai sinh",
                        "Commune verifies and registers the birth",
                    ),
                    role="specialist",
                    agency="level:commune",
                    days=3,
                    results=("birth_extract",),
                ),
            )
        ),
        BIRTH_LINKED.stages[1],
    ),
)
"""Five working days in all: the commune's verification and registration (3), then residence and the
health-insurance card in parallel (2), as in the group without verification."""

ALL = (SAME_DAY, MARRIAGE_VERIFY, BIRTH_LINKED, BIRTH_LINKED_VERIFY)
