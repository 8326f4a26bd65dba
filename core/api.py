"""The public surface for plugins: the only core module a plugin may import.

Everything re-exported here is part of the contract; anything else in ``core`` may change without
notice. See ``docs/plugin_hooks.md`` and ``docs/write_a_plugin.md``.
"""

from __future__ import annotations

from core.catalogue.service import fee_amounts, is_enabled, set_enabled, set_fee
from core.confusables import fold_confusables
from core.contract.errors import (
    Conflict,
    InvalidInput,
    MotcuaError,
    NotAllowed,
    NotFound,
    StaleVersion,
    Unavailable,
)
from core.contract.hookspecs import hookimpl  # noqa: E402  (defined beside the spec marker; core's own hooks import it there)
from core.contract.specs import (
    AGENCY_LEVELS,
    ONLINE_LEVELS,
    ROLES,
    AgencyRef,
    DocumentRequirement,
    DomainInfo,
    FeeLine,
    FeeQuote,
    FieldError,
    FieldSpec,
    FormSpec,
    GatewayResult,
    JobSpec,
    L,
    MenuItem,
    NationalPortalSpec,
    NotificationChannelSpec,
    PageSpec,
    Panel,
    PaymentGatewaySpec,
    PermissionSpec,
    ProcedureSpec,
    RegistrySpec,
    ResultDocumentSpec,
    StageSpec,
    StepSpec,
    Validator,
    WorkflowSpec,
)
from core.contract.views import (
    AccountEvent,
    AgencyDirectory,
    ApplicationContext,
    AssignContext,
    DemoContext,
    DossierData,
    DossierView,
    EventContext,
    EventData,
    EventView,
    FeeContext,
    KeeperScope,
    RecordView,
    StepData,
    StepView,
    UserView,
)
from core.db.tx import write_tx
from core.dossiers import service as dossiers
from core.fees.service import balance_due, record_payment
from core.forms.validators import vsic_name
from core.identity.current import load_user
from core.identity.guards import public, requires_login, requires_permission  # route access (guards.py)
from core.identity.permissions import has_permission
from core.registries.access import (
    keeper_scope,
    registry_view,
    registry_views,
    split_personal,
)
from core.web.render import flash, page

"""Marker for hook implementations: ``@hookimpl`` (``tryfirst``/``trylast`` accepted)."""

__all__: tuple[str, ...] = (
    "hookimpl",
    "write_tx",
    "dossiers",
    "fee_amounts",
    "is_enabled",
    "set_enabled",
    "set_fee",
    "UserView",
    "load_user",
    "balance_due",
    "record_payment",
    "vsic_name",
    "registry_view",
    "registry_views",
    "keeper_scope",
    "split_personal",
    "RecordView",
    "KeeperScope",
    "fold_confusables",
    "public",
    "requires_login",
    "requires_permission",
    "has_permission",
    "DossierView",
    "EventView",
    "StepView",
    "DossierData",
    "StepData",
    "EventData",
    "AccountEvent",
    "AgencyDirectory",
    "ApplicationContext",
    "AssignContext",
    "FeeContext",
    "EventContext",
    "DemoContext",
    "page",
    "flash",
    "MotcuaError",
    "NotFound",
    "NotAllowed",
    "Conflict",
    "StaleVersion",
    "InvalidInput",
    "Unavailable",
    "AGENCY_LEVELS",
    "ONLINE_LEVELS",
    "ROLES",
    "AgencyRef",
    "DocumentRequirement",
    "DomainInfo",
    "FeeLine",
    "FeeQuote",
    "FieldError",
    "FieldSpec",
    "FormSpec",
    "GatewayResult",
    "JobSpec",
    "L",
    "MenuItem",
    "PageSpec",
    "Panel",
    "PaymentGatewaySpec",
    "NotificationChannelSpec",
    "NationalPortalSpec",
    "PermissionSpec",
    "ProcedureSpec",
    "RegistrySpec",
    "ResultDocumentSpec",
    "StageSpec",
    "StepSpec",
    "Validator",
    "WorkflowSpec",
)

# Shared helpers for plugins (addresses, words, time, JSON, demo), kept in one block.
from core.contract.views import load_json  # noqa: E402
from core.contract.vntime import VN_TZ, vn_now, vn_today  # noqa: E402
from core.demo_driver import DemoDriver, DemoWords, demo_staff  # noqa: E402
from core.fees.words import amount_in_words, number_to_words  # noqa: E402
from core.text.i18n import gettext, ngettext  # noqa: E402
from core.web.moved import moved  # noqa: E402

__all__ += (
    "moved",
    "gettext",
    "ngettext",
    "VN_TZ",
    "vn_now",
    "vn_today",
    "load_json",
    "amount_in_words",
    "number_to_words",
    "DemoDriver",
    "DemoWords",
    "demo_staff",
)
