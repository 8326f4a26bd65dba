"""Registry validation: a broken declaration stops startup with a message naming the plugin."""

from __future__ import annotations

import dataclasses

import pluggy
import pytest

from core.api import (
    DocumentRequirement,
    DomainInfo,
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
from core.catalogue.registry import PluginError, build
from core.contract import hookspecs

FORM = FormSpec("f1", L("Tờ khai"), (PageSpec("p", L("Trang một"), (FieldSpec("ten", L("Họ và tên")),)),))
WF = WorkflowSpec(
    "w1",
    L("Quy trình"),
    (
        StageSpec((StepSpec("s", L("Xử lý"), "specialist", days=2),)),
        StageSpec((StepSpec("k", L("Ký"), "approver", days=1),)),
    ),
)
PROC = ProcedureSpec(
    code="9.1",
    domain="d1",
    name=L("Cấp giấy phép thử"),
    agency_level="commune",
    processing_days=3,
    legal_basis=("Nghị định 1/2025",),
    documents=(DocumentRequirement("a", L("Đơn đề nghị")),),
    form="f1",
    workflow="w1",
)


class Plugin:
    def __init__(self, domain="d1", procedures=(PROC,), forms=(FORM,), workflows=(WF,)):
        self.domain, self.procedures, self.forms, self.workflows = domain, procedures, forms, workflows

    @hookimpl
    def domain_info(self):
        return DomainInfo(self.domain, L("Lĩnh vực thử nghiệm")) if self.domain else None

    @hookimpl
    def register_procedures(self):
        return list(self.procedures)

    @hookimpl
    def register_forms(self):
        return list(self.forms)

    @hookimpl
    def register_workflows(self):
        return list(self.workflows)


def manager(**plugins) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("motcua")
    pm.add_hookspecs(hookspecs)
    for name, plugin in plugins.items():
        pm.register(plugin, name=name)
    return pm


def broken(**plugins) -> str:
    with pytest.raises(PluginError) as err:
        build(manager(**plugins))
    return str(err.value)


def test_a_valid_plugin_builds_and_is_attributed():
    cat = build(manager(alpha=Plugin()))
    assert cat.procedure("9.1") is PROC
    assert cat.owner["procedure:9.1"] == "alpha" and cat.owner["form:f1"] == "alpha"
    assert cat.domain_plugin == {"d1": "alpha"}


def test_duplicate_procedure_code_names_both_plugins():
    msg = broken(
        alpha=Plugin(),
        beta=Plugin(
            domain="d2",
            forms=(dataclasses.replace(FORM, id="f2"),),
            workflows=(dataclasses.replace(WF, id="w2"),),
            procedures=(dataclasses.replace(PROC, domain="d2", form="f2", workflow="w2"),),
        ),
    )
    assert "'beta'" in msg and "'alpha'" in msg and "9.1" in msg and "trùng mã" in msg


def test_missing_form_or_workflow_names_the_plugin():
    assert "'alpha'" in broken(alpha=Plugin(forms=())) and "biểu mẫu 'f1' không tồn tại" in broken(
        alpha=Plugin(forms=())
    )
    msg = broken(alpha=Plugin(workflows=()))
    assert "'alpha'" in msg and "quy trình 'w1' không tồn tại" in msg


def test_route_longer_than_the_statutory_time_is_refused():
    msg = broken(alpha=Plugin(procedures=(dataclasses.replace(PROC, processing_days=2),)))
    assert "'alpha'" in msg and "cần 3 ngày làm việc" in msg and "vượt thời hạn 2 ngày" in msg


def test_suspending_steps_do_not_count_against_the_time_limit():
    wf = WorkflowSpec(
        "w1",
        L("Quy trình"),
        (
            StageSpec((StepSpec("s", L("Xử lý"), "specialist", days=2),)),
            StageSpec((StepSpec("t", L("Nộp thuế"), "specialist", days=10, suspends_for="tax_payment"),)),
        ),
    )
    assert build(manager(alpha=Plugin(workflows=(wf,)))).workflows["w1"].budget_days() == 2


@pytest.mark.parametrize("label", [L(""), L("Registration of a new permit", "x"), L("   ")])
def test_label_without_vietnamese_is_refused(label):
    msg = broken(alpha=Plugin(procedures=(dataclasses.replace(PROC, name=label),)))
    assert msg.startswith("Plugin 'alpha'") and "thủ tục 9.1" in msg


def test_unknown_validator_kind_and_widget_are_refused():
    bad_kind = FormSpec(
        "f1",
        L("Tờ khai"),
        (
            PageSpec(
                "p", L("Trang một"), (FieldSpec("ten", L("Họ và tên"), validators=(Validator("soundex"),)),)
            ),
        ),
    )
    msg = broken(alpha=Plugin(forms=(bad_kind,)))
    assert "'alpha'" in msg and "'soundex'" in msg
    bad_widget = FormSpec(
        "f1",
        L("Tờ khai"),
        (PageSpec("p", L("Trang một"), (FieldSpec("ten", L("Họ và tên"), widget="slider"),)),),
    )
    assert "'slider'" in broken(alpha=Plugin(forms=(bad_widget,)))


def test_procedure_of_another_plugins_domain_is_refused():
    other = Plugin(
        domain="d2",
        procedures=(dataclasses.replace(PROC, code="9.2"),),
        forms=(dataclasses.replace(FORM, id="f2"),),
        workflows=(dataclasses.replace(WF, id="w2"),),
    )
    msg = broken(alpha=Plugin(), beta=other)
    assert "'beta'" in msg and "của plugin khác" in msg


def test_r47_company_registration_allows_exactly_one_set_and_configuring_more_is_refused():
    from plugins.business_reg import procedures as biz

    company = next(p for p in biz.ALL if p.max_sets is not None)
    assert company.sets == 1 and company.max_sets == 1
    msg = broken(alpha=Plugin(procedures=(dataclasses.replace(PROC, sets=2, max_sets=1),)))
    assert "'alpha'" in msg and "yêu cầu 2 bộ hồ sơ" in msg and "chỉ cho phép yêu cầu 1 bộ" in msg
    assert build(manager(alpha=Plugin(procedures=(dataclasses.replace(PROC, sets=1, max_sets=1),))))


def test_r19_a_remote_area_extension_must_record_its_legal_basis():
    from plugins.land import procedures as land

    assert all(p.remote_area_basis == land.REMOTE_BASIS for p in land.ALL if p.remote_area_extra_days)
    assert "629/QĐ-BNNMT" in land.REMOTE_BASIS and "10 ngày làm việc" in land.REMOTE_BASIS
    msg = broken(alpha=Plugin(procedures=(dataclasses.replace(PROC, remote_area_extra_days=10),)))
    assert "'alpha'" in msg and "vùng sâu, vùng xa" in msg and "căn cứ pháp lý" in msg


def test_r1_a_procedure_declares_its_intake_channels_and_an_unknown_one_is_refused():
    assert PROC.intake_channels == ("truc_tuyen", "truc_tiep", "buu_chinh")
    msg = broken(alpha=Plugin(procedures=(dataclasses.replace(PROC, intake_channels=("fax",)),)))
    assert "'alpha'" in msg and "kênh nộp hồ sơ không hợp lệ" in msg
