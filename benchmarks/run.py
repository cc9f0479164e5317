"""``make bench``: every measurement in one run, printed as tables of ratios and saved as JSON.

(a) time per op of the graph programs, (b) memory a graph holds per node, (c) one training step of
micrograd's moons demo, (d) 100 steps of it, eager against compiled, (e) the issue's targets, and
(f) a diagnostic: the largest graphs and the demo step with the cyclic garbage collector off.

The cost of garbage collection grows with the number of objects a process holds, and importing
PyTorch adds some 150,000 (a notebook holds many too). So the comparisons run twice: first as a
plain script (valuegraph, micrograd, NumPy), then, if torch is installed, after importing it (the
same, and PyTorch). Each ratio compares contenders measured side by side in the same process.
``python -m benchmarks --quick`` is a fast smoke run.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import json
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

import autograd
from autograd import Value
from autograd.files import write_atomic

from . import harness
from .graphs import PROGRAMS
from .moons import (
    FitDemo,
    NumpyDemo,
    dataset,
    initial_weights,
    micrograd_demo,
    primitive_demo,
    train,
)
from .targets import check_targets

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 5)")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS}")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 5)
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    batches = (100,) if args.quick else (100, 1_000)
    sys.setrecursionlimit(1_000_000)  # micrograd's topological sort is recursive

    from micrograd.engine import Value as MicroValue

    results: dict[str, Any] = {"environment": _environment(), "rounds": rounds}
    print(f"valuegraph benchmarks ({', '.join(f'{k} {v}' for k, v in _environment().items())})")
    print(f"median of {rounds} interleaved rounds; spread = interquartile range / median")
    print(f"\n=== as a plain script: {len(gc.get_objects())} objects tracked by the collector")
    leaves = {"valuegraph": Value, "micrograd": MicroValue}
    results["plain"] = {
        "ops": graph_times(leaves, sizes, rounds),
        "n-ary": nary_times(MicroValue, rounds),
        "memory": graph_memory(leaves, sizes[-1]),
        "moons": moons_steps(_demos, batches, rounds),
        "training": training(steps=20 if args.quick else 100),
    }
    try:
        torch_engines = importlib.import_module(".torch_engines", __package__)
    except ImportError:
        print("\nPyTorch is not installed: its comparisons are skipped (pip install torch).")
    else:
        tracked = len(gc.get_objects())
        print(f"\n=== after importing torch (on one thread): {tracked} objects tracked")
        leaves["torch scalar"] = torch_engines.scalar_leaf
        results["torch"] = {
            "ops": graph_times(leaves, sizes, rounds),
            "moons": moons_steps(lambda *data: _demos(*data, torch_engines), batches, rounds),
        }
    results["targets"] = check_targets(results)
    results["without collector"] = without_collector(leaves, sizes[-1], rounds)
    write_atomic(args.json, json.dumps(results, indent=1).encode())
    print(f"\nresults saved to {args.json}")


def without_collector(leaves: dict[str, Any], ops: int, rounds: int) -> dict[str, Any]:
    """(f) A diagnostic, not a target: the largest graphs and micrograd's demo step again with
    CPython's cyclic garbage collector off, to show how much of each ratio the collector sets."""
    print(
        f"\n(f) diagnostic, not a target: {ops} ops and the moons step with the cyclic garbage "
        f"collector on | off ({len(gc.get_objects())} objects tracked); x = slower than valuegraph"
    )
    per_op, per_step = 1e9 / ops, 1e3  # seconds per run -> ns per op, ms per step
    cases: dict[str, tuple[float, dict[str, harness.Run]]] = {
        f"{program} {ops} (ns per op)": (
            per_op,
            {
                name: harness.phases(lambda b=build, f=leaf: b(f, ops), _backward)
                for name, leaf in leaves.items()
            },
        )
        for program, build in PROGRAMS.items()
    }
    demos = _demos(*dataset(100))
    cases["moons step, batch 100 (ms)"] = (
        per_step,
        {name: _stepper(demos[name]) for name in ("micrograd", "valuegraph eager")},
    )
    results: dict[str, Any] = {}
    for case, (unit, contenders) in cases.items():
        totals = {}
        for collector in (True, False):
            measured = harness.interleaved(contenders, max(3, rounds - 2), collector=collector)
            totals[collector] = {
                name: sum(s["median"] for s in phases.values()) * unit
                for name, phases in measured.items()
            }
        ours = "valuegraph" if "valuegraph" in contenders else "valuegraph eager"
        cells = "  ".join(
            f"{name} {totals[True][name]:.4g} | {totals[False][name]:.4g}"
            + (
                ""
                if name == ours
                else f" (x{totals[True][name] / totals[True][ours]:.1f} |"
                f" x{totals[False][name] / totals[False][ours]:.1f})"
            )
            for name in contenders
        )
        print(f"{case:28} {cells}")
        results[case] = {"collector on": totals[True], "collector off": totals[False]}
    return results


