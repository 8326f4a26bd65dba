"""Chart geometry for server-rendered SVG (the templates draw it; no JavaScript): bars per period and
stacked horizontal bars per group, with nice axis ticks."""

from __future__ import annotations

import math
from typing import Any

__all__ = ("nice_max", "period_chart", "group_chart", "COLOURS")

COLOURS = {
    "received": "#1d70b8",
    "resolved_early": "#00703c",
    "resolved_on_time": "#85994b",
    "resolved_late": "#d4351c",
    "in_progress": "#b1b4b6",
    "overdue_now": "#942514",
}
"""Colours with enough contrast against white (the late and overdue ones read as red)."""


def nice_max(value: float) -> int:
    """The smallest "round" number (1, 2, 5 × 10ⁿ) at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * exp >= value:
            return int(m * exp)
    return int(10 * exp)  # pragma: no cover - the loop always returns


def period_chart(series: list[dict[str, Any]], *, width: int = 720, height: int = 220) -> dict[str, Any]:
    """Per bucket (day or month): a bar of received and beside it a stack of resolved early / on time /
    late. Returns the SVG's size, the axis ticks and the rectangles."""
    left, bottom, top = 36, 28, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(
        [max(s["received"], s["resolved_early"] + s["resolved_on_time"] + s["resolved_late"]) for s in series]
        or [0]
    )
    ymax = nice_max(peak)
    n = max(len(series), 1)
    slot = plot_w / n
    bar = max(1.0, min(18.0, slot * 0.4))
    rects, labels = [], []
    every = max(1, math.ceil(n / 12))
    for i, s in enumerate(series):
        x0 = left + i * slot + (slot - 2 * bar) / 2

        def y(v: float) -> float:
            return top + plot_h - plot_h * v / ymax

        h = plot_h * s["received"] / ymax
        rects.append(
            {
                "x": x0,
                "y": y(s["received"]),
                "w": bar,
                "h": h,
                "fill": COLOURS["received"],
                "title": f"{s['label']}: tiếp nhận {s['received']}",
            }
        )
        base = 0
        for k, name in (
            ("resolved_early", "trước hạn"),
            ("resolved_on_time", "đúng hạn"),
            ("resolved_late", "quá hạn"),
        ):
            if s[k]:
                rects.append(
                    {
                        "x": x0 + bar,
                        "y": y(base + s[k]),
                        "w": bar,
                        "h": plot_h * s[k] / ymax,
                        "fill": COLOURS[k],
                        "title": f"{s['label']}: giải quyết {name} {s[k]}",
                    }
                )
            base += s[k]
        if i % every == 0:
            labels.append({"x": left + i * slot + slot / 2, "text": s["label"]})
    ticks = [{"y": top + plot_h - plot_h * t / 4, "text": str(round(ymax * t / 4))} for t in range(5)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "rects": rects,
        "labels": labels,
        "ticks": ticks,
        "label_y": height - 8,
    }


def group_chart(rows: list[Any], *, width: int = 720, limit: int = 12) -> dict[str, Any]:
    """One horizontal bar per group (the first ``limit``): resolved early / on time / late stacked, then
    in progress; overdue now written at the end. ``rows`` are ``core.stats.service.Row``."""
    shown = rows[:limit]
    label_w, bar_h, gap = 220, 18, 10
    plot_w = width - label_w - 70
    peak = max([r.n["resolved"] + r.n["in_progress"] for r in shown] or [0])
    xmax = nice_max(peak)
    bars = []
    for i, r in enumerate(shown):
        y = 8 + i * (bar_h + gap)
        x = float(label_w)
        parts = []
        for k in ("resolved_early", "resolved_on_time", "resolved_late", "in_progress"):
            w = plot_w * r.n[k] / xmax
            if w > 0:
                parts.append({"x": x, "w": w, "fill": COLOURS[k], "key": k, "value": r.n[k]})
            x += w
        name = r.name if len(r.name) <= 34 else r.name[:33] + "…"
        bars.append(
            {
                "y": y,
                "name": name,
                "full": r.name,
                "parts": parts,
                "end": x + 6,
                "overdue": r.n["overdue_now"],
            }
        )
    height = 16 + len(shown) * (bar_h + gap)
    return {
        "width": width,
        "height": max(height, 40),
        "bar_h": bar_h,
        "bars": bars,
        "label_w": label_w,
        "more": max(0, len(rows) - limit),
    }
