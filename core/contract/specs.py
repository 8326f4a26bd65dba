"""Specs: the frozen declarations plugins hand to core through the declaration hooks.

Every label is an ``L`` (Vietnamese first, English second). Specs are validated once at startup by
``core.catalogue.registry`` and never mutated afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal

__all__ = (
    "L",
    "DomainInfo",
    "DocumentRequirement",
    "ProcedureSpec",
    "Validator",
    "FieldSpec",
    "PageSpec",
    "FormSpec",
    "StepSpec",
    "StageSpec",
    "WorkflowSpec",
    "FeeLine",
    "FeeQuote",
    "ResultDocumentSpec",
    "PermissionSpec",
    "MenuItem",
    "Panel",
    "JobSpec",
    "RegistrySpec",
    "FieldError",
    "AgencyRef",
    "ROLES",
    "INTAKE_CHANNELS",
    "AGENCY_LEVELS",
    "ONLINE_LEVELS",
    "VALIDATOR_KINDS",
    "GatewayResult",
    "PaymentGatewaySpec",
    "NotificationChannelSpec",
    "NationalPortalSpec",
)

INTAKE_CHANNELS: tuple[str, ...] = ("truc_tuyen", "truc_tiep", "buu_chinh")
"""How a dossier may come in (R1, R7): online, at the desk, by public post."""

ROLES: tuple[str, ...] = (
    "citizen",
    "receiver",
    "specialist",
    "approver",
    "agency_admin",
    "province_admin",
    "postal_agent",
)
"""Roles granted per agency (DESIGN.md, security model)."""

AGENCY_LEVELS: tuple[str, ...] = ("province", "department", "district", "commune", "sector")
"""Where an agency sits: the province, a provincial department, a district-level unit (three-tier
provinces only), a commune, or a sector agency (police, tax, treasury, social insurance, post)."""

ONLINE_LEVELS: tuple[str, ...] = ("toan_trinh", "mot_phan")
"""Decree 42/2022 Art. 11: full-process online, or partial."""

VALIDATOR_KINDS: frozenset[str] = frozenset(
    (
        "required",
        "cccd",
        "phone",
        "email",
        "date_not_future",
        "date_not_past",
        "min_length",
        "max_length",
        "regex",
        "int_range",
        "choice",
        "age_at_least",
        "tax_code",
        "vsic",
        "positive_int",
    )
)
"""Every declarative validator kind a ``Validator`` may name; the form engine implements each one."""


@dataclass(frozen=True, slots=True)
class L:
    """A label in Vietnamese (required, with diacritics) and English."""

    vi: str
    """The Vietnamese text, as shown by default."""
    en: str = ""
    """The English rendering; falls back to Vietnamese when empty."""

    def get(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi

    def __str__(self) -> str:
        return self.vi


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """One administrative domain (lĩnh vực) owned by one plugin."""

    code: str
    """Short identifier (``"<domain>"``): prefix of the plugin's permission, registry and job names."""
    name: L
    """Name of the domain."""
    sectors: tuple[str, ...] = ()
    """Sector/field codes of the national procedure database this domain covers."""
    version: str = "1"
    """Version of the plugin's declarations (shown in the admin pages)."""
    slug: str = ""
    """URL prefix of the plugin's pages, Vietnamese like core's (``"dat-dai"`` → ``/dat-dai/...``);
    empty: the code."""


