"""Who may call a route, declared on the route: Litestar guards that say what they check.

Every route of the application declares its access in one of two ways (``tests/contract/
test_route_guards.py`` walks the built app's route table and fails for a route that does neither):

- a guard from this module (on the handler, or on its controller or router):

  ``requires_login``           any signed-in user;
  ``reads_dossier``            any signed-in user, and the handler answers ``access.not_found`` (the
                               same 404 as an unknown code) unless the user may read the dossier it names;
  ``requires_staff``           a user with a role other than ``citizen``;
  ``requires_role(*roles)``    a user holding one of ``roles`` at some agency;
  ``requires_permission(p)``   a user holding permission ``p`` (core's or one a plugin registered with
                               ``register_permissions``) at some agency; a province administrator holds
                               every permission;

- or ``opt={"public": "why anyone may call it"}`` (``public(reason)`` builds that mapping).

``rate_limited(kind)`` is a guard of another sort (it declares no access): it counts the request
against the client address's limit of ``kind`` (``core.identity.throttle.limit``) and refuses it with
a 429 once over. The public doors a stranger can hammer carry it: sign-in, registration, the status
look-up and the verification page.

The signed-in user is ``request.user`` (set by ``core.identity.auth.AuthMiddleware`` before guards
run): from the session for pages, from the bearer token for ``/api/``.

Not signed in → ``NotAuthorizedException`` (a page redirects to ``/dang-nhap?next=…``, the API answers
401); signed in without the right → ``PermissionDeniedException`` (a 403 page or problem+json), or
``NotAllowed(message)`` when the route gives its own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from core.contract.errors import NotAllowed
from core.contract.views import UserView
from core.identity import throttle
from core.identity.api_auth import token_refusal
from core.identity.auth import API_PREFIX
from core.identity.permissions import has_permission

__all__ = (
    "Access",
    "Declared",
    "declared_access",
    "is_automatic_options",
    "public",
    "rate_limited",
    "reads_dossier",
    "requires_login",
    "requires_permission",
    "requires_role",
    "requires_staff",
    "route_table",
    "RouteAccess",
    "signed_in",
)

PUBLIC_KEY = "public"
"""The handler ``opt`` key that marks a route as open to anyone; its value says why."""


def is_automatic_options(handler: Any) -> bool:
    """Whether ``handler`` is the ``OPTIONS`` handler Litestar adds to every path (it answers ``204``
    with the ``Allow`` header and reads nothing, so it needs no declaration)."""
    fn = getattr(handler, "fn", None)
    return (
        set(getattr(handler, "http_methods", ())) == {"OPTIONS"}
        and getattr(fn, "__module__", "") == "litestar.routes.http"
        and getattr(fn, "__name__", "") == "options_handler"
    )


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> UserView:
    """The signed-in user of ``connection`` (``request.user``), or ``NotAuthorizedException``."""
    user = connection.scope.get("user")
    if user is None:
        if connection.scope.get("path", "").startswith(API_PREFIX):
            raise await token_refusal(connection)
        from core.identity.kept_forms import keep

        await keep(connection)  # a form sent after the session expired survives the sign-in
        raise NotAuthorizedException("Vui lòng đăng nhập để tiếp tục.")
    return user  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Access:
    """A guard that declares what it checks.

    Attributes:
        kind: ``signed_in``, ``staff``, ``role`` or ``permission``.
        roles: the roles a ``role`` guard accepts.
        permission: the permission code a ``permission`` guard requires.
        object_rule: what the handler checks on the object the address names after the guard passed
            (``"dossier"``: readable by the user, else the uniform 404), or ``None``.
        message: the refusal message shown to a signed-in user without the right (Vietnamese), or
            ``None`` for the generic "your account may not open this page".
    """

    kind: str
    roles: tuple[str, ...] = ()
    permission: str | None = None
    object_rule: str | None = None
    message: str | None = None

    @property
    def __name__(self) -> str:  # Litestar and tracebacks name guards by their function name
        return f"access_{self.describe()}"

    def describe(self) -> str:
        """A short, stable description: ``signed_in``, ``signed_in+dossier``, ``role:province_admin``…"""
        if self.kind == "role":
            text = "role:" + "|".join(self.roles)
        elif self.kind == "permission":
            text = f"permission:{self.permission}"
        else:
            text = self.kind
        return f"{text}+{self.object_rule}" if self.object_rule else text

    def allows(self, user: UserView | None) -> bool:
        """Whether ``user`` (``None``: nobody signed in) passes this guard."""
        if user is None:
            return False
        if self.kind == "signed_in":
            return True
        if self.kind == "staff":
            return user.is_staff
        if self.kind == "role":
            return any(user.has_role(r) for r in self.roles)
        if self.kind == "permission":
            return self.permission is not None and has_permission(user, None, self.permission)
        return False  # an unknown kind never opens a door

    async def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
        if is_automatic_options(handler):  # a guard on a controller also covers its generated OPTIONS
            return
        user = await signed_in(connection)
        if self.allows(user):
            return
        if self.message:
            raise NotAllowed(self.message)
        raise PermissionDeniedException("Tài khoản của bạn không có quyền mở trang này.")


requires_login = Access("signed_in")
"""Guard: any signed-in user."""

reads_dossier = Access("signed_in", object_rule="dossier")
"""Guard: any signed-in user; the handler then reads the dossier through ``core.dossiers.access``
(``readable_id``, ``readable_view``) or ``core.documents.access.dossier_for_user``, which answer the same
404 for a dossier the user may not read as for one that does not exist. A 403 here would reveal that
the dossier exists, so the guard asks no more than a signed-in user."""


def requires_staff(message: str | None = None) -> Access:
    """Guard factory: a user with a role other than ``citizen`` (at any agency)."""
    return Access("staff", message=message)


def requires_role(*roles: str, message: str | None = None) -> Access:
    """Guard factory: the user holds one of ``roles`` at some agency."""
    if not roles:
        raise ValueError("requires_role needs at least one role")
    return Access("role", roles=tuple(roles), message=message)


def requires_permission(permission: str, *, message: str | None = None) -> Access:
    """Guard factory: the user holds ``permission`` at some agency (``has_permission``). An unknown code
    is never held; the route-table test checks that every declared permission is registered."""
    return Access("permission", permission=permission, message=message)


def public(reason: str) -> dict[str, str]:
    """The ``opt`` of a route anyone may call: ``@get(..., opt=public("status look-up by code"))``."""
    if not reason.strip():
        raise ValueError("a public route says why it is public")
    return {PUBLIC_KEY: reason}


def rate_limited(kind: str, *, only_with: str | None = None) -> Any:
    """Guard factory: count the request against the limit of ``kind`` for its client address
    (``throttle.limit``; ``TooManyRequests``, a 429 with ``Retry-After``, once over).

    Args:
        kind: a key of ``throttle.DEFAULT_RATE_LIMITS``.
        only_with: count only requests carrying this query parameter (the look-up form itself, opened
            empty, looks nothing up).
    """
    if kind not in throttle.DEFAULT_RATE_LIMITS:
        raise ValueError(f"unknown rate limit {kind!r}")

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: Any) -> None:
        if is_automatic_options(handler):
            return
        if only_with is not None and only_with not in connection.query_params:
            return
        await throttle.limit(kind, connection.client.host if connection.client else "")

    guard.__name__ = f"rate_limited_{kind}"
    guard.__qualname__ = guard.__name__
    return guard


@dataclass(frozen=True, slots=True)
class Declared:
    """What a route handler declares about its access (its own layer and every layer above it).

    Attributes:
        guards: the ``Access`` guards, from the app down to the handler.
        public: the reason given with ``opt={"public": …}``, or ``None``.
        other_guards: names of guards that declare nothing (e.g. the app's input checks).
    """

    guards: tuple[Access, ...]
    public: str | None
    other_guards: tuple[str, ...]

    @property
    def declared(self) -> bool:
        return bool(self.guards) or bool(self.public and self.public.strip())

    def describe(self) -> str:
        if self.guards:
            return " & ".join(g.describe() for g in self.guards)
        return f"public: {self.public}" if self.public else "undeclared"


def declared_access(handler: Any) -> Declared:
    """The access ``handler`` (a Litestar route handler of a built app) declares."""
    guards: list[Access] = []
    other: list[str] = []
    opt: dict[str, Any] = {}
    for layer in handler.ownership_layers:
        for g in getattr(layer, "guards", None) or ():
            if isinstance(g, Access):
                guards.append(g)
            else:
                other.append(getattr(g, "__name__", repr(g)))
        layer_opt = getattr(layer, "opt", None)
        if isinstance(layer_opt, Mapping):
            opt.update(layer_opt)
    reason = opt.get(PUBLIC_KEY)
    return Declared(tuple(guards), reason if isinstance(reason, str) else None, tuple(other))


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """One row of the application's route table: a path, a method and what its handler declares."""

    path: str
    method: str
    handler: Any
    access: Declared

    @property
    def name(self) -> str:
        fn = getattr(self.handler, "fn", None)
        return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', self.handler.handler_name)}"


def route_table(app: Any) -> list[RouteAccess]:
    """Every (path, method) of the built ``app`` (plugin routes included) with its declared access,
    sorted; Litestar's automatic ``OPTIONS`` handlers are left out. The authorisation matrix and the
    route-guard test start from this list, so a route added later cannot escape them."""
    rows = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if is_automatic_options(handler):
                continue
            methods = sorted(getattr(handler, "http_methods", None) or ("WEBSOCKET",))
            for method in methods:
                rows.append(RouteAccess(route.path, method, handler, declared_access(handler)))
    return sorted(rows, key=lambda r: (r.path, r.method))
