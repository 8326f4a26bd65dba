"""ASGI middleware that writes the dossier reads noted during a GET once its response went out with a
2xx status (``core.dossiers.reads``): a refused, missing or failed request read nothing."""

from __future__ import annotations

import logging

from core.dossiers import reads

__all__ = ("dossier_reads",)

log = logging.getLogger("motcua.reads")


def _route_name(scope) -> str:
    handler = scope.get("route_handler")
    if handler is None:
        return ""
    return str(getattr(handler, "name", None) or getattr(handler, "handler_name", "") or "")


def dossier_reads(app):
    async def middleware(scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await app(scope, receive, send)
        status = 0

        async def send_wrapper(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        bucket, token = reads.start()
        try:
            await app(scope, receive, send_wrapper)
        finally:
            reads.stop(token)
        if bucket and 200 <= status < 300:
            try:
                await reads.write(bucket, route=_route_name(scope), path=scope.get("path", ""))
            except Exception:  # the page was shown; the failure to log it must reach the operator
                log.exception("could not write the personal-data read log for %s", scope.get("path"))

    return middleware
