"""``create_app()``: the Litestar application — CSRF, DB-backed sessions, templates, OpenAPI,
routes from every plugin (core's own included), lifespan (DB pool, catalogue, job runner)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from litestar import Litestar, Request, Router
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.prometheus import PrometheusConfig
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core import logs
from core.forms.validators import REQUEST_BODY_MAX_BYTES
from core.identity.auth import auth_middleware
from core.identity.guards import public
from core.identity.session_store import DatabaseStore, SessionConfig
from core.json_api.openapi import SECURITY_SCHEMES
from core.plugins import get_plugin_manager
from core.settings import Settings, get_settings
from core.text import i18n
from core.text.templating import build_environment
from core.text.themes import load_theme
from core.web.errors import exception_handlers
from core.web.moved import MOVED_OPT
from core.web.personal_data import dossier_reads
from core.web.security import MotcuaRequest, integer_bounds, security_headers
from core.web.theme import sync_theme

if TYPE_CHECKING:
    from core.contract.specs import DomainInfo

__all__ = ("create_app",)

log = logging.getLogger("motcua")
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _plugin_routes() -> list:
    """Routes from ``register_routes``: core's plugins at the root, a domain plugin under ``/{slug}``
    (its ``DomainInfo.slug``, else its code); the old addresses a plugin declares with
    ``core.api.moved`` at the root, since their paths are whole addresses."""
    pm = get_plugin_manager()
    prefixes = {}
    for impl in pm.hook.domain_info.get_hookimpls():
        info = cast("DomainInfo | None", impl.function())  # pluggy types hook functions as returning object
        if info is not None:
            prefixes[impl.plugin_name] = info.slug or info.code
    handlers: list = []
    for impl in pm.hook.register_routes.get_hookimpls():
        routes = list(cast("Iterable[Any] | None", impl.function()) or [])
        old_addresses = [r for r in routes if isinstance(r, HTTPRouteHandler) and MOVED_OPT in r.opt]
        routes = [r for r in routes if r not in old_addresses]
        handlers.extend(old_addresses)
        if not routes:
            continue
        if impl.plugin_name in prefixes:
            handlers.append(Router(path=f"/{prefixes[impl.plugin_name]}", route_handlers=routes))
        else:
            handlers.extend(routes)
    return handlers


async def _before_request(request: Request) -> None:
    sync_theme(request.app)  # a theme chosen at /quan-tri/giao-dien, in this process or another
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    i18n.set_language(lang)


def _htmx_redirects(app):
    """ASGI middleware: an htmx request answered with a redirect (post/redirect/get) gets ``HX-Redirect``
    instead. Otherwise the browser's XHR follows the 303 itself and htmx swaps the next page, rendered
    as a fragment, into the form's target, without the new header or the flash message. Boosted
    requests are left alone: htmx follows those redirects as whole pages."""

    async def middleware(scope, receive, send):
        headers = dict(scope.get("headers") or ()) if scope["type"] == "http" else {}
        if headers.get(b"hx-request") != b"true" or headers.get(b"hx-boosted") == b"true":
            return await app(scope, receive, send)

        async def send_wrapper(message):
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                location = next((v for k, v in message["headers"] if k.lower() == b"location"), None)
                if location is not None:
                    kept = [(k, v) for k, v in message["headers"] if k.lower() != b"location"]
                    message = {**message, "status": 200, "headers": [*kept, (b"hx-redirect", location)]}
            await send(message)

        return await app(scope, receive, send_wrapper)

    return middleware


_access_log = logging.getLogger("motcua.access")


def _request_ids(app):
    """ASGI middleware: each request gets an id (the client's ``X-Request-ID`` when it is a plain
    token, else a new one), set in ``core.logs.REQUEST_ID`` for every log line written while serving
    it, returned in the ``X-Request-ID`` response header, and one access line at the end (method,
    route template, status, time: never the query string, which may carry a look-up key)."""

    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        offered = next((v for k, v in scope.get("headers") or () if k == b"x-request-id"), b"")
        request_id = logs.new_request_id(offered.decode("latin-1"))
        token = logs.REQUEST_ID.set(request_id)
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {
                    **message,
                    "headers": [*message.get("headers", ()), (b"x-request-id", request_id.encode())],
                }
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            path = scope.get("path_template") or scope.get("path", "")
            if not path.startswith(("/static/", "/theme-static/")):
                _access_log.info(
                    "%s %s %s %.1fms",
                    scope.get("method"),
                    path,
                    status,
                    (time.perf_counter() - start) * 1000,
                    extra={"status": status, "route": path},
                )
            logs.REQUEST_ID.reset(token)

    return middleware


async def _on_startup(app: Litestar) -> None:
    from core.catalogue.registry import get_catalogue
    from core.db.tx import engine

    get_catalogue()  # validates every plugin's declarations; stops startup naming the faulty one
    db = engine()
    if db.engine_type == "postgres" and app.state.settings.db_pool:
        await db.start_connection_pool(min_size=2, max_size=20)
    from core.jobs import runner

    await runner.start(app)


async def _on_shutdown(app: Litestar) -> None:
    from core.db.tx import engine
    from core.jobs import runner

    await runner.stop(app)
    db = engine()
    if db.engine_type == "postgres" and app.state.settings.db_pool:
        try:  # a connection still held by a cancelled request must not hold the stop
            await asyncio.wait_for(db.close_connection_pool(), timeout=5)
        except TimeoutError:
            log.warning("database pool did not close within 5 s; stopping anyway")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    load_theme(settings.theme)  # an unknown MOTCUA_THEME stops the start here, with its message
    env = build_environment(settings.theme)
    assets = public("stylesheets, scripts, fonts and images: no personal data")
    static_routers = [
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], include_in_schema=False, opt=assets
        )
    ]
    # /theme-static/: core.web.theme.theme_static, from whichever theme is in use (chosen while running)
    session_config = SessionConfig(
        store="sessions",
        key="motcua_session",
        max_age=8 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        # a stylesheet must not open (and write) a session
        exclude=["^/static/", "^/theme-static/", "^/theme.css$"],
    )
    # requests and latency by route template (not by path: one series per route, not per dossier code)
    prometheus = PrometheusConfig(
        app_name="motcua",
        prefix="motcua",
        group_path=True,
        exclude_unhandled_paths=True,
        exclude=["^/static/", "^/theme-static/", "^/metrics$", "^/health$"],
    )
    app = Litestar(
        route_handlers=[*static_routers, *_plugin_routes()],
        request_class=MotcuaRequest,
        plugins=[HTMXPlugin()],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(env)),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="csrftoken",
            header_name="x-csrftoken",
            cookie_samesite="lax",
            cookie_secure=settings.base_url.startswith("https://"),
            exclude=["^/api/"],  # anchored: the bearer-token API only, not a page with "/api/" in its path
        ),
        guards=[integer_bounds],
        before_send=[security_headers],
        middleware=[
            _request_ids,
            prometheus.middleware,
            session_config.middleware,
            auth_middleware(),
            dossier_reads,  # who read whose dossier (after the user is known)
            _htmx_redirects,
        ],  # request.user after the session
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024, gzip_compress_level=6),
        stores={"sessions": DatabaseStore()},
        before_request=_before_request,
        exception_handlers=exception_handlers,
        request_max_body_size=REQUEST_BODY_MAX_BYTES,  # uploads set their own, larger limit
        openapi_config=OpenAPIConfig(
            title="motcua API",
            version="1",
            description="Thủ tục hành chính một cửa — API tích hợp (JSON).",
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],  # no CDN-hosted UI
            openapi_router=Router(
                path="/schema", route_handlers=[], opt=public("the JSON API's OpenAPI description: no data")
            ),
            components=Components(security_schemes=dict(SECURITY_SCHEMES)),  # routes say which need a token
        ),
        on_startup=[_on_startup],
        on_shutdown=[_on_shutdown],
        debug=settings.debug,
    )
    app.state.settings = settings
    return app
