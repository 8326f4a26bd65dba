"""Application forms as data (one topic per page; the API accepts them whole)."""

from __future__ import annotations

from core.api import FieldSpec, FormSpec, L, PageSpec, Validator

ENTERPRISE_TYPES = (
    ("dntn", L("Doanh nghiệp tư nhân", "Private enterprise")),
    ("tnhh1", L("Công ty trách nhiệm hữu hạn một thành viên", "Single-member limited liability company")),
    (
        "tnhh2",
        L("Công ty trách nhiệm hữu hạn hai thành viên trở lên", "Multi-member limited liability company"),
    ),
    ("cp", L("Công ty cổ phần", "Joint-stock company")),
)

CHANGE_KINDS = (
    ("address", L("Địa chỉ trụ sở chính", "Head-office address")),
    ("representative", L("Người đại diện theo pháp luật", "Legal representative")),
    ("capital", L("Vốn điều lệ", "Charter capital")),
    ("lines", L("Ngành, nghề kinh doanh", "Business lines")),
)

_CCCD = (Validator("cccd"),)
_PHONE = (Validator("phone"),)
_BIRTH = (
    Validator("date_not_future"),
    Validator(
        "age_at_least", {"years": 18}, "Người đăng ký phải đủ 18 tuổi trở lên (Điều 17 Luật Doanh nghiệp)"
    ),
)
_LINES = (Validator("vsic"),)


def _person(prefix: str, title: L) -> PageSpec:
    return PageSpec(
        id=prefix,
        title=title,
        fields=(
            FieldSpec(
                f"{prefix}_name",
                L("Họ và tên", "Full name"),
                validators=(Validator("min_length", {"min": 2}),),
            ),
            FieldSpec(
                f"{prefix}_cccd",
                L("Số định danh cá nhân (CCCD)", "Personal ID number"),
                widget="cccd",
                validators=(Validator("cccd", {"birth_date": f"{prefix}_birth_date"}),),
            ),
            FieldSpec(
                f"{prefix}_birth_date", L("Ngày sinh", "Date of birth"), widget="date", validators=_BIRTH
            ),
            FieldSpec(f"{prefix}_phone", L("Số điện thoại", "Phone"), widget="phone", validators=_PHONE),
            FieldSpec(f"{prefix}_address", L("Nơi cư trú", "Residence")),
        ),
    )


HOUSEHOLD = FormSpec(
    id="business_reg.household",
    title=L("Giấy đề nghị đăng ký hộ kinh doanh", "Household business registration"),
    pages=(
        _person("owner", L("Chủ hộ kinh doanh", "Owner of the household business")),
        PageSpec(
            id="business",
            title=L("Thông tin hộ kinh doanh", "The household business"),
            fields=(
                FieldSpec(
                    "business_name",
                    L("Tên hộ kinh doanh", "Name of the household business"),
                    hint=L(
                        "Gồm cụm từ “Hộ kinh doanh” và tên riêng, ví dụ: Hộ kinh doanh Minh Anh",
                        "“Hộ kinh doanh” followed by a proper name",
                    ),
                    validators=(
                        Validator(
                            "regex",
                            {"pattern": r"(?i)^hộ kinh doanh\s+\S"},
                            "Tên phải bắt đầu bằng cụm từ “Hộ kinh doanh” và có tên riêng",
                        ),
                    ),
                ),
                FieldSpec("business_address", L("Địa điểm kinh doanh", "Place of business")),
                FieldSpec(
                    "business_lines",
                    L(
                        "Ngành, nghề kinh doanh (mã VSIC cấp 4, cách nhau bởi dấu phẩy)",
                        "Business lines (VSIC level-4 codes, comma-separated)",
                    ),
                    validators=_LINES,
                ),
                FieldSpec(
                    "capital",
                    L("Vốn kinh doanh (đồng)", "Business capital (VND)"),
                    widget="money",
                    validators=(Validator("int_range", {"min": 1_000_000, "max": 100_000_000_000}),),
                ),
                FieldSpec(
                    "employees",
                    L("Số lao động", "Number of workers"),
                    widget="number",
                    validators=(Validator("int_range", {"min": 0, "max": 1000}),),
                ),
            ),
        ),
    ),
)

