"""Routes. Enterprise establishment: the registry's review and the tax code run in parallel
(Hải Phòng's "overlapping" processing), then the registry's leader issues the certificate."""

from __future__ import annotations

from core.api import L, StageSpec, StepSpec, WorkflowSpec

ALL = (
    WorkflowSpec(
        id="business_reg.household",
        name=L("Đăng ký hộ kinh doanh, liên thông thuế", "Household business, with tax"),
        stages=(
            StageSpec(
                (
                    StepSpec(
                        "review",
                        L("Thẩm định hồ sơ, kiểm tra tên hộ kinh doanh", "Review, name check"),
                        role="specialist",
                        agency="receiving",
                        days=1.5,
                    ),
                )
            ),
            StageSpec(
                (
                    StepSpec(
                        "tax_code",
                        L("Cơ quan thuế cấp mã số thuế hộ kinh doanh", "Tax code for the household"),
                        role="specialist",
                        agency="sector:tax",
                        days=1,
                        results=("tax_code_notice",),
                    ),
                )
            ),
            StageSpec(
                (
                    StepSpec(
                        "sign",
                        L("Lãnh đạo ký Giấy chứng nhận", "Leader signs the certificate"),
                        role="approver",
                        agency="receiving",
                        days=0.5,
                        outcomes=("approve", "reject", "return"),
                    ),
                )
            ),
        ),
    ),
    WorkflowSpec(
        id="business_reg.enterprise",
        name=L("Đăng ký thành lập doanh nghiệp, liên thông thuế", "Enterprise establishment, with tax"),
        stages=(
            StageSpec(
                (
                    StepSpec(
                        "review",
                        L(
                            "Phòng Đăng ký kinh doanh thẩm định hồ sơ, tên doanh nghiệp",
                            "Registry reviews the dossier and name",
                        ),
                        role="specialist",
                        agency="sector:business_registry",
                        days=2,
                    ),
                    StepSpec(
                        "tax_code",
                        L(
                            "Cơ quan thuế tạo mã số doanh nghiệp (mã số thuế)",
                            "Tax authority creates the enterprise code",
                        ),
                        role="specialist",
                        agency="sector:tax",
                        days=2,
                        results=("tax_code_notice",),
                    ),
                )
            ),
            StageSpec(
                (
                    StepSpec(
                        "sign",
                        L("Trưởng phòng Đăng ký kinh doanh ký Giấy chứng nhận", "Head of the registry signs"),
                        role="approver",
                        agency="sector:business_registry",
                        days=1,
                        outcomes=("approve", "reject", "return"),
                    ),
                )
            ),
        ),
    ),
    WorkflowSpec(
        id="business_reg.change",
        name=L("Đăng ký thay đổi nội dung doanh nghiệp", "Change of enterprise details"),
        stages=(
            StageSpec(
                (
                    StepSpec(
                        "review",
                        L("Phòng Đăng ký kinh doanh thẩm định thay đổi", "Registry reviews the change"),
                        role="specialist",
                        agency="sector:business_registry",
                        days=2,
                    ),
                )
            ),
            StageSpec(
                (
                    StepSpec(
                        "sign",
                        L("Trưởng phòng Đăng ký kinh doanh ký Giấy chứng nhận", "Head of the registry signs"),
                        role="approver",
                        agency="sector:business_registry",
                        days=1,
                        outcomes=("approve", "reject", "return"),
                    ),
                )
            ),
        ),
    ),
)
