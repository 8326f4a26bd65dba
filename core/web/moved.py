"""Old addresses of pages that moved: a permanent redirect to the page's route, query string kept."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect

__all__ = ("moved", "MOVED_OPT")

MOVED_OPT = "moved_to"
"""``handler.opt`` key of a redirect made by ``moved``: the route name it points to. Core mounts these
handlers at the root (their path is the whole old address), not under the plugin's prefix."""


def moved(old_path: str, route_name: str) -> HTTPRouteHandler:
    """A ``GET`` handler answering ``old_path`` (the whole old address, path parameters included, e.g.
    ``"/old-prefix/items/{item_id:int}"``) with a 301 to the route named ``route_name``, built by
    ``route_reverse`` with the same path parameters; the query string is kept. Return it from
    ``register_routes`` beside the page's handler."""

    async def redirect(request: Request[Any, Any, Any]) -> Redirect:
        url = request.app.route_reverse(route_name, **request.path_params)
        query = request.scope.get("query_string", b"").decode("latin-1")
        return Redirect(f"{url}?{query}" if query else url, status_code=301)

    return get(
        old_path,
        name=f"{route_name}__moved",
        include_in_schema=False,
        opt={MOVED_OPT: route_name, "public": f"old address: permanent redirect to {route_name}"},
    )(redirect)