ENTERPRISE = FormSpec(
    id="business_reg.enterprise",
    title=L("Giấy đề nghị đăng ký doanh nghiệp", "Enterprise registration application"),
    pages=(
        PageSpec(
            id="company",
            title=L("Loại hình và tên doanh nghiệp", "Type and name"),
            fields=(
                FieldSpec(
                    "enterprise_type",
                    L("Loại hình doanh nghiệp", "Type of enterprise"),
                    widget="radio",
                    choices=ENTERPRISE_TYPES,
                ),
                FieldSpec(
                    "company_name",
                    L("Tên doanh nghiệp bằng tiếng Việt", "Name in Vietnamese"),
                    hint=L(
                        "Gồm loại hình và tên riêng, ví dụ: Công ty TNHH Sông Đồng Nai",
                        "Type followed by a proper name",
                    ),
                    validators=(Validator("min_length", {"min": 5}),),
                ),
                FieldSpec(
                    "company_name_en",
                    L("Tên doanh nghiệp bằng tiếng nước ngoài", "Name in a foreign language"),
                    required=False,
                ),
            ),
        ),
        PageSpec(
            id="office",
            title=L("Trụ sở, vốn và ngành nghề", "Office, capital and business lines"),
            fields=(
                FieldSpec("head_office", L("Địa chỉ trụ sở chính", "Head-office address")),
                FieldSpec(
                    "company_phone",
                    L("Điện thoại doanh nghiệp", "Company phone"),
                    widget="phone",
                    validators=_PHONE,
                ),
                FieldSpec(
                    "company_email",
                    L("Thư điện tử doanh nghiệp", "Company email"),
                    widget="email",
                    required=False,
                    validators=(Validator("email"),),
                ),
                FieldSpec(
                    "charter_capital",
                    L("Vốn điều lệ (đồng)", "Charter capital (VND)"),
                    widget="money",
                    validators=(Validator("int_range", {"min": 1_000_000, "max": 10**15}),),
                ),
                FieldSpec(
                    "business_lines",
                    L(
                        "Ngành, nghề kinh doanh (mã VSIC cấp 4, ngành chính đầu tiên)",
                        "Business lines (VSIC level-4 codes, main line first)",
                    ),
                    validators=_LINES,
                ),
            ),
        ),
        _person("rep", L("Người đại diện theo pháp luật", "Legal representative")),
    ),
)

CHANGE = FormSpec(
    id="business_reg.change",
    title=L("Thông báo thay đổi nội dung đăng ký doanh nghiệp", "Notice of changed details"),
    pages=(
        PageSpec(
            id="enterprise",
            title=L("Doanh nghiệp thay đổi", "The enterprise"),
            fields=(
                FieldSpec(
                    "enterprise_code",
                    L("Mã số doanh nghiệp", "Enterprise code"),
                    validators=(Validator("tax_code"),),
                ),
                FieldSpec(
                    "rep_cccd",
                    L(
                        "Số định danh của người đại diện theo pháp luật đang đăng ký",
                        "ID number of the current legal representative",
                    ),
                    widget="cccd",
                    validators=_CCCD,
                ),
                FieldSpec(
                    "change_kind",
                    L("Nội dung thay đổi", "What changes"),
                    widget="radio",
                    choices=CHANGE_KINDS,
                ),
            ),
        ),
        PageSpec(
            id="new_values",
            title=L("Nội dung mới", "New details"),
            fields=(
                FieldSpec(
                    "new_address",
                    L("Địa chỉ trụ sở mới", "New head-office address"),
                    show_if={"change_kind": "address"},
                ),
                FieldSpec(
                    "new_rep_name",
                    L("Họ và tên người đại diện mới", "New representative's name"),
                    show_if={"change_kind": "representative"},
                ),
                FieldSpec(
                    "new_rep_cccd",
                    L("Số định danh của người đại diện mới", "New representative's ID number"),
                    widget="cccd",
                    validators=_CCCD,
                    show_if={"change_kind": "representative"},
                ),
                FieldSpec(
                    "new_capital",
                    L("Vốn điều lệ mới (đồng)", "New charter capital (VND)"),
                    widget="money",
                    validators=(Validator("int_range", {"min": 1_000_000, "max": 10**15}),),
                    show_if={"change_kind": "capital"},
                ),
                FieldSpec(
                    "new_lines",
                    L("Ngành, nghề kinh doanh mới (mã VSIC cấp 4)", "New business lines (VSIC codes)"),
                    validators=_LINES,
                    show_if={"change_kind": "lines"},
                ),
            ),
        ),
    ),
)

ALL = (HOUSEHOLD, ENTERPRISE, CHANGE)
