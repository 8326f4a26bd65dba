"""Accessibility checks for browser journeys with axe-core (vendored under tests/e2e/vendor/axe-core).

Use in any journey::

    from tests.e2e.a11y import assert_accessible

    page.goto(live_server + "/thu-tuc")
    assert_accessible(page, "catalogue")  # checks at 1366 px and 390 px wide

The check fails on every *serious* or *critical* violation of WCAG 2.0/2.1/2.2 A and AA (target size
included), listing each rule with the elements it found, and writes the full axe report to
``test-results/a11y-<name>-<width>.json``. Axe is injected through the DevTools protocol
(``page.evaluate``), so the Content-Security-Policy of the page does not refuse it and the page's own
scripts are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from tests.e2e.conftest import SHOTS

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
FAILING_IMPACTS = ("serious", "critical")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_source: str | None = None


def _axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


def run_axe(page, *, exclude: Iterable[str] = ()) -> dict:
    """Run axe on what ``page`` shows now and return its raw results (violations, passes, ...)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    return page.evaluate(
        """async ([context, tags]) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            return await window.axe.run(context || document, options);
        }""",
        [context, TAGS],
    )


def serious_violations(results: dict) -> list[dict]:
    """The violations of ``results`` whose impact is serious or critical."""
    return [v for v in results.get("violations", []) if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """One readable block per violated rule: id, impact, help, then up to 8 offending elements."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v.get('helpUrl', '')}>")
        for node in v.get("nodes", [])[:8]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {node.get('html', '')[:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v.get("nodes", [])) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, name: str, *, widths: Iterable[int] | None = WIDTHS, exclude: Iterable[str] = ()):
    """Fail if axe finds a serious or critical violation on ``page``, at each width in ``widths``.

    Args:
        page: a Playwright page showing the screen to check (loaded; htmx swaps done).
        name: a short name for the report files, e.g. ``"catalogue"``.
        widths: viewport widths to check at (the height is kept); ``None`` checks at the current size
            only. The viewport is put back afterwards.
        exclude: CSS selectors of regions to leave out (e.g. a third party's frame); use sparingly.
    """
    before = page.viewport_size or {"width": 1280, "height": 900}
    sizes = [None] if widths is None else [{"width": w, "height": before["height"]} for w in widths]
    failures: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            if size is not None:
                page.set_viewport_size(size)
            width = (size or before)["width"]
            results = run_axe(page, exclude=exclude)
            (SHOTS / f"a11y-{name}-{width}.json").write_text(
                json.dumps(results.get("violations", []), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            bad = serious_violations(results)
            if bad:
                failures.append(f"{name} at {width} px ({page.url}):\n{describe(bad)}")
    finally:
        page.set_viewport_size(before)
    assert not failures, "axe found serious or critical accessibility violations:\n" + "\n".join(failures)
