"""The procedures of the business-registration domain (Decree 168/2025/NĐ-CP, Enterprise Law 2020).

National procedure codes are those of the national procedure database for the 2025 procedure set;
docs/plugins/business_reg.md lists them with the decision that published them.
"""

from __future__ import annotations

from datetime import time

from core.api import DocumentRequirement, L, ProcedureSpec

DOMAIN = "business_reg"

HOUSEHOLD = "2.000720"
ENTERPRISE = "1.010026"
CHANGE = "1.010027"

LEGAL_BASIS = (
    "Luật Doanh nghiệp số 59/2020/QH14 (sửa đổi bởi Luật số 76/2025/QH15)",
    "Nghị định số 168/2025/NĐ-CP ngày 30/6/2025 về đăng ký doanh nghiệp",
    "Thông tư số 47/2019/TT-BTC (sửa đổi bởi Thông tư số 64/2025/TT-BTC) về phí, lệ phí đăng ký doanh nghiệp",
)

ALL = (
    ProcedureSpec(
        code=HOUSEHOLD,
        domain=DOMAIN,
        name=L("Đăng ký thành lập hộ kinh doanh", "Registration of a household business"),
        agency_level="commune",
        processing_days=3,
        legal_basis=(LEGAL_BASIS[1], "Nghị quyết của HĐND tỉnh về lệ phí đăng ký hộ kinh doanh"),
        documents=(
            DocumentRequirement(
                "application",
                L("Giấy đề nghị đăng ký hộ kinh doanh", "Household business registration application"),
                originals=1,
                copies=0,
                template="Mẫu Phụ lục III-1, Thông tư 68/2025/TT-BTC",
            ),
            DocumentRequirement(
                "family_minutes",
                L(
                    "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh",
                    "Minutes of the family members' meeting",
                ),
                originals=1,
                copies=0,
                required=False,
                note=L(
                    "Chỉ khi các thành viên hộ gia đình cùng đăng ký hộ kinh doanh",
                    "Only when family members register together",
                ),
            ),
            DocumentRequirement(
                "authorisation",
                L("Văn bản ủy quyền cho người đi nộp hồ sơ", "Authorisation of the person submitting"),
                originals=1,
                copies=0,
                required=False,
                note=L("Khi không phải chủ hộ trực tiếp nộp", "When not submitted by the owner"),
            ),
        ),
        form="business_reg.household",
        workflow="business_reg.household",
        results=("household_certificate",),
        online_level="toan_trinh",
        cutoff=time(17, 0),
        fee_summary=L(
            "Lệ phí theo Nghị quyết của HĐND tỉnh (thường 100.000 đồng)",
            "Fee set by the provincial council (usually 100,000 VND)",
        ),
        result_name=L("Giấy chứng nhận đăng ký hộ kinh doanh", "Household business registration certificate"),
        description=L(
            "Cá nhân hoặc thành viên hộ gia đình đăng ký thành lập hộ kinh doanh tại cơ quan đăng ký kinh "
            "doanh cấp xã; "
            "thông tin được chuyển sang cơ quan thuế để cấp mã số thuế.",
            "An individual or family members register a household business at the commune; the data goes to tax.",
        ),
    ),
    ProcedureSpec(
        code=ENTERPRISE,
        domain=DOMAIN,
        name=L(
            "Đăng ký thành lập doanh nghiệp (công ty trách nhiệm hữu hạn, công ty cổ phần, doanh nghiệp tư nhân)",
            "Establishment of an enterprise (limited liability company, joint-stock company, private enterprise)",
        ),
        agency_level="department",
        processing_days=3,
        legal_basis=LEGAL_BASIS,
        documents=(
            DocumentRequirement(
                "application",
                L("Giấy đề nghị đăng ký doanh nghiệp", "Enterprise registration application"),
                originals=1,
                copies=0,
                template="Phụ lục I, Thông tư 68/2025/TT-BTC",
            ),
            DocumentRequirement(
                "charter",
                L("Điều lệ công ty", "Company charter"),
                originals=1,
                copies=0,
                required=False,
                note=L("Không áp dụng với doanh nghiệp tư nhân", "Not for a private enterprise"),
            ),
            DocumentRequirement(
                "members",
                L("Danh sách thành viên hoặc cổ đông sáng lập", "List of members or founding shareholders"),
                originals=1,
                copies=0,
                required=False,
                note=L(
                    "Công ty TNHH hai thành viên trở lên, công ty cổ phần",
                    "Multi-member LLC, joint-stock company",
                ),
            ),
            DocumentRequirement(
                "owner_ids",
                L(
                    "Bản sao giấy tờ pháp lý của cá nhân là thành viên, người đại diện theo pháp luật",
                    "Copies of the legal papers of members and the legal representative",
                ),
                copies=1,
                required=False,
                note=L(
                    "Không phải nộp khi đã kê khai số định danh cá nhân (Điều 24 Nghị định 168/2025)",
                    "Not needed when the personal ID number is declared",
                ),
            ),
        ),
        form="business_reg.enterprise",
        workflow="business_reg.enterprise",
        results=("enterprise_certificate",),
        online_level="toan_trinh",
        sets=1,
        max_sets=1,  # NĐ 168/2025 Art. 9: one set; the office may not ask for more (R47)
        cutoff=time(17, 0),
        fee_summary=L(
            "Lệ phí 50.000 đồng (miễn khi nộp trực tuyến); phí công bố 100.000 đồng",
            "Fee 50,000 VND (free online); publication fee 100,000 VND",
        ),
        result_name=L("Giấy chứng nhận đăng ký doanh nghiệp", "Enterprise registration certificate"),
        description=L(
            "Một bộ hồ sơ; mã số doanh nghiệp đồng thời là mã số thuế do cơ quan thuế cấp song song với "
            "việc thẩm định hồ sơ.",
            "One set of documents; the enterprise code is also the tax code, issued by tax in parallel "
            "with the review.",
        ),
    ),
    ProcedureSpec(
        code=CHANGE,
        domain=DOMAIN,
        name=L("Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "Change of registered enterprise details"),
        agency_level="department",
        processing_days=3,
        legal_basis=LEGAL_BASIS,
        documents=(
            DocumentRequirement(
                "notice",
                L("Thông báo thay đổi nội dung đăng ký doanh nghiệp", "Notice of changed details"),
                originals=1,
                copies=0,
                template="Phụ lục II-1, Thông tư 68/2025/TT-BTC",
            ),
            DocumentRequirement(
                "decision",
                L(
                    "Nghị quyết, quyết định của chủ sở hữu, Hội đồng thành viên hoặc Đại hội đồng cổ đông "
                    "về việc thay đổi",
                    "Resolution of the owner, members' council or shareholders' meeting",
                ),
                originals=1,
                copies=0,
            ),
        ),
        form="business_reg.change",
        workflow="business_reg.change",
        results=("enterprise_certificate",),
        online_level="toan_trinh",
        cutoff=time(17, 0),
        fee_summary=L(
            "Lệ phí 50.000 đồng (miễn khi nộp trực tuyến); phí công bố 100.000 đồng",
            "Fee 50,000 VND (free online); publication fee 100,000 VND",
        ),
        result_name=L(
            "Giấy chứng nhận đăng ký doanh nghiệp (cấp lại theo nội dung thay đổi)",
            "Updated enterprise registration certificate",
        ),
    ),
)

CODES = (HOUSEHOLD, ENTERPRISE, CHANGE)
"""Codes of this domain's procedures."""
