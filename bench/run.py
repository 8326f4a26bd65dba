"""``python -m bench``: every suite on every engine, one process each, then one table.

Usage::

    .venv/bin/python -m bench                          # all suites, SQLite and PostgreSQL
    .venv/bin/python -m bench --suites pages --engines sqlite
    .venv/bin/python -m bench --quick                  # small sizes: a smoke run of the benchmarks
    .venv/bin/python -m bench --postgres postgres://postgres@127.0.0.1:5432/motcua_bench

Every figure is a ratio against a baseline measured in the same process and run (absolute times on a
shared machine mean little). PostgreSQL is skipped, with a line saying so, when it cannot be reached.
The PostgreSQL database is dropped and re-created: its name must start with ``motcua_bench`` or
``motcua_test``. Exit status 1 when a suite fails (its error is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

__all__ = ("main", "format_table")

ROOT = Path(__file__).resolve().parent.parent
SUITES = ("codes", "pages", "pdf")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/motcua_bench"

GOALS = {
    "codes": "≥ 1 on PostgreSQL, no lock waits across agencies; ≈ 1 on SQLite (one writer)",
    "pages": "≈ 1 (≤ 1.5): time does not grow with rows; queries equal",
    "pdf": "per form vs the receipt (form 01); event-loop wake-ups rendering vs idle well above 0",
}


def _postgres_reachable(url: str) -> str | None:
    """None when a connection to the server works; otherwise why not."""
    import asyncio
    from urllib.parse import urlparse

    try:
        import asyncpg
    except ImportError:
        return "asyncpg is not installed"

    async def go():
        conn = await asyncpg.connect(urlparse(url)._replace(path="/postgres").geturl(), timeout=3)
        await conn.close()

    try:
        asyncio.run(go())
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return f"{type(exc).__name__}: {exc}"
    return None


def _run_suite(suite: str, engine: str, postgres: str, quick: bool) -> tuple[list[dict], str | None]:
    cmd = [sys.executable, "-m", "bench.worker", suite]
    if engine == "postgresql":
        cmd += ["--postgres", postgres]
    if quick:
        cmd.append("--quick")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "MOTCUA_DATA_DIR")}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    rows = [json.loads(line[6:]) for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return rows, f"{suite} on {engine} failed (exit {proc.returncode}):\n{tail}"
    return rows, None


def format_table(rows: list[dict]) -> str:
    """The results as a fixed-width text table."""
    head = ("engine", "suite", "what", "baseline", "measured", "ratio", "note")
    cells = [head] + [
        (
            r["engine"],
            r["suite"],
            r["what"],
            r["baseline"],
            r["measured"],
            f"{r['ratio']:.2f}",
            r.get("note", ""),
        )
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in cells) for i in range(len(head))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(str(v).ljust(widths[i]) for i, v in enumerate(c)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", default=",".join(SUITES), help=f"comma-separated, of {', '.join(SUITES)}")
    parser.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MOTCUA_BENCH_DATABASE_URL", DEFAULT_POSTGRES),
        help="PostgreSQL URL (database motcua_bench* or motcua_test*; it is re-created)",
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: checks the benchmarks run")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON lines instead of a table")
    args = parser.parse_args(argv)
    suites = [s for s in args.suites.split(",") if s]
    engines = [{"postgres": "postgresql", "pg": "postgresql"}.get(e, e) for e in args.engines.split(",") if e]
    unknown = [s for s in suites if s not in SUITES] + [
        e for e in engines if e not in ("sqlite", "postgresql")
    ]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    notes: list[str] = []
    if "postgresql" in engines and (why := _postgres_reachable(args.postgres)):
        engines.remove("postgresql")
        notes.append(f"PostgreSQL skipped ({why}).")
    rows: list[dict] = []
    failures: list[str] = []
    for engine in engines:
        for suite in suites:
            start = time.perf_counter()
            print(f"… {suite} on {engine}", file=sys.stderr, flush=True)
            got, error = _run_suite(suite, engine, args.postgres, args.quick)
            rows += got
            if error:
                failures.append(error)
            print(f"  {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    else:
        print(format_table(rows))
        print()
        for suite in suites:
            print(f"goal, {suite}: {GOALS[suite]}")
    for line in notes + failures:
        print(line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
