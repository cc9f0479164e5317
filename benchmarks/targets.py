"""The issue's speed and memory targets, each checked against the ratio ``make bench`` measured."""

from __future__ import annotations

import operator
from typing import Any

RELATIONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "==": operator.eq}


def _ratios(ops: dict[str, Any], other: str) -> list[float]:
    return [
        r["ns_per_op"][other]["total"] / r["ns_per_op"]["valuegraph"]["total"] for r in ops.values()
    ]


def check_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Print and return each target: its measured value, the goal, and whether it is met."""
    plain = results["plain"]
    step = plain["moons"]["100"]["ms"]
    trained = plain["training"]
    goals: dict[str, tuple[float, str, float]] = {
        "eager fwd+bwd vs micrograd, slowest size (x faster)": (
            min(_ratios(plain["ops"], "micrograd")),
            ">=",
            5,
        ),
        "held memory per node, bytes (largest)": (
            max(m["built"] for k, m in plain["memory"].items() if "valuegraph" in k),
            "<=",
            150,
        ),
        "eager moons step vs micrograd (x faster)": (
            step["micrograd"] / step["valuegraph eager"],
            ">=",
            30,
        ),
        "compiled moons step vs micrograd (x faster)": (
            step["micrograd"] / step["valuegraph compiled"],
            ">=",
            1000,
        ),
        "compiled moons step / numpy by hand": (
            step["valuegraph compiled"] / step["numpy by hand"],
            "<=",
            3,
        ),
        "compiled - eager accuracy after training": (
            trained["valuegraph compiled"]["accuracy"] - trained["valuegraph eager"]["accuracy"],
            "==",
            0,
        ),
    }
    if "torch" in results:
        torch = results["torch"]
        goals["eager fwd+bwd vs torch scalar, slowest size (x faster)"] = (
            min(_ratios(torch["ops"], "torch scalar")),
            ">=",
            5,
        )
        torch_step = torch["moons"]["100"]["ms"]
        goals["compiled moons step vs torch batched (x faster)"] = (
            torch_step["torch batched"] / torch_step["valuegraph compiled"],
            ">",
            1,
        )
    print("\n(e) targets (moons step at batch 100)")
    checked = {}
    for name, (value, relation, goal) in goals.items():
        met = RELATIONS[relation](value, goal)
        print(f"{'met' if met else 'NOT MET':8} {name:56} {value:9.2f}   target {relation} {goal}")
        checked[name] = {"value": value, "target": f"{relation} {goal}", "met": bool(met)}
    return checked
