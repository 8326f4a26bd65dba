"""The plugin manager: core's default plugins plus every ``motcua.plugins`` entry point."""

from __future__ import annotations

import functools
import importlib
import inspect
import os
from importlib.metadata import entry_points
from typing import Any

import pluggy

from core.contract import hookspecs

__all__ = ("get_plugin_manager", "DEFAULT_PLUGINS", "await_me_maybe", "plugin_piccolo_apps", "reset")

DEFAULT_PLUGINS: tuple[str, ...] = (
    "core.web.hooks",
    "core.identity.hooks",
    "core.catalogue.hooks",
    "core.dossiers.hooks",
    "core.jobs.hooks",
    "core.notify.hooks",
    "core.audit.hooks",
    "core.documents.hooks",
    "core.fees.hooks",
    "core.counter.hooks",
    "core.clock.hooks",
    "core.json_api.hooks",
    "core.stats.hooks",
    "core.nation.hooks",
)
"""Core features registered through the same hooks as domain plugins (Datasette style)."""

ENTRY_POINT_GROUP = "motcua.plugins"


def _new_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("motcua")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    # Entry points are loaded by us (not pm.load_setuptools_entrypoints) so a broken plugin is named.
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # a plugin that cannot be imported must stop startup, named
            raise RuntimeError(f"Không nạp được plugin '{ep.name}' ({ep.value}): {exc}") from exc
        pm.register(plugin, name=ep.name)
    pm.check_pending()
    if os.environ.get("MOTCUA_TRACE_HOOKS") == "1":
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


@functools.cache
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (built once)."""
    return _new_manager()


def reset() -> None:
    """Forget the plugin manager (tests that install a plugin package)."""
    get_plugin_manager.cache_clear()


async def await_me_maybe(value: Any) -> Any:
    """Resolve a hook result that may be a value or an awaitable."""
    if inspect.isawaitable(value):
        return await value
    return value


def plugin_piccolo_apps() -> list[str]:
    """Piccolo app modules declared by plugins (for ``APP_REGISTRY``)."""
    return [name for name in get_plugin_manager().hook.register_piccolo_app() if name]
