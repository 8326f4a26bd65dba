"""Hook specifications: the contract between motcua core and domain plugins.

Three kinds of hooks:

* **declaration** hooks are synchronous and pure; ``core.catalogue.registry.build()`` calls them once at
  startup, attributes every spec to its plugin, validates the whole set and freezes it;
* **runtime** hooks may return a value or an awaitable (core resolves both); they receive read-only
  views, never database rows;
* **event** hooks run after commit from the job runner and must be idempotent on the event id.

Every hook is documented in ``docs/plugin_hooks.md`` with its exact signature (a test checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Awaitable, Mapping, Sequence

    from jinja2 import Environment
    from litestar import Request
    from litestar.types import ControllerRouterHandler

    from core.contract.estore import EDataStore
    from core.contract.signing import DocumentSigner
    from core.contract.specs import (
        AgencyRef,
        DomainInfo,
        FeeQuote,
        FieldError,
        FormSpec,
        JobSpec,
        MenuItem,
        NationalPortalSpec,
        NotificationChannelSpec,
        Panel,
        PaymentGatewaySpec,
        PermissionSpec,
        ProcedureSpec,
        RegistrySpec,
        ResultDocumentSpec,
        StepSpec,
        WorkflowSpec,
    )
    from core.contract.views import (
        AccountEvent,
        ApplicationContext,
        AssignContext,
        DemoContext,
        DossierData,
        EventContext,
        EventData,
        FeeContext,
        TransitionView,
        UserView,
    )

hookspec = pluggy.HookspecMarker("motcua")
hookimpl = pluggy.HookimplMarker("motcua")

# --- Declarations: called once at startup --------------------------------------------------------


@hookspec
def domain_info() -> DomainInfo | None:
    """Declare the plugin's administrative domain.

    Called once at startup. A domain plugin returns exactly one ``DomainInfo``; core's own plugins
    return None. The domain code is the prefix of its permissions; ``slug`` (else the code) is the
    URL prefix of its pages.

    Returns:
        The domain, or None for plugins that add no domain.
    """


@hookspec
def register_procedures() -> Sequence[ProcedureSpec]:
    """Declare the administrative procedures this plugin owns.

    Called once at startup. Must be pure: no database or network access. Codes must be unique across
    all plugins; a duplicate stops startup and names both plugins. Every referenced form, workflow and
    result document must be declared by some plugin.

    Returns:
        The procedures, in the order they should be listed in the catalogue.
    """


@hookspec
def register_forms() -> Sequence[FormSpec]:
    """Declare application forms as data.

    Called once at startup. Core renders the pages, parses and normalises answers, runs the
    declarative validators (with their Vietnamese messages) and saves drafts.

    Returns:
        The forms; ids must be unique across plugins.
    """


@hookspec
def register_workflows() -> Sequence[WorkflowSpec]:
    """Declare processing routes (quy trình, liên thông).

    Called once at startup. A route is a sequence of stages; a stage's steps run in parallel. The
    steps' day budgets (excluding suspending steps; parallel steps count once) may not exceed the
    statutory time of any procedure that uses the route.

    Returns:
        The workflows; ids must be unique across plugins.
    """


@hookspec
def register_result_documents() -> Sequence[ResultDocumentSpec]:
    """Declare result documents (certificates, licences, extracts).

    Called once at startup. Each spec's ``issue(ctx)`` is awaited by core inside the approval
    transaction, so the plugin's registry and the dossier's state change commit together.
    ``ctx["params"]`` holds what the actor entered with the action (the extra keys of the action's
    body): a step that takes structured input (a tax officer's assessed amounts) reads and
    validates it there and raises ``InvalidInput`` with field errors to refuse it. Declaring those
    keys as the spec's ``inputs`` makes the staff dossier page ask them with the step's form.

    Returns:
        The result documents; ids must be unique across plugins.
    """


@hookspec
def register_permissions() -> Sequence[PermissionSpec]:
    """Declare permissions the plugin checks, with the roles that hold them by default.

    Called once at startup. Codes are prefixed with the domain code (``<domain>.registry.view``).
    A user holds a permission when one of their roles is among its ``default_roles``; a province
    administrator holds every permission. Core enforces them: a page declares
    ``guards=[core.api.requires_permission(code)]``, and code that only adapts what it shows asks
    ``core.api.has_permission(user, None, code)``. A plugin never checks role names itself.

    Returns:
        The permissions.
    """


@hookspec
def register_registries() -> Sequence[RegistrySpec]:
    """Declare the registries the plugin keeps, so core applies one rule to their personal data.

    Called once at startup. Each ``RegistrySpec`` names its personal fields (paths in the record the
    plugin's page builds), who keeps it (agency ``keeper_kinds``, and/or ``keeper(record)``: the id or
    code of the agency that keeps that record) and how a dossier is about a record
    (``dossier_codes(record)`` written on it, ``dossier_answers(record)``: answer sets that name it).
    The plugin's pages never decide themselves: they pass the record to
    ``core.api.registry_view(registry_id, record, user)`` and render what it returns. Staff of a keeping
    agency, or of an agency that holds an active step on a dossier about the record, get the whole
    record and each such read is written to the audit log (who, when, which record, why); other staff
    get the public part (the personal paths removed). Search pages that show personal data filter
    with ``core.api.keeper_scope(registry_id, user)`` and log with ``registry_views``.

    Returns:
        The registries; ids (``<domain>.<name>``, the plugin's own domain) must be unique.
    """


@hookspec
def register_routes() -> Sequence[ControllerRouterHandler]:
    """Declare Litestar route handlers, controllers or routers for the plugin's own pages.

    Called once when the app is built. A domain plugin's handlers are mounted under ``/{slug}/``
    (``DomainInfo.slug``, else the code); core's own plugins mount at the root. Old addresses
    declared with ``core.api.moved(old_path, route_name)`` are mounted at the root and answer a 301.
    Every handler declares who may call it: a guard from ``core.api`` (``requires_permission(code)``
    with a permission from ``register_permissions``, ``requires_login``), or
    ``opt=core.api.public("why anyone may")``; a route with neither fails
    ``tests/contract/test_route_guards.py``. The handler reads the signed-in user as ``request.user``
    (None when nobody is signed in). HTML handlers set ``include_in_schema=False``.

    Returns:
        Route handlers, controllers or routers.
    """


@hookspec
def register_jobs() -> Sequence[JobSpec]:
    """Declare background task functions and cron schedules.

    Called once at startup. Tasks are ``async def task(ctx, **kwargs)``, idempotent, and run by the
    arq worker (``REDIS_URL`` set) and the in-process runner alike.

    Returns:
        The jobs; names must be unique.
    """


@hookspec
def register_payment_gateways() -> Sequence[PaymentGatewaySpec]:
    """Declare online payment platforms (the province's payment gateway, the national portal's).

    Called when payments are offered or a platform calls back. Core ships none. Each gateway has a
    ``name`` (``[a-z0-9_]+``, recorded as the payment method ``gateway:<name>``), a Vietnamese
    ``label``, ``start(payment)`` (returns the URL to send the payer to; may be async) and
    ``verify(params)`` (checks the platform's callback and returns a ``GatewayResult`` with the
    payment id, ``paid``/``failed``/``pending`` and the platform's reference; raises ``ValueError``
    when the callback does not verify). A verified ``paid`` result records the payment with its
    electronic receipt, exactly as a payment at the counter.

    Returns:
        The gateways; the first registration of a name wins.
    """


@hookspec
def register_notification_channels() -> Sequence[NotificationChannelSpec]:
    """Declare delivery channels for notifications (an SMS gateway, Zalo OA, a mail relay).

    Called when a message is delivered. For each kind (``email``, ``sms``) the first channel whose
    ``build()`` returns a configured channel delivers; core's own (SMTP from ``MOTCUA_SMTP_URL``, the
    HTTP SMS gateway from ``MOTCUA_SMS_URL``) are registered last, so a plugin's channel wins; with
    none configured the message waits on the outbox page. A channel's ``send`` returns ``"sent"`` and
    raises on failure (the delivery task records the error and retries).

    Returns:
        The channels.
    """


@hookspec
def register_national_portals() -> Sequence[NationalPortalSpec]:
    """Declare connections to the national public-service portal (R6, R38).

    Called when a dossier changes state and when the sync jobs run. The first spec whose ``build()``
    returns a configured client is used; core's reference client (HTTP + JSON to
    ``MOTCUA_NATIONAL_PORTAL_URL``, ``core.nation.client``) is registered last, so a province's own
    adapter wins. With none configured nothing is queued. Every exchange runs from the outbox (tasks
    ``national_push``, ``national_pull``, ``national_reconcile``): retried with back-off, idempotent on
    the dossier code and the message id, failures on the background-jobs page with a resend button.

    Returns:
        The portal connections (``NationalPortalSpec``: ``name``, ``label``, ``build``).
    """


@hookspec
def register_piccolo_app() -> str | None:
    """Name the plugin's Piccolo app module (its tables and ``migrations/<domain>/``).

    Called when the Piccolo configuration is loaded (before the app starts), so it must not import
    anything heavy.

    Returns:
        Dotted path of a module exposing ``APP_CONFIG``, or None when the plugin has no tables.
    """


@hookspec
def register_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``motcua`` sub-commands (imports, registry maintenance).

    Called when the command line is built. Add a parser with ``subparsers.add_parser(name)`` and set
    ``func`` with ``parser.set_defaults(func=callable)``; the callable receives the parsed namespace.

    Args:
        subparsers: The ``argparse`` sub-parsers object of the ``motcua`` command.
    """