def _environment() -> dict[str, str]:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for package in ("micrograd", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _backward(graph: Any) -> None:
    graph.backward()


def on_reference(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` on the reference engine (autograd/core without autograd/fast.py)."""

    def on_reference_engine(*args: Any) -> Any:
        autograd.fast.uninstall()
        try:
            return run(*args)
        finally:
            autograd.fast.install()

    return on_reference_engine


REFERENCE = "valuegraph reference"


def graph_times(leaves: dict[str, Any], sizes: tuple[int, ...], rounds: int) -> dict[str, Any]:
    """Per op: valuegraph's forward, backward and total (with freeing the graph) against others,
    the reference engine among them."""
    print("\n(a) time per op in ns: forward, backward, total with freeing the graph")
    ours, *others = [*leaves, REFERENCE]
    columns = " ".join(f"{name + ' total':>18} {'ratio':>6}" for name in others)
    print(f"{'program':8} {'ops':>7} {'fwd':>6} {'bwd':>6} {'total':>6} {'spread':>6} {columns}")
    results: dict[str, Any] = {}
    for program, build in PROGRAMS.items():
        for ops in sizes:
            contenders = {
                name: harness.phases(lambda b=build, f=leaf, n=ops: b(f, n), _backward)
                for name, leaf in leaves.items()
            }
            contenders[REFERENCE] = harness.phases(
                on_reference(lambda b=build, n=ops: b(Value, n)), on_reference(_backward)
            )
            measured = harness.interleaved(contenders, rounds)
            ns = {
                name: {phase: s["median"] / ops * 1e9 for phase, s in phases.items()}
                for name, phases in measured.items()
            }
            for row in ns.values():
                row["total"] = row["forward"] + row["backward"] + row["release"]
            spread = max(s["spread"] for s in measured[ours].values())
            cells = " ".join(
                f"{ns[name]['total']:18.0f} {ns[name]['total'] / ns[ours]['total']:6.1f}"
                for name in others
            )
            print(
                f"{program:8} {ops:>7} {ns[ours]['forward']:6.0f} {ns[ours]['backward']:6.0f} "
                f"{ns[ours]['total']:6.0f} {spread:6.0%} {cells}"
            )
            results[f"{program} {ops}"] = {"ns_per_op": ns, "raw": measured}
    return results


def graph_memory(leaves: dict[str, Any], ops: int) -> dict[str, Any]:
    print(f"\n(b) memory a graph of {ops} ops holds, bytes per node (tracemalloc)")
    print(f"{'program':8} {'engine':12} {'built':>8} {'+ grads':>8}")
    results: dict[str, Any] = {}
    for program, build in PROGRAMS.items():
        for name, leaf in leaves.items():
            held = harness.held_bytes(lambda b=build, f=leaf: b(f, ops), _backward)
            per_node = {k: v / ops for k, v in held.items()}
            print(
                f"{program:8} {name:12} {per_node['built']:8.0f} {per_node['after_backward']:8.0f}"
            )
            results[f"{program} {name}"] = per_node
    return results


def _demos(points: np.ndarray, y: np.ndarray, torch_engines: Any = None) -> dict[str, Any]:
    weights = initial_weights()
    demos = {
        "micrograd": micrograd_demo(points, y, weights),
        "valuegraph eager": FitDemo(points, y, weights),
        "valuegraph eager, micrograd's program": primitive_demo(points, y, weights),
        "valuegraph compiled": FitDemo(points, y, weights, compile=True),
        "numpy by hand": NumpyDemo(points, y, weights),
    }
    if torch_engines:
        demos["torch scalar"] = torch_engines.TorchScalarDemo(points, y, weights)
        demos["torch batched"] = torch_engines.TorchBatchedDemo(points, y, weights)
    return demos


def nary_times(micro_value: Any, rounds: int) -> dict[str, Any]:
    """One ``sum`` or ``dot`` node against the ``+`` and ``*`` nodes micrograd records."""
    print("\n(a2) n-ary nodes: forward + backward per call, us")
    rng = np.random.default_rng(0)
    numbers = rng.uniform(-1, 1, 1_000).tolist()
    xs, micro_xs = [Value(x) for x in numbers], [micro_value(x) for x in numbers]
    w, x, b = xs[:16], xs[16:32], xs[32]
    mw, mx, mb = micro_xs[:16], micro_xs[16:32], micro_xs[32]
    cases = {
        "sum of 1000 values": {
            "valuegraph sum node": lambda: autograd.sum(xs),
            "valuegraph + nodes": lambda: sum(xs[1:], xs[0]),
            "micrograd + nodes": lambda: sum(micro_xs[1:], micro_xs[0]),
        },
        "neuron of 16 inputs": {
            "valuegraph dot node": lambda: autograd.dot(w, x, b),
            "valuegraph * and + nodes": lambda: sum((wi * xi for wi, xi in zip(w, x)), b),
            "micrograd * and + nodes": lambda: sum((wi * xi for wi, xi in zip(mw, mx)), mb),
        },
    }
    results: dict[str, Any] = {}
    for case, builds in cases.items():
        contenders = {name: harness.phases(build, _backward) for name, build in builds.items()}
        measured = harness.interleaved(contenders, rounds, seconds=0.2)
        us = {n: sum(m[p]["median"] for p in m) * 1e6 for n, m in measured.items()}
        first = next(iter(us))
        cells = ", ".join(
            f"{name} {value:.1f} (x{value / us[first]:.1f})" for name, value in us.items()
        )
        print(f"{case:20} {cells}")
        results[case] = us
    return results


def moons_steps(make_demos: Callable[..., dict[str, Any]], batches, rounds: int) -> dict[str, Any]:
    """ms per training step of each demo; ratios against the first demo and against NumPy."""
    print("\n(c) one training step of micrograd's moons demo (MLP 2-16-16-1), ms")
    results: dict[str, Any] = {}
    for batch in batches:
        points, y = dataset(batch)
        demos = make_demos(points, y)
        first = next(iter(demos))
        print(
            f"{'engine':38} {'batch':>6} {'ms':>10} {'spread':>6} {first + '/x':>16} {'x/numpy':>8}"
        )
        slow = batch > 100  # a micrograd step then takes many seconds: fewer rounds
        contenders = {name: _stepper(demo) for name, demo in demos.items()}
        measured = harness.interleaved(contenders, max(3, rounds - 2) if slow else rounds)
        ms = {name: m["step"]["median"] * 1e3 for name, m in measured.items()}
        for name, value in ms.items():
            print(
                f"{name:38} {batch:6} {value:10.3f} {measured[name]['step']['spread']:6.0%} "
                f"{ms[first] / value:16.1f} {value / ms['numpy by hand']:8.2f}"
            )
        start = time.perf_counter()
        FitDemo(points, y, initial_weights(), compile=True).step(0)
        first_ms = (time.perf_counter() - start) * 1e3
        print(f"{'(first compiled step: traces the tapes)':38} {batch:6} {first_ms:10.3f}")
        results[str(batch)] = {"ms": ms, "first_compiled_step_ms": first_ms, "raw": measured}
    return results


def _stepper(demo: Any) -> harness.Run:
    """Steps k = 0, 1, 2, ... of a demo (the learning rate follows k), each timed."""
    steps = itertools.count()
    return harness.timed(lambda: demo.step(next(steps) % 100))


def training(steps: int) -> dict[str, Any]:
    """``nn.fit``, eager and compiled, against the NumPy steps, from the same weights."""
    print(f"\n(d) {steps} training steps on 100 points from the same weights (nn.fit)")
    points, y = dataset(100)
    weights = initial_weights()

    def fitted(compile: bool) -> tuple[float, float]:  # noqa: A002
        _, history = train(points, y, weights, steps, compile)
        return history.loss[-1], history.accuracy[-1]

    def numpy_steps() -> tuple[float, float]:
        demo = NumpyDemo(points, y, weights)
        for k in range(steps):
            result = demo.step(k)
        return result

    results = {}
    for name, run in (
        ("valuegraph eager", lambda: fitted(compile=False)),
        ("valuegraph compiled", lambda: fitted(compile=True)),
        ("numpy by hand", numpy_steps),
    ):
        start = time.perf_counter()
        loss, accuracy = run()
        seconds = time.perf_counter() - start
        print(f"{name:22} loss {loss:.12f}  accuracy {accuracy:.0%}  in {seconds:.2f} s")
        results[name] = {"loss": loss, "accuracy": accuracy, "seconds": seconds}
    return results
