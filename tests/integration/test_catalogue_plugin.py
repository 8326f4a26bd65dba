"""A temporary domain plugin for the catalogue tests (registered per test, removed afterwards), and a
check that registering it really adds its declarations to the catalogue."""

from __future__ import annotations

from datetime import date, time

import pytest

from core.api import (
    DocumentRequirement,
    DomainInfo,
    FeeLine,
    FeeQuote,
    FieldError,
    FieldSpec,
    FormSpec,
    L,
    PageSpec,
    ProcedureSpec,
    StageSpec,
    StepSpec,
    Validator,
    WorkflowSpec,
    hookimpl,
)

DOMAIN = "thu_nghiem"
BIRTH = "9.000101"
MARRIAGE = "9.000102"
TRANSFER = "9.000103"


class DemoPlugin:
    """Declares three procedures of a test domain ``thu_nghiem``."""

    @hookimpl
    def domain_info(self):
        return DomainInfo(code=DOMAIN, name=L("Hộ tịch thử nghiệm", "Test civil status"))

    @hookimpl
    def register_forms(self):
        return [
            FormSpec(
                id="tn_khai_sinh",
                title=L("Tờ khai đăng ký khai sinh", "Birth registration form"),
                pages=(
                    PageSpec(
                        id="tre",
                        title=L("Thông tin người được khai sinh", "The child"),
                        fields=(
                            FieldSpec("ho_ten", L("Họ, chữ đệm và tên", "Full name"),
                                      validators=(Validator("max_length", {"value": 60}),)),
                            FieldSpec("ngay_sinh", L("Ngày sinh", "Date of birth"), widget="date",
                                      validators=(Validator("date_not_future"),)),
                            FieldSpec("gioi_tinh", L("Giới tính", "Sex"), widget="radio",
                                      choices=(("nam", L("Nam", "Male")), ("nu", L("Nữ", "Female")))),
                        ),
                    ),
                    PageSpec(
                        id="nguoi_yeu_cau",
                        title=L("Người đi đăng ký", "The applicant"),
                        fields=(
                            FieldSpec("cccd", L("Số định danh cá nhân", "Personal ID number"), widget="cccd",
                                      validators=(Validator("cccd"),)),
                            FieldSpec("dien_thoai", L("Số điện thoại", "Phone"), widget="phone",
                                      validators=(Validator("phone"),)),
                            FieldSpec("uy_quyen", L("Có ủy quyền", "Authorised"), widget="checkbox", required=False),
                            FieldSpec("giay_uy_quyen", L("Số văn bản ủy quyền", "Authorisation number"),
                                      show_if={"uy_quyen": "true"}),
                        ),
                    ),
                ),
            )
        ]

    @hookimpl
    def register_workflows(self):
        return [
            WorkflowSpec(
                id="tn_mot_buoc",
                name=L("Quy trình một bước", "One-step route"),
                stages=(StageSpec((StepSpec("xu_ly", L("Công chức tư pháp xử lý", "Officer"), "specialist", days=0.5),)),
                        StageSpec((StepSpec("ky", L("Chủ tịch ký", "Chair signs"), "approver", days=0.5),))),
            ),
            WorkflowSpec(
                id="tn_lien_thong",
                name=L("Quy trình liên thông", "Linked route"),
                stages=(
                    StageSpec((StepSpec("tiep_nhan", L("Thẩm định hồ sơ", "Review"), "specialist", days=5),)),
                    StageSpec((
                        StepSpec("thue", L("Cơ quan thuế xác định nghĩa vụ", "Tax office"), "specialist",
                                 agency="sector:tax", days=3, suspends_for="tax_payment"),
                        StepSpec("dang_ky", L("Cập nhật hồ sơ địa chính", "Update register"), "specialist", days=2),
                    )),
                    StageSpec((StepSpec("ky", L("Lãnh đạo ký", "Sign"), "approver", days=1),)),
                ),
            ),
        ]

    @hookimpl
    def register_procedures(self):
        docs = (
            DocumentRequirement("to_khai", L("Tờ khai đăng ký khai sinh", "Form"), originals=1, copies=0,
                                template="Mẫu TK-01"),
            DocumentRequirement("giay_chung_sinh", L("Giấy chứng sinh", "Birth certificate from hospital"),
                                originals=1, copies=0),
            DocumentRequirement("uy_quyen", L("Văn bản ủy quyền", "Power of attorney"), originals=0, copies=1,
                                required=False, note=L("Khi nhờ người khác đi đăng ký", "When someone else applies")),
        )
        return [
            ProcedureSpec(
                code=BIRTH, domain=DOMAIN, name=L("Đăng ký khai sinh", "Birth registration"),
                agency_level="commune", processing_days=1, legal_basis=("Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"),
                documents=docs, form="tn_khai_sinh", workflow="tn_mot_buoc", online_level="toan_trinh",
                cutoff=time(15, 0), fee_summary=L("Miễn lệ phí khi đăng ký đúng hạn", "Free when on time"),
            ),
            ProcedureSpec(
                code=MARRIAGE, domain=DOMAIN, name=L("Đăng ký kết hôn", "Marriage registration"),
                agency_level="commune", processing_days=1, legal_basis=("Luật Hộ tịch 2014",),
                documents=docs[:1], form="tn_khai_sinh", workflow="tn_mot_buoc",
            ),
            ProcedureSpec(
                code=TRANSFER, domain=DOMAIN, name=L("Chuyển nhượng quyền sử dụng đất thử nghiệm", "Test transfer"),
                agency_level="department", processing_days=8, legal_basis=("Luật Đất đai 2024",),
                documents=docs[:2], form="tn_khai_sinh", workflow="tn_lien_thong", financial_obligation=True,
                effective_from=date(2025, 7, 1),
            ),
        ]

    @hookimpl
    def compute_fee(self, procedure, application, ctx):
        if procedure.domain != DOMAIN:
            return None
        fees = ctx.get("fees", {})
        return FeeQuote((FeeLine("le_phi_ho_tich", L("Lệ phí hộ tịch", "Civil status fee"),
                                 fees.get("le_phi_ho_tich", 0), legal_basis="Thông tư 85/2019/TT-BTC"),))

    @hookimpl
    def validate_application(self, procedure, page, data, ctx):
        if procedure.domain != DOMAIN:
            return []
        if data.get("ho_ten", "").upper() == "TRÙNG TÊN":
            return [FieldError("ho_ten", "Đã có khai sinh với họ tên này trong sổ hộ tịch (số 12/2025).")]
        return []


@pytest.fixture
def demo_plugin():
    """Register ``DemoPlugin`` for one test; restore the catalogue afterwards."""
    from core.catalogue import registry, versions
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    plugin = DemoPlugin()
    pm.register(plugin, name="catalogue-test-plugin")
    registry.reset()
    versions.clear_cache()
    try:
        yield plugin
    finally:
        pm.unregister(name="catalogue-test-plugin")
        registry.reset()
        versions.clear_cache()


def test_demo_plugin_is_in_the_catalogue(demo_plugin):
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    assert cat.procedure(BIRTH).name.vi == "Đăng ký khai sinh"
    assert cat.owner[f"procedure:{BIRTH}"] == "catalogue-test-plugin"
    assert cat.domain_plugin[DOMAIN] == "catalogue-test-plugin"


def test_catalogue_is_restored_after_the_plugin_leaves():
    from core.catalogue.registry import get_catalogue

    assert get_catalogue().procedure(BIRTH) is None