# --- Runtime ---------------------------------------------------------------------------------------


@hookspec
def validate_application(
    procedure: ProcedureSpec, page: str | None, data: Mapping[str, Any], ctx: ApplicationContext
) -> Sequence[FieldError] | Awaitable[Sequence[FieldError]]:
    """Check an application beyond the declarative validators (registry lookups, cross-field rules).

    Called for every plugin; all results are concatenated. Registry conflicts must name the
    conflicting record by its public identifier and never reveal another person's data.

    Args:
        procedure: The procedure applied for.
        page: The form page being checked, or None for the whole application (check answers/submit).
        data: The normalised answers so far.
        ctx: ``agency`` (``AgencyRef`` of the receiving agency), ``user`` (the applicant's ``UserView``
            or None at the counter) and ``today`` (``date`` in Vietnam).

    Returns:
        Field errors in Vietnamese; ``[]`` for procedures the plugin does not own.
    """


@hookspec(firstresult=True)
def assign_step(
    dossier: DossierData, step: StepSpec, ctx: AssignContext
) -> AgencyRef | None | Awaitable[AgencyRef | None]:
    """Pick the concrete agency for a route step (e.g. the commune named in the application).

    Stops at the first non-None result. Core's own implementation (``trylast``) resolves the
    standard selectors (``receiving``, ``parent``, ``level:…``, ``sector:…``).

    Args:
        dossier: The dossier being received (``DossierView.as_dict()``: its new code, procedure code,
            receiving agency, application data…).
        step: The step to place.
        ctx: ``agencies``: an ``AgencyDirectory`` with ``by_id``, ``by_code``, ``sector(kind, under=None)``
            and ``ancestor(agency_id, level)``.

    Returns:
        The agency that will hold the step, or None to let another plugin (or core) decide.
    """


