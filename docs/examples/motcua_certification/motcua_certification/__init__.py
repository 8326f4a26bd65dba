"""Example domain plugin for motcua: certification of copies from originals (chứng thực bản sao).

A complete, minimal domain: one procedure, its form, its route, its fee rule. Install it next to
motcua with ``pip install -e docs/examples/motcua_certification`` and it appears in the catalogue,
with no change to motcua itself. tests/contract/test_external_plugin.py keeps it working.
"""

from datetime import time

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

DOMAIN = "certification"
CODE = "2.000815"


@hookimpl
def domain_info():
    return DomainInfo(code=DOMAIN, name=L("Chứng thực", "Certification"))


@hookimpl
def register_procedures():
    return [
        ProcedureSpec(
            code=CODE,
            domain=DOMAIN,
            name=L(
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
                "Certification of copies made from originals issued by Vietnamese authorities",
            ),
            agency_level="commune",
            processing_days=0,
            cutoff=time(15, 0),
            legal_basis=("Nghị định 23/2015/NĐ-CP", "Thông tư 226/2016/TT-BTC"),
            documents=(
                DocumentRequirement(
                    "original",
                    L("Bản chính giấy tờ cần chứng thực", "The original document"),
                    originals=1,
                    copies=0,
                    upload=False,
                ),
                DocumentRequirement("copy", L("Bản sao cần chứng thực", "The copies to certify"), copies=1),
            ),
            form="certification.copy",
            workflow="certification.same_day",
            online_level="mot_phan",
            fee_summary=L(
                "2.000 đồng/trang; từ trang thứ 3: 1.000 đồng/trang; tối đa 200.000 đồng/bản",
                "2,000 VND/page; from page 3: 1,000 VND/page; at most 200,000 VND per copy",
            ),
        )
    ]


@hookimpl
def register_forms():
    return [
        FormSpec(
            id="certification.copy",
            title=L("Yêu cầu chứng thực bản sao", "Request to certify copies"),
            pages=(
                PageSpec(
                    id="document",
                    title=L("Giấy tờ cần chứng thực", "Document to certify"),
                    fields=(
                        FieldSpec("document_name", L("Tên giấy tờ", "Name of the document")),
                        FieldSpec(
                            "pages",
                            L("Số trang mỗi bản", "Pages per copy"),
                            widget="number",
                            validators=(Validator("int_range", {"min": 1, "max": 500}),),
                        ),
                        FieldSpec(
                            "copies",
                            L("Số bản sao", "Number of copies"),
                            widget="number",
                            validators=(Validator("int_range", {"min": 1, "max": 50}),),
                        ),
                    ),
                ),
            ),
        )
    ]


@hookimpl
def register_workflows():
    return [
        WorkflowSpec(
            id="certification.same_day",
            name=L("Chứng thực trong ngày", "Same-day certification"),
            stages=(
                StageSpec(
                    (
                        StepSpec(
                            "check",
                            L("Kiểm tra, đối chiếu bản chính", "Compare with the original"),
                            role="specialist",
                        ),
                    )
                ),
                StageSpec(
                    (
                        StepSpec(
                            "sign",
                            L("Ký chứng thực", "Sign the certification"),
                            role="approver",
                            outcomes=("approve", "reject"),
                        ),
                    )
                ),
            ),
        )
    ]


def per_copy_fee(pages: int) -> int:
    """Circular 226/2016/TT-BTC: 2,000 VND for each of the first two pages, 1,000 from the third,
    capped at 200,000 VND per copy."""
    return min(200_000, 2_000 * min(pages, 2) + 1_000 * max(0, pages - 2))


@hookimpl
def compute_fee(procedure, application, ctx):
    if procedure.code != CODE:
        return None
    pages, copies = int(application.get("pages") or 0), int(application.get("copies") or 0)
    return FeeQuote(
        (
            FeeLine(
                "certification.copy",
                L("Phí chứng thực bản sao", "Certification fee"),
                per_copy_fee(pages) * copies,
                "Thông tư 226/2016/TT-BTC",
            ),
        )
    )


@hookimpl
def validate_application(procedure, page, data, ctx):
    if procedure.code != CODE:
        return []
    if page is None and str(data.get("document_name", "")).strip().lower().startswith("bản sao"):
        return [
            FieldError(
                "document_name", "Chỉ chứng thực bản sao từ bản chính, không chứng thực từ một bản sao khác."
            )
        ]
    return []