@dataclass(frozen=True, slots=True)
class DocumentRequirement:
    """One component of the dossier (thành phần hồ sơ)."""

    code: str
    """Stable identifier inside the procedure (upload slot name)."""
    name: L
    """Name of the document as the law writes it."""
    originals: int = 0
    """Number of originals (bản chính) to submit."""
    copies: int = 1
    """Number of copies (bản sao) to submit."""
    required: bool = True
    """False for documents needed only in some cases (see ``note``)."""
    note: L | None = None
    """When the document is needed, or what may replace it."""
    template: str | None = None
    """Name of the official template (e.g. ``"Mẫu số 15/ĐK"``), when there is one."""
    upload: bool = True
    """True when the online channel has an upload slot for it."""


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    """An administrative procedure (thủ tục hành chính) as declared by its plugin.

    The time limit, documents, fees and route declared here are the *defaults*; the province's
    effective-dated overrides live in the database (``ProcedureVersion``), and a dossier is bound
    to the version in force when it was received.
    """

    code: str
    """National procedure code (``"1.001193"``), unique across plugins."""
    domain: str
    """``DomainInfo.code`` of the owning plugin."""
    name: L
    """Official name."""
    agency_level: str
    """Level of the agency that receives and decides (one of ``AGENCY_LEVELS``)."""
    processing_days: float
    """Statutory time limit in working days (0 = the same working day)."""
    legal_basis: tuple[str, ...]
    """Legal texts the procedure rests on, as they are cited."""
    documents: tuple[DocumentRequirement, ...]
    """The dossier components."""
    form: str
    """Id of the ``FormSpec`` the applicant fills in."""
    workflow: str
    """Id of the ``WorkflowSpec`` (the route)."""
    results: tuple[str, ...] = ()
    """Ids of the ``ResultDocumentSpec`` issued on approval."""
    online_level: str = "mot_phan"
    """``toan_trinh`` or ``mot_phan`` (``ONLINE_LEVELS``)."""
    sets: int = 1
    """Number of dossier sets (bộ hồ sơ) to submit."""
    cutoff: time = time(15, 0)
    """Dossiers received after this time start their clock on the next working day."""
    supplement_policy: Literal["restart", "pause"] = "restart"
    """Whether a supplement restarts the clock from zero or pauses it."""
    supplement_limit_days: int = 15
    """Working days the applicant has to supply what is missing before the dossier is closed."""
    financial_obligation: bool = False
    """True when a tax/treasury obligation splits the time into two appointments."""
    remote_area_extra_days: int = 0
    """Extra working days granted when the receiving commune is flagged remote (e.g. 10, per the sector decree)."""
    remote_area_basis: str = ""
    """The legal basis of ``remote_area_extra_days`` as cited (R19), recorded on each extended clock;
    required when the extension is declared."""
    max_sets: int | None = None
    """The most dossier sets the law lets the agency ask for (R47: company registration, one set,
    NĐ 168/2025 Art. 9); declaring ``sets`` above it is refused at registration."""
    originals_at_return: bool = False
    """True when a document required as an original but submitted as a copy or scan must have its
    original handed in before the result is returned (R30; e.g. the property sector)."""
    fee_summary: L | None = None
    """One-line fee description for the catalogue (amounts come from the fee table)."""
    description: L | None = None
    """Who may apply and how, in one paragraph."""
    intake_channels: tuple[str, ...] = INTAKE_CHANNELS
    """How the procedure may be submitted (R1): a subset of ``INTAKE_CHANNELS``; another is refused."""
    result_channels: tuple[str, ...] = ("counter", "post", "online")
    """How the result may be returned."""
    result_name: L | None = None
    """What the applicant receives (certificate, licence, extract)."""
    effective_from: date = date(2025, 7, 1)
    """First day this declaration is in force."""
    code_system: str | None = None
    """For procedures served by a nationally centralised system (TT 03/2025 Art. 13 cl. 3): the 2 digits
    ``AA`` of the system owner's identifier; dossier codes then read ``{agency eid}-{YYMMDD}-{AA}{seq}``."""


@dataclass(frozen=True, slots=True)
class Validator:
    """A declarative field check, evaluated by ``core.forms``.

    ``kind`` is one of ``VALIDATOR_KINDS`` (``required``, ``cccd``, ``phone``, ``email``,
    ``date_not_future``, ``date_not_past``, ``min_length``, ``max_length``, ``regex``, ``int_range``,
    ``choice``, ``age_at_least``, ``tax_code``, ``vsic``, ``positive_int``).
    """

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None
    """Vietnamese message overriding the default one."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One question on a form page."""

    name: str
    """Key of the answer (``snake_case``, unique in the form)."""
    label: L
    """The question or label."""
    widget: str = "text"
    """``text``, ``textarea``, ``date``, ``number``, ``select``, ``radio``, ``checkbox``, ``cccd``,
    ``phone``, ``email``, ``money``."""
    required: bool = True
    hint: L | None = None
    choices: tuple[tuple[str, L], ...] = ()
    """For ``select``/``radio``: (value, label) pairs."""
    validators: tuple[Validator, ...] = ()
    show_if: Mapping[str, str] | None = None
    """Only asked when every ``{field: value}`` pair matches earlier answers."""


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of a form (GOV.UK: one thing per page, where it makes sense)."""

    id: str
    title: L
    fields: tuple[FieldSpec, ...]
    show_if: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FormSpec:
    """An application form declared as data; core renders, parses and validates it."""

    id: str
    title: L
    pages: tuple[PageSpec, ...]

    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for p in self.pages for f in p.fields)


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step of a route, done by one role at one agency."""

    id: str
    """Unique in the workflow."""
    name: L
    role: str
    """Role that acts on the step (``specialist``, ``approver``, …)."""
    agency: str = "receiving"
    """Agency selector: ``receiving`` (the receiving agency), ``parent`` (its parent),
    ``level:<level>`` (nearest ancestor or the province's agency at that level),
    ``sector:<kind>`` (the province's sector agency: ``tax``, ``police``, ``social_insurance``,
    ``treasury``, ``post``, ``business_registry``), or any value a plugin's ``assign_step``
    understands."""
    days: float = 0.0
    """Share of the statutory time, in working days."""
    suspends_for: str | None = None
    """When set, the clock stops while this step runs and its time is excluded
    (``tax_payment``, ``public_posting``, ``appraisal``)."""
    outcomes: tuple[str, ...] = ("complete", "return", "supplement")
    """What the actor may do: complete, send back (``return``), ask for a ``supplement``,
    ``approve``/``reject`` (decision steps)."""
    appointment: int | None = None
    """For procedures with a financial obligation: the step that closes appointment 1 or 2."""
    results: tuple[str, ...] = ()
    """Ids of result documents issued when this step completes (inside its transaction), for routes
    where each agency produces its own result (one application, several agencies, several results)."""


