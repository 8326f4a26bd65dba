"""The Decision 766 service-quality index computed from the counters, its formulas read from
``indicators_766.toml`` (data, changeable without code) and evaluated by a small arithmetic evaluator
(no ``eval``: only numbers, the listed variables, + - * /, ``min`` and ``max``)."""

from __future__ import annotations

import ast
import functools
import operator
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ("Indicator", "Group", "load", "evaluate", "compute", "FormulaError", "VARIABLES")

DATA = Path(__file__).with_name("indicators_766.toml")

VARIABLES = frozenset(
    {
        "received",
        "received_online",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "in_progress",
        "overdue_now",
        "paid",
        "paid_online",
        "rated",
        "rated_satisfied",
        "procedures",
        "procedures_online",
        "procedures_online_used",
        "complaints_due",
        "complaints_answered_on_time",
    }
)


class FormulaError(ValueError):
    """A formula the evaluator refuses (unknown name, unsupported syntax)."""


_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCS = {"min": min, "max": max}


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        pass
    elif isinstance(node, ast.Name):
        if node.id not in VARIABLES:
            raise FormulaError(f"Biến không có trong bộ đếm: {node.id}")
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCS
        and not node.keywords
        and node.args
    ):
        for a in node.args:
            _check(a)
    else:
        raise FormulaError(f"Công thức chỉ được dùng số, biến, + - * / và min, max: {ast.dump(node)[:60]}")


def _eval(node: ast.AST, env: dict[str, float]) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body, env)
    if isinstance(node, ast.BinOp):
        return _BIN[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, env)
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float):
            raise ValueError(f"not a number: {node.value!r}")
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(env[node.id])
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)  # noqa: S101 - checked by _check
    return float(_FUNCS[node.func.id](*(_eval(a, env) for a in node.args)))


@functools.cache
def _parsed(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"Công thức sai cú pháp: {formula}") from exc
    _check(tree)
    return tree


def evaluate(formula: str, env: dict[str, float]) -> float | None:
    """The formula's value over ``env``, or None when it divides by zero (no data in the period)."""
    try:
        return _eval(_parsed(formula), env)
    except ZeroDivisionError:
        return None


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    name: str
    legal: str
    formula: str
    """Empty for an indicator this system cannot measure (``why`` says what is missing)."""
    max: float
    why: str = ""

    @property
    def measured(self) -> bool:
        return bool(self.formula)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    name: str
    max: float
    measured: bool
    why: str
    indicators: tuple[Indicator, ...]


@functools.cache
def load(path: Path = DATA) -> tuple[str, tuple[Group, ...]]:
    """The index as data: its legal source and groups (every formula checked once, at load)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = []
    for g in data["group"]:
        inds = tuple(
            Indicator(
                i["key"], i["name"], i["legal"], i.get("formula", ""), float(i["max"]), i.get("why", "")
            )
            for i in g.get("indicator", [])
        )
        for i in inds:
            if i.measured:
                _parsed(i.formula)
            elif not i.why:
                raise FormulaError(f"Chỉ số {i.key} không có công thức thì phải ghi lý do (why).")
        groups.append(
            Group(g["key"], g["name"], float(g["max"]), bool(g["measured"]), g.get("why", ""), inds)
        )
    return data["source"], tuple(groups)


def compute(env: dict[str, float]) -> dict[str, Any]:
    """Every group and indicator scored over ``env``, each score capped at its maximum.

    Returns:
        ``{"source", "groups": [{group, score, indicators: [{indicator, value}]}], "score", "max"}`` where
        ``score``/``max`` add up the measured groups only.
    """
    source, groups = load()
    out, score, top = [], 0.0, 0.0
    for g in groups:
        items: list[dict[str, Any]] = []
        g_score: float | None = None
        g_max = 0.0
        if g.measured:
            for i in g.indicators:
                if not i.measured:
                    items.append({"indicator": i, "value": None})
                    continue
                v = evaluate(i.formula, env)
                v = None if v is None else max(0.0, min(i.max, v))
                items.append({"indicator": i, "value": v})
                g_max += i.max
                if v is not None:
                    g_score = (g_score or 0.0) + v
            # a group measured in part counts only the points of the indicators it measures
            g_max = min(g.max, g_max) if g.indicators else g.max
            top += g_max
            score += g_score or 0.0
        out.append(
            {
                "group": g,
                "score": None if g_score is None else min(g.max, g_score),
                "measured_max": g_max,
                "indicators": items,
            }
        )
    return {"source": source, "groups": out, "score": score, "max": top}
