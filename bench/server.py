"""The app as the benchmark's server runs it: ``uvicorn bench.server:create_app --factory``.

The same plugins as the benchmark process (the test route and ``MOTCUA_BENCH_FILLER`` more
procedures), so the server knows every procedure the measured rows refer to.
"""

from __future__ import annotations

import os

__all__ = ("create_app",)


def create_app():
    from bench import world
    from core.app import create_app as core_create_app

    world.register_plugins(filler=int(os.environ.get("MOTCUA_BENCH_FILLER", "0")))
    return core_create_app()
