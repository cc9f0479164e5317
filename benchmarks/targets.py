"""The issue's targets, each checked against what one run of ``make bench`` measured.

A ratio is the median over rounds of the per-round ratio (``harness.compare``); "x faster" reads
the other contender's time over ours. A value the run did not measure (PyTorch not installed, a
case ``--quick`` skips, an attribute the engine does not have yet) shows as "-" and counts as
not checked, neither met nor missed.
"""

from __future__ import annotations

import operator
from typing import Any

RELATIONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "==": operator.eq}
MLPS = ("2-16-16-1 hinge", "2-64-64-1 hinge")
BATCHES = (100, 1_000, 10_000)
BLOBS_CASE = "784-32-10 cross entropy 1000"


def targets() -> dict[str, tuple[str, float]]:
    """Each target's name and (relation, goal)."""
    goals: dict[str, tuple[str, float]] = {
        "eager graphs: micrograd / valuegraph, slowest case": (">=", 5),
        "eager graphs: torch scalar / valuegraph, slowest case": (">=", 5),
        "memory per node built, bytes (largest)": ("<=", 102),
        "memory per node with grads, bytes (largest)": ("<=", 126),
        "eager moons step: micrograd / valuegraph (fit)": (">=", 30),
    }
    for mlp in MLPS:
        for batch in BATCHES:
            goals[f"compiled / tight numpy, {mlp} {batch}"] = ("<=", 1.5)
            goals[f"torch batched / compiled, {mlp} {batch}"] = (">", 1)
    goals[f"compiled / tight numpy, {BLOBS_CASE}"] = ("<=", 2)
    goals[f"loss outputs traced, {BLOBS_CASE}"] = ("==", 1)
    return goals


def per_round(measured: dict[str, Any], numerator: str, denominator: str) -> float | None:
    """The median over rounds of ``numerator``'s time over ``denominator``'s, or None."""
    if numerator not in measured or denominator not in measured:
        return None
    a, b = measured[numerator]["seconds"]["rounds"], measured[denominator]["seconds"]["rounds"]
    ratios = sorted(x / y for x, y in zip(a, b))
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def measured(results: dict[str, Any]) -> dict[str, float | None]:
    """The value of each target in ``results`` (None where it was not measured)."""
    eager = results.get("eager", {})

    def slowest(other: str) -> float | None:
        ratios = [per_round(case, other, "valuegraph") for case in eager.values()]
        known = [r for r in ratios if r is not None]
        return min(known) if known else None

    memory = [m for key, m in results.get("memory", {}).items() if "valuegraph" in key]
    step = results.get("eager step", {})
    values: dict[str, float | None] = {
        "eager graphs: micrograd / valuegraph, slowest case": slowest("micrograd"),
        "eager graphs: torch scalar / valuegraph, slowest case": slowest("torch scalar"),
        "memory per node built, bytes (largest)": max((m["built"] for m in memory), default=None),
        "memory per node with grads, bytes (largest)": max(
            (m["with_grads"] for m in memory), default=None
        ),
        "eager moons step: micrograd / valuegraph (fit)": per_round(
            step, "micrograd", "valuegraph eager (fit)"
        ),
    }
    compiled = results.get("compiled", {})
    cases, traced = compiled.get("cases", {}), compiled.get("traced losses", {})
    for case in [f"{mlp} {batch}" for mlp in MLPS for batch in BATCHES] + [BLOBS_CASE]:
        m = cases.get(case, {})
        values[f"compiled / tight numpy, {case}"] = per_round(
            m, "valuegraph compiled", "tight numpy"
        )
        values[f"torch batched / compiled, {case}"] = per_round(
            m, "torch batched", "valuegraph compiled"
        )
    values[f"loss outputs traced, {BLOBS_CASE}"] = traced.get(BLOBS_CASE)
    return values


def check(values: dict[str, float | None]) -> dict[str, Any]:
    """Each target: its value, goal, and ``met`` (True, False, or None where not measured)."""
    checked = {}
    for name, (relation, goal) in targets().items():
        value = values.get(name)
        met = None if value is None else bool(RELATIONS[relation](value, goal))
        checked[name] = {"value": value, "target": f"{relation} {goal}", "met": met}
    return checked


def check_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Print the targets table of ``results`` and return it."""
    checked = check(measured(results))
    print("\n(e) targets: medians of per-round ratios")
    print(f"{'':8} {'target':58} {'value':>9}   goal")
    for name, c in checked.items():
        status = {True: "met", False: "NOT MET", None: "-"}[c["met"]]
        value = "-" if c["value"] is None else f"{c['value']:9.3g}"
        print(f"{status:8} {name:58} {value:>9}   {c['target']}")
    return checked