@hookspec(firstresult=True)
def compute_fee(procedure: ProcedureSpec, application: Mapping[str, Any], ctx: FeeContext) -> FeeQuote | None:
    """Quote the fees and charges for an application.

    Stops at the first non-None result. The owning plugin answers for its procedures; a province
    add-on may override with ``@hookimpl(tryfirst=True)``.

    Args:
        procedure: The procedure applied for.
        application: The applicant's validated answers.
        ctx: ``fees`` (the province's fee amounts in force: ``{fee_code: amount}``), ``channel``
            (``counter``, ``post``, ``online``), ``today`` and ``agency``.

    Returns:
        The quote, or None when this plugin does not price this procedure.
    """


@hookspec
def menu_items(user: UserView | None, request: Request[Any, Any, Any]) -> Sequence[MenuItem]:
    """Navigation links for the current user.

    Called on every page render (whole pages and htmx fragments alike, before the template is
    rendered); all results are merged and sorted by ``order``. Must be quick and do no IO: decide from
    the user's roles.

    Args:
        user: The signed-in user, or None for a visitor: a ``UserView`` with ``id``, ``username``,
            ``full_name``, ``grants`` (``{(agency_id, role)}``), ``roles`` (the set of role names),
            ``has_role(role, agency_id=None)``, ``agencies_with(*roles)`` and ``is_staff``.
        request: The Litestar request of the page being rendered (its ``url``, ``query_params``;
            the language is ``core.api``'s current one).

    Returns:
        Menu items the user may follow.
    """


@hookspec
def dossier_panels(
    dossier: DossierData, user: UserView | None, request: Request[Any, Any, Any]
) -> Sequence[Panel] | Awaitable[Sequence[Panel]]:
    """Extra sections on a dossier's page (a registry record, linked dossiers).

    Args:
        dossier: The dossier shown (``DossierView.as_dict()``).
        user: The viewer (``UserView``), or None.
        request: The Litestar request.

    Returns:
        Panels (template + context) rendered by core, in ``order``.
    """


@hookspec
def prepare_jinja_environment(env: Environment) -> None:
    """Add filters, globals and tests to the Jinja environment (e.g. registry-number formatting).

    Called once when the app is built.

    Args:
        env: The Jinja environment shared by all pages.
    """


@hookspec
def template_context(
    template_name: str, request: Request[Any, Any, Any] | None
) -> Mapping[str, Any] | Awaitable[Mapping[str, Any]]:
    """Extra variables for a template; resolved before rendering (templates never do IO).

    Args:
        template_name: The template being rendered.
        request: The Litestar request, or None outside a request (PDFs).

    Returns:
        Variables to merge into the context.
    """


