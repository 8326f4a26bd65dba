"""JSON API v1: the procedure catalogue (``GET /api/v1/procedures``, ``GET /api/v1/procedures/{code}``).

Public (no token): the same information as the catalogue pages. A procedure no agency takes in gives
410 problem+json; an unknown code 404.
"""

from __future__ import annotations

from typing import overload

import msgspec
from litestar import Controller, get
from litestar.params import Parameter

from core.catalogue import search as catalogue_search
from core.catalogue.details import ProcedureDetails, details
from core.catalogue.registry import get_catalogue
from core.contract.errors import Unavailable
from core.contract.specs import L, ProcedureSpec
from core.identity.guards import public
from core.json_api.openapi import document_problems

__all__ = ("ProceduresController", "ProcedureSummary", "ProcedureDetail")


class Label(msgspec.Struct):
    vi: str
    en: str


class ProcedureSummary(msgspec.Struct):
    """One procedure in a list."""

    code: str
    name: Label
    domain: str
    domain_name: Label
    agency_level: str
    processing_days: float
    online_level: str
    fee_summary: Label | None
    url: str


class DocumentOut(msgspec.Struct):
    code: str
    name: Label
    originals: int
    copies: int
    required: bool
    note: Label | None
    template: str | None


class ChoiceOut(msgspec.Struct):
    value: str
    label: Label


class FieldOut(msgspec.Struct):
    name: str
    label: Label
    widget: str
    required: bool
    hint: Label | None
    choices: list[ChoiceOut]
    validators: list[str]
    show_if: dict[str, str] | None


class PageOut(msgspec.Struct):
    id: str
    title: Label
    fields: list[FieldOut]
    show_if: dict[str, str] | None


class StepOut(msgspec.Struct):
    stage: int
    id: str
    name: Label
    role: str
    agency: str
    days: float
    share_percent: int
    suspends_clock: bool


class FeeLineOut(msgspec.Struct):
    code: str
    label: Label
    amount: int
    legal_basis: str


class AgencyOut(msgspec.Struct):
    code: str
    name: str
    address: str
    phone: str


class ProcedureDetail(msgspec.Struct):
    """A procedure with its documents, form fields, route, fees (empty application) and agencies."""

    code: str
    name: Label
    domain: str
    domain_name: Label
    agency_level: str
    processing_days: float
    remote_area_extra_days: int
    online_level: str
    cutoff: str
    sets: int
    financial_obligation: bool
    supplement_policy: str
    legal_basis: list[str]
    documents: list[DocumentOut]
    form: list[PageOut]
    steps: list[StepOut]
    fee_lines: list[FeeLineOut]
    fee_total: int
    fee_summary: Label | None
    agencies: list[AgencyOut]


@overload
def _l(value: L) -> Label: ...
@overload
def _l(value: L | None) -> Label | None: ...
def _l(value: L | None) -> Label | None:
    return None if value is None else Label(vi=value.vi, en=value.en or value.vi)


def _summary(p: ProcedureSpec) -> ProcedureSummary:
    domain = get_catalogue().domains[p.domain]
    return ProcedureSummary(
        code=p.code,
        name=_l(p.name),
        domain=p.domain,
        domain_name=_l(domain.name),
        agency_level=p.agency_level,
        processing_days=p.processing_days,
        online_level=p.online_level,
        fee_summary=_l(p.fee_summary),
        url=f"/thu-tuc/{p.code}",
    )


def _detail(info: ProcedureDetails) -> ProcedureDetail:
    p = info.spec
    lines = list(info.quote.lines) if info.quote else []
    return ProcedureDetail(
        code=p.code,
        name=_l(p.name),
        domain=p.domain,
        domain_name=_l(info.domain.name),
        agency_level=p.agency_level,
        processing_days=p.processing_days,
        remote_area_extra_days=p.remote_area_extra_days,
        online_level=p.online_level,
        cutoff=p.cutoff.strftime("%H:%M"),
        sets=p.sets,
        financial_obligation=p.financial_obligation,
        supplement_policy=p.supplement_policy,
        legal_basis=list(p.legal_basis),
        documents=[
            DocumentOut(
                code=d.code,
                name=_l(d.name),
                originals=d.originals,
                copies=d.copies,
                required=d.required,
                note=_l(d.note),
                template=d.template,
            )
            for d in p.documents
        ],
        form=[
            PageOut(
                id=page.id,
                title=_l(page.title),
                show_if=dict(page.show_if) if page.show_if else None,
                fields=[
                    FieldOut(
                        name=f.name,
                        label=_l(f.label),
                        widget=f.widget,
                        required=f.required,
                        hint=_l(f.hint),
                        choices=[ChoiceOut(value=v, label=_l(lab)) for v, lab in f.choices],
                        validators=[v.kind for v in f.validators],
                        show_if=dict(f.show_if) if f.show_if else None,
                    )
                    for f in page.fields
                ],
            )
            for page in info.form.pages
        ],
        steps=[
            StepOut(
                stage=s.stage,
                id=s.step.id,
                name=_l(s.step.name),
                role=s.step.role,
                agency=s.step.agency,
                days=s.step.days,
                share_percent=s.percent,
                suspends_clock=bool(s.step.suspends_for),
            )
            for s in info.steps
        ],
        fee_lines=[
            FeeLineOut(
                code=line.code,
                label=_l(line.label),
                amount=line.amount,
                legal_basis=line.legal_basis
                or (info.fee_rows[line.code].legal_basis if line.code in info.fee_rows else ""),
            )
            for line in lines
        ],
        fee_total=sum(line.amount for line in lines),
        fee_summary=_l(p.fee_summary),
        agencies=[
            AgencyOut(code=a["code"], name=a["name"], address=a["address"] or "", phone=a["phone"] or "")
            for a in info.agencies
        ],
    )


class ProceduresController(Controller):
    path = "/api/v1/procedures"
    tags = ["procedures"]
    opt = public("the public procedure catalogue, as on the catalogue pages")
    security: list = []  # public: no token

    @get("/", summary="Search the procedure catalogue", include_in_schema=True)
    async def list_procedures(
        self,
        q: str | None = Parameter(
            default=None, description="Words of the name or the code; accents optional."
        ),
        domain: str | None = Parameter(default=None, description="Domain code."),
        agency: str | None = Parameter(default=None, description="Agency code: only procedures it takes in."),
        online_level: str | None = Parameter(default=None, description="toan_trinh or mot_phan."),
    ) -> list[ProcedureSummary]:
        """Procedures taken in by at least one agency (or by ``agency``), matching the filters."""
        found = await catalogue_search.search(
            (q or "")[:200],
            domain=domain or None,
            agency_code=agency or None,
            online_level=online_level or None,
        )
        return [_summary(p) for p in found]

    @get(
        "/{code:str}",
        summary="One procedure with its documents, form, route and fees",
        include_in_schema=True,
    )
    async def get_procedure(self, code: str) -> ProcedureDetail:
        """The procedure; 404 when the code is unknown, 410 when no agency takes it in now."""
        info = await details(code)
        if not info.available:
            raise Unavailable(
                f'Thủ tục "{info.spec.name.vi}" ({code}) hiện không được cơ quan nào tiếp nhận.'
            )
        return _detail(info)


document_problems(ProceduresController.list_procedures, codes=(400,))
document_problems(ProceduresController.get_procedure, codes=(400, 404, 410))
