"""Mutation testing of the modules where a silent bug costs most (docs/testing.md).

    python scripts/mutation.py run [GROUP ...] [--jobs 2] [--sample GLOB] [--threshold 95]
    python scripts/mutation.py report [GROUP ...]

Groups are declared in ``pyproject.toml`` under ``[tool.motcua.mutation.groups]``: the modules to
mutate and the tests that exercise them. Each group runs mutmut (configured under ``[tool.mutmut]``)
in its own copy of the tree, ``var/mutation/<group>/``, with the group's modules and tests only, on
SQLite. ``report`` prints, per module, killed / survived / no tests / equivalent and the score over
the non-equivalent mutants; equivalent mutants are the names in backquotes in docs/testing.md.
``--sample GLOB`` runs only the mutants whose names match (CI uses a fixed sample of the clock's);
``--threshold`` makes the exit status 1 when a module's score falls below it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutation"
COPY = ("core", "plugins", "themes", "migrations", "tests", "piccolo_conf.py")
KILLED = {1, 3, 24, -24, 36, 152, 255, 37}  # killed, or stopped by a timeout (an endless loop is caught)
NO_TESTS = {5, 33}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def _groups(names: list[str]) -> dict[str, dict]:
    groups = _config()["tool"]["motcua"]["mutation"]["groups"]
    unknown = [n for n in names if n not in groups]
    if unknown:
        sys.exit(f"unknown group(s) {unknown}; known: {', '.join(groups)}")
    return {n: groups[n] for n in (names or list(groups))}


def equivalents() -> set[str]:
    """Mutant names recorded as equivalent in docs/testing.md (one line each, with the reason)."""
    text = (ROOT / "docs" / "testing.md").read_text("utf-8")
    return set(re.findall(r"`(core\.[^`\s]+__mutmut_\d+)`", text))


def _prepare(name: str, group: dict) -> Path:
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for item in COPY:
        src, dst = ROOT / item, work / item
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dst)
    # the project-wide [tool.mutmut] settings, plus the group's modules and tests
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    if "\n[tool.mutmut]\n" not in text:
        sys.exit("pyproject.toml has no [tool.mutmut] section")
    extra = (
        f"only_mutate = {json.dumps(group['modules'])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(group['tests'])}\n"
    )
    (work / "pyproject.toml").write_text(
        text.replace("\n[tool.mutmut]\n", "\n[tool.mutmut]\n" + extra, 1), "utf-8"
    )
    # a fresh run: mutmut caches results, but the tests may have changed since
    shutil.rmtree(work / "mutants", ignore_errors=True)
    return work


def run(names: list[str], jobs: int, sample: list[str] | None) -> None:
    """Run the groups, several at once while their mutmut children fit in ``jobs`` processes. A group
    whose tests share the SQLite test database (``jobs = 1`` in its declaration) runs one mutant at a
    time; two such groups run side by side, each in its own process with its own database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    todo = list(_groups(names).items())
    running: list[tuple[str, int, subprocess.Popen, Path]] = []
    failed: list[str] = []

    def reap(block: bool) -> None:
        while running:
            for item in list(running):
                name, _, proc, work = item
                if proc.poll() is not None:
                    running.remove(item)
                    print(f"== mutmut: {name} finished (exit {proc.returncode}) ==", flush=True)
                    if proc.returncode:
                        print((work / "mutmut.log").read_text("utf-8", "replace")[-3000:])
                        failed.append(name)
                    return
            if not block:
                return
            time.sleep(1)

    while todo or running:
        if todo:
            name, group = todo[0]
            children = min(jobs, int(group.get("jobs", jobs)))
            if sum(c for _, c, _, _ in running) + children <= jobs:
                todo.pop(0)
                work = _prepare(name, group)
                globs = (
                    sample
                    if sample
                    else [m.removesuffix(".py").replace("/", ".") + ".*" for m in group["modules"]]
                )
                print(
                    f"== mutmut: {name} ({', '.join(group['modules'])}), {children} at a time ==", flush=True
                )
                log = open(work / "mutmut.log", "w")  # noqa: SIM115 - the running child writes to it
                # the pytest plugin giving each mutmut child its own database (``[tool.mutmut]``)
                genv = env | {
                    "PYTHONPATH": os.pathsep.join(
                        filter(None, [str(ROOT / "scripts" / "mutation_plugins"), env.get("PYTHONPATH")])
                    )
                }
                proc = subprocess.Popen(
                    [mutmut, "run", "--max-children", str(children), *globs],
                    cwd=work,
                    env=genv,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                running.append((name, children, proc, work))
                continue
        reap(block=True)
    if failed:
        sys.exit(f"mutmut failed on group(s) {', '.join(failed)} (logs: {WORK}/GROUP/mutmut.log)")


def report(names: list[str], threshold: float | None, verbose: bool) -> int:
    equiv = equivalents()
    status = 0
    head = ("module", "mutants", "killed", "survived", "no tests", "equiv.", "score")
    print(f"{head[0]:34} " + " ".join(f"{h:>8}" for h in head[1:]))
    for name, group in _groups(names).items():
        for module in group["modules"]:
            meta = WORK / name / "mutants" / (module + ".meta")
            if not meta.exists():
                print(f"{module:34} (not run)")
                continue
            codes = {
                k: v
                for k, v in json.loads(meta.read_text("utf-8"))["exit_code_by_key"].items()
                if v is not None
            }
            eq = {k for k in codes if k in equiv}
            c = Counter(
                "killed" if v in KILLED else "no tests" if v in NO_TESTS else "survived"
                for k, v in codes.items()
                if k not in eq
            )
            live = sum(c.values())
            score = 100.0 * c["killed"] / live if live else 100.0
            cells = (len(codes), c["killed"], c["survived"], c["no tests"], len(eq))
            print(f"{module:34} " + " ".join(f"{n:8}" for n in cells) + f" {score:7.1f}%")
            if verbose:
                for k, v in sorted(codes.items()):
                    if k not in eq and v not in KILLED:
                        print(f"    {'no tests' if v in NO_TESTS else 'survived'}: {k}")
            if threshold is not None and score < threshold:
                status = 1
    return status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("run", "report"))
    ap.add_argument("groups", nargs="*")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--sample", action="append", help="run only the mutants matching this glob (fnmatch; repeatable)"
    )
    ap.add_argument("--threshold", type=float, help="exit 1 when a module scores below this percentage")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the surviving mutants")
    args = ap.parse_args()
    if args.command == "run":
        run(args.groups, args.jobs, args.sample)
    sys.exit(report(args.groups, args.threshold, args.verbose))


if __name__ == "__main__":
    main()
