"""One suite on one engine, in its own process: ``python -m bench.worker SUITE [--postgres URL]``.

Prints one JSON object per table row on stdout (lines starting with ``BENCH ``); ``bench.run``
collects them. Piccolo binds its engine per process, hence one process per (suite, engine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys

__all__ = ("main",)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("suite", choices=("codes", "pages", "pdf"))
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)

    from bench import env

    data_dir = env.prepare(args.postgres)
    engine = "postgresql" if args.postgres else "sqlite"
    try:
        rows = asyncio.run(_run(args.suite, args.quick))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    for row in rows:
        print("BENCH " + json.dumps({"engine": engine, **row}, ensure_ascii=False), flush=True)


async def _run(suite: str, quick: bool) -> list[dict]:
    from bench import env

    await env.start()
    try:
        if suite == "codes":
            from bench import codes

            return await codes.run(**({"n": 40, "rounds": 1} if quick else {}))
        if suite == "pages":
            from bench import pages

            return await pages.run(**({"large": 1000, "repeat": 5} if quick else {}))
        from bench import pdf

        return await pdf.run(**({"repeat": 1} if quick else {}))
    finally:
        await env.stop()


if __name__ == "__main__":
    sys.exit(main())