@hookspec
def after_transition(
    transition: TransitionView,
) -> Mapping[str, Any] | None | Awaitable[Mapping[str, Any] | None]:
    """React to a dossier's transition inside its write transaction (creation included).

    Called after the dossier, its event and the audit entry are written and before the commit, so
    what the implementation writes commits with the transition, and an exception (``NotAllowed``,
    ``InvalidInput`` …) rolls the whole transition back and reaches the actor. Core's own features
    are implementations: ``core.jobs`` queues the event's dispatch (``tryfirst``), ``core.fees``
    stores the fee quote at receipt and refuses to hand a result over while fees are owed,
    ``core.documents`` queues the legal forms and result documents (``trylast``). Work that may
    wait for the commit (mail, SMS, portal sync) belongs in ``on_dossier_event`` instead.

    Args:
        transition: The transition: ``action``, ``from_state``, ``to_state``, ``event_id``, ``seq``,
            ``at``, ``actor``, ``agency_id``, ``step``, ``note``, ``params``, ``event_data``,
            ``dossier`` (its columns after the change), ``procedure``, ``forms`` and ``results``
            (what the action asks to be printed); ``await transition.receiving_agency()`` gives the
            receiving agency's ``AgencyRef``.

    Returns:
        None, or keys to add to the event's data (written once every implementation has run).
    """


@hookspec
def on_dossier_event(event: EventData, dossier: DossierData, ctx: EventContext) -> Awaitable[None] | None:
    """React to a lifecycle event after it was committed (from the outbox, by the job runner).

    Must be idempotent on ``event["id"]``: the runner delivers at least once.

    Args:
        event: The event's view (``id``, ``action``, ``from_state``, ``to_state``, ``step``, ``note``,
            ``actor_id``, ``agency_id``, ``at``).
        dossier: The dossier after the event (``DossierView.as_dict()``).
        ctx: ``job``: the delivery attempt (``outbox_id``, ``job_try``); core services come from ``core.api``.

    Returns:
        None, or an awaitable.
    """


@hookspec
def on_account_event(event: AccountEvent) -> Awaitable[None] | None:
    """React to an account event, inside the transaction that records it (so a mail is queued only
    for what was committed). Core's notify uses it to write to the account's owner.

    Args:
        event: ``action``: ``registered`` (a citizen account was opened) or ``registration_duplicate``
            (someone tried to register with this existing account's CCCD or e-mail; the visitor was
            not told); ``user_id``, ``username``, ``full_name``, ``email`` of the account; ``fields``
            (which of ``cccd``, ``email`` matched); ``ip``; ``at``; ``agency_name`` (the province).

    Returns:
        None, or an awaitable.
    """


@hookspec
def on_payment(payment_id: int, dossier_id: int) -> int | None | Awaitable[int | None]:
    """React to a payment just settled (recorded at the counter, or confirmed by a payment gateway),
    inside the transaction that records it, so what an implementation writes commits with the payment.

    Core's documents implements it to issue the electronic receipt (biên lai): it numbers the receipt on
    the payment and queues its PDF, and returns the document's id, which ``record_payment`` hands back
    as ``document_id``.

    Args:
        payment_id: The payment (kind ``payment``, status ``paid``).
        dossier_id: Its dossier.

    Returns:
        None (core's documents: the receipt's document id), or an awaitable of it.
    """


@hookspec(firstresult=True)
def document_signer() -> DocumentSigner | None:
    """Give the service that signs documents digitally (PAdES, R8, R11, R31, R33).

    Called when a document marked for signing has been rendered (in the document job) and when the
    verification page checks a signature (for its trust roots). The first non-None answer is used. Core's
    answer (``trylast``) is a software key store made for the demo and the tests, unless
    ``MOTCUA_SIGNING=off``; a province answers with its PKCS#11 tokens or remote signing service (see
    ``docs/integration.md``).

    Returns:
        A ``core.contract.signing.DocumentSigner``, or None to leave it to another plugin.
    """


@hookspec(firstresult=True)
def e_data_store() -> EDataStore | None:
    """Give the adapter to the citizen's electronic data store (R29, R31).

    Called by the delivery job of a signed electronic result. The first non-None answer is used. Core's
    answer (``trylast``) is the reference HTTP adapter when ``MOTCUA_ESTORE_URL`` is set, else None (no
    delivery is queued).

    Returns:
        A ``core.contract.estore.EDataStore``, or None.
    """


# --- Commands --------------------------------------------------------------------------------------


@hookspec
def seed_demo_data(ctx: DemoContext) -> Awaitable[None] | None:
    """Load realistic demo data for ``motcua demo`` (registry rows, dossiers at every state).

    Must be safe to run twice (check before inserting).

    Args:
        ctx: ``agencies`` (``{code: AgencyRef}``), ``users`` (``{username: user id}``), ``today``.

    Returns:
        None, or an awaitable.
    """
