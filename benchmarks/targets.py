"""The issue's targets, each checked against the ratio ``make bench`` measured, in each pass."""

from __future__ import annotations

import operator
from typing import Any

RELATIONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "==": operator.eq}
TARGETS: dict[str, tuple[str, float]] = {
    "eager fwd+bwd vs micrograd, slowest size (x faster)": (">=", 5),
    "eager fwd+bwd vs torch scalar, slowest size (x faster)": (">=", 5),
    "held memory per node, bytes (largest)": ("<=", 150),
    "eager moons step vs micrograd (x faster)": (">=", 30),
    "compiled moons step vs micrograd (x faster)": (">=", 1000),
    "compiled moons step / numpy by hand": ("<=", 3),
    "compiled moons step vs torch batched (x faster)": (">", 1),
    "compiled - eager accuracy after training": ("==", 0),
}


def _slowest(ops: dict[str, Any], other: str) -> float:
    return min(
        r["ns_per_op"][other]["total"] / r["ns_per_op"]["valuegraph"]["total"] for r in ops.values()
    )


def measured(passed: dict[str, Any]) -> dict[str, float]:
    """The value of each target that one pass of the benchmark measured."""
    step = passed["moons"]["100"]["ms"]
    values = {
        "eager fwd+bwd vs micrograd, slowest size (x faster)": _slowest(passed["ops"], "micrograd"),
        "eager moons step vs micrograd (x faster)": step["micrograd"] / step["valuegraph eager"],
        "compiled moons step vs micrograd (x faster)": step["micrograd"]
        / step["valuegraph compiled"],
        "compiled moons step / numpy by hand": step["valuegraph compiled"] / step["numpy by hand"],
    }
    if "torch batched" in step:
        values["eager fwd+bwd vs torch scalar, slowest size (x faster)"] = _slowest(
            passed["ops"], "torch scalar"
        )
        values["compiled moons step vs torch batched (x faster)"] = (
            step["torch batched"] / step["valuegraph compiled"]
        )
    if "memory" in passed:
        values["held memory per node, bytes (largest)"] = max(
            m["built"] for k, m in passed["memory"].items() if "valuegraph" in k
        )
    if "training" in passed:
        trained = passed["training"]
        values["compiled - eager accuracy after training"] = (
            trained["valuegraph compiled"]["accuracy"] - trained["valuegraph eager"]["accuracy"]
        )
    return values


def check_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Print and return each target with its value in each pass, and whether it is met."""
    passes = {name: measured(results[name]) for name in ("plain", "torch") if name in results}
    print(
        "\n(e) targets (moons step at batch 100); values as a plain script | after importing torch"
    )
    checked: dict[str, Any] = {}
    for name, (relation, goal) in TARGETS.items():
        values = {p: v[name] for p, v in passes.items() if name in v}
        met = all(RELATIONS[relation](value, goal) for value in values.values())
        cells = " | ".join(
            f"{values[p]:9.2f}" if p in values else f"{'-':>9}" for p in ("plain", "torch")
        )
        print(f"{'met' if met else 'NOT MET':8} {name:56} {cells}   target {relation} {goal}")
        checked[name] = {"values": values, "target": f"{relation} {goal}", "met": met}
    return checked