@dataclass(frozen=True, slots=True)
class StageSpec:
    """Steps that run at the same time; the stage completes when all of them have."""

    steps: tuple[StepSpec, ...]


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """The processing route (quy trình liên thông) of one or more procedures."""

    id: str
    name: L
    stages: tuple[StageSpec, ...]

    def steps(self) -> tuple[StepSpec, ...]:
        return tuple(s for stage in self.stages for s in stage.steps)

    def budget_days(self) -> float:
        """Working days counted against the statutory limit (parallel steps: the longest; excluded
        steps count nothing)."""
        return sum(max((s.days for s in st.steps if not s.suspends_for), default=0.0) for st in self.stages)


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One fee or charge."""

    code: str
    label: L
    amount: int
    """Integer VND."""
    legal_basis: str = ""
    exempt_reason: L | None = None
    """Set when the line is waived (amount then 0)."""


@dataclass(frozen=True, slots=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True, slots=True)
class ResultDocumentSpec:
    """A result document (certificate, licence, extract) issued on approval.

    ``issue`` is awaited by core *inside* the approval transaction: it writes the plugin's registry
    and returns the registry number and the data printed on the document.
    """

    id: str
    name: L
    template: str
    """Print template, e.g. ``"<domain>/certificate.html"``."""
    book: str
    """Numbering book (sổ), e.g. ``"GCN"``."""
    signer_role: str = "approver"
    issue: Callable[[Any], Awaitable[Mapping[str, Any]]] | None = None
    inputs: tuple[FieldSpec, ...] = ()
    """What the officer enters when the step that issues this document completes (e.g. a tax
    authority's assessed amounts): asked on the staff dossier page with that step's form, accepted
    by the JSON API in the action body, and given to ``issue`` as ``ctx["params"]``, which validates
    them (raise ``InvalidInput`` with one message per field)."""


@dataclass(frozen=True, slots=True)
class PermissionSpec:
    code: str
    """Dotted permission code, prefixed by the domain: ``"<domain>.registry.view"``."""
    description: L
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MenuItem:
    href: str
    label: L
    order: int = 100


@dataclass(frozen=True, slots=True)
class Panel:
    """An extra section on the dossier page: a template and its context."""

    title: L
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A background task; ``cron`` is ``None`` or an arq cron keyword dict (``{"hour": 1, "minute": 5}``)."""

    name: str
    func: Callable[..., Awaitable[Any]]
    cron: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RegistrySpec:
    """A registry a plugin keeps in its own tables, declared so core applies ONE personal-data rule.

    Staff of an agency that keeps the registry, or whose agency holds an active step on a dossier about
    the record, see the whole record; other staff see its public part; every read of the personal part
    by staff is written to the audit log (``core.api.registry_view``). Citizens and visitors are not
    widened by this: a page shows them what it showed before (at most the public part).
    """

    id: str
    """``<domain>.<name>`` (at most 32 characters): the audit log's object type of a read."""
    name: L
    """What the registry is called (shown in the audit log)."""
    personal: tuple[str, ...]
    """Paths of the personal fields in the record the plugin's page hands to core: a key, or keys
    joined by dots with ``*`` for every item of a list (``"owners"``, ``"titles.*.holders"``)."""
    key: Callable[[Mapping[str, Any]], str]
    """The record's identifier as written in the audit log (the one in the page's URL)."""
    keeper_kinds: tuple[str, ...] = ()
    """Agency kinds (``Agency.kind``, e.g. ``"land_registry"``) whose staff keep every record."""
    keeper: Callable[[Mapping[str, Any]], int | str | None] | None = None
    """The agency that keeps this record: its id (``int``) or its code (``str``), e.g. the agency that
    registered it; None when only the ``keeper_kinds`` keep it."""
    dossier_codes: Callable[[Mapping[str, Any]], Iterable[str]] | None = None
    """Codes of the dossiers written on the record (the ones that created or changed it)."""
    dossier_answers: Callable[[Mapping[str, Any]], Iterable[Mapping[str, Any]]] | None = None
    """Sets of answers that name the record in a dossier of the plugin's domain: a dossier is about the
    record when its answers hold every key of one set with the same value (case and spaces ignored)."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """A validation error attached to one field (``field=None``: the whole form)."""

    field: str | None
    message: str
    """Vietnamese, specific: says what is wrong and how to put it right."""


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: int
    code: str
    name: str
    level: str
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class GatewayResult:
    """What a gateway's ``verify`` found in the platform's callback."""

    payment_id: int
    """The motcua payment the callback is about (passed to the platform by ``start``)."""
    status: str
    """``paid``, ``failed`` or ``pending``."""
    reference: str = ""
    """The platform's transaction reference."""


@dataclass(frozen=True, slots=True)
class PaymentGatewaySpec:
    """An online payment platform."""

    name: str
    """Identifier (``[a-z0-9_]+``), used in URLs and as the payment method ``gateway:<name>``."""
    label: L
    """Name shown to the payer."""
    start: Callable[[Mapping[str, Any]], str | Awaitable[str]]
    """Given the pending payment (``id``, ``dossier_code``, ``amount``, ``return_url``), return the
    URL to redirect the payer to."""
    verify: Callable[[Mapping[str, Any]], GatewayResult | Awaitable[GatewayResult]]
    """Given the callback's parameters, check their signature with the platform and return the result.
    Raise ``ValueError`` for a callback that does not verify."""


@dataclass(frozen=True, slots=True)
class NotificationChannelSpec:
    """A way to deliver notifications of one kind (an SMS gateway, Zalo OA, a mail relay)."""

    kind: str
    """What it delivers: ``email`` or ``sms`` (the ``Notification.channel`` it serves)."""
    name: str
    """Identifier (``[a-z0-9_]+``), named in the delivery log and the admin pages."""
    label: L
    """Name shown to staff."""
    build: Callable[[], Any]
    """Return the configured channel (an object with ``async send(to, subject, body) -> str`` that
    returns ``"sent"`` and raises on failure), or ``None`` when it is not configured here."""


@dataclass(frozen=True, slots=True)
class NationalPortalSpec:
    """A connection to the national public-service portal (Cổng Dịch vụ công quốc gia, R6, R38).

    ``build()`` returns the configured client, or ``None`` when it is not configured here. The client
    has four coroutines (docs/integration.md describes the data set, TT 04/2025/TT-VPCP):

    * ``push(message) -> str``: send one dossier's data set (``MaThongDiep`` is the message id, unique
      per change; the portal must treat a message id it has seen as done); returns the portal's
      acknowledgement reference;
    * ``pull() -> Sequence[Mapping]``: dossiers submitted on the portal and not yet acknowledged;
    * ``acknowledge(code, reference) -> None``: tell the portal a pulled dossier is in (idempotent);
    * ``snapshot(day) -> Sequence[Mapping]``: the portal's record (``MaHoSo``, ``TrangThaiHoSo``,
      ``PhienBan``, ``SoThanhToan``, ``SoDanhGia``) of every dossier it got a change of on ``day``
      (Vietnam time), for the daily reconciliation.

    Any exception is retried with back-off by the outbox; one whose class says ``retryable = False``
    (the portal refused the message as invalid) fails at once and waits on the outbox page.
    """

    name: str
    """Identifier (``[a-z0-9_]+``), named in the sync log and the admin page."""
    label: L
    """Name shown to staff."""
    build: Callable[[], Any]
    """Return the configured client, or ``None`` when it is not configured here."""
