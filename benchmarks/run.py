"""``make bench``: every comparison in one run, a table each, then the targets; saved as JSON.

(a) the eager engine per op against micrograd, the reference engine and PyTorch scalars, (b) the
memory a graph holds per node, (c) the eager moons training step against micrograd and PyTorch
scalars, (d) the compiled training step against a tight hand-written NumPy step and batched
PyTorch, (e) the targets. PyTorch's comparisons run when it is installed. How it measures:
``benchmarks/harness.py``. ``python -m benchmarks --quick`` is a short run of the same.
"""

from __future__ import annotations

import argparse
import importlib
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
from .fit_step import FitStep
from .graphs import PROGRAMS, backward, forward_backward
from .moons import micrograd_demo, primitive_demo
from .problems import BLOBS, MOONS, WIDE_MOONS, Problem
from .reference import TightNumpy
from .targets import check_targets

RESULTS = Path(__file__).with_name("results.json")
FULL = {
    "rounds": 11,
    "seconds": 0.3,
    "graph sizes": (1_000, 10_000),
    "batches": (100, 1_000, 10_000),
}
QUICK = {
    "rounds": 3,
    "seconds": 0.1,
    "graph sizes": (1_000, 10_000),
    "batches": (100, 1_000, 10_000),
}
FIRST_STEPS = 2  # each contender's first steps, which must agree, before any timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and batches")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS}")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    sys.setrecursionlimit(100_000)  # micrograd's topological sort is recursive
    started = time.perf_counter()
    from micrograd.engine import Value as MicroValue

    try:
        torch_engines: Any = importlib.import_module(".torch_engines", __package__)
    except ImportError:
        torch_engines = None
    environment = versions_and_threads()
    results: dict[str, Any] = {"environment": environment, "plan": plan}
    rounds, seconds = plan["rounds"], plan["seconds"]
    print(f"valuegraph benchmarks ({', '.join(f'{k} {v}' for k, v in environment.items())})")
    print(f"median of {rounds} interleaved rounds of CPU time, blocks of ~{seconds} s with their")
    print("garbage collection; spread = interquartile range / median over the rounds")
    if torch_engines is None:
        print("PyTorch is not installed: its comparisons are skipped (pip install torch).")
    leaves = {"valuegraph": Value, "micrograd": MicroValue}
    moons = MOONS.data(100)
    eager_steps = {
        "valuegraph eager (fit)": lambda: FitStep(MOONS, *moons, MOONS.weights(), False),
        "valuegraph, micrograd's program": lambda: primitive_demo(*moons, MOONS.weights()),
        "micrograd": lambda: micrograd_demo(*moons, MOONS.weights()),
    }
    if torch_engines:
        leaves["torch scalar"] = torch_engines.scalar_leaf
        eager_steps["torch scalar"] = lambda: torch_engines.TorchScalarDemo(*moons, MOONS.weights())
    results["eager"] = eager_graphs(leaves, plan["graph sizes"], rounds, seconds)
    results["memory"] = memory(
        {k: leaves[k] for k in ("valuegraph", "micrograd")}, plan["graph sizes"][-1]
    )
    results["eager step"] = measure(eager_steps, rounds, seconds)
    table(
        "(c) eager training step, micrograd's moons demo 2-16-16-1, batch 100, ms per step",
        "ms",
        1e3,
        {"moons 100": results["eager step"]},
    )
    results["compiled"] = compiled_steps(torch_engines, plan["batches"], rounds, seconds)
    results["targets"] = check_targets(results)
    results["minutes"] = (time.perf_counter() - started) / 60
    print(f"\n{results['minutes']:.1f} minutes; results saved to {args.json}")
    write_atomic(args.json, json.dumps(results, indent=1).encode())


def measure(
    makers: dict[str, Callable[[], Any]],
    rounds: int,
    seconds: float,
    made: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make each contender, check that their first steps agree, then ``harness.compare`` them.

    A contender is a step function or has a ``step`` method; the CPU time of its first step is
    kept too (a compiled step traces its tape then). ``made`` receives the contenders."""
    contenders = {name: make() for name, make in makers.items()}
    if made is not None:
        made.update(contenders)
    steps = {name: getattr(c, "step", c) for name, c in contenders.items()}
    answers, first = {}, {}
    for name, step in steps.items():
        start = harness.CLOCK()
        answers[name] = [step()]
        first[name] = harness.CLOCK() - start
        answers[name] += [step() for _ in range(FIRST_STEPS - 1)]
    harness.agree({name: _flat(a) for name, a in answers.items()})
    measured = harness.compare(steps, rounds, seconds)
    for name, m in measured.items():
        m["first_step_seconds"] = first[name]
    return measured


def _flat(answers: list[Any]) -> list[float]:
    return [float(x) for answer in answers for x in answer]


def table(title: str, unit: str, scale: float, cases: dict[str, dict[str, Any]]) -> None:
    """A table: per case and contender, the time per unit, its spread, and the ratio of its
    time to the case's first contender's, round by round (median and spread)."""
    print(f"\n{title}")
    print(f"{'case':28} {'contender':31} {unit:>9} {'spread':>6} {'ratio':>7} {'spread':>6}")
    for case, measured in cases.items():
        for name, m in measured.items():
            s, r = m["seconds"], m["ratio"]
            print(
                f"{case:28} {name:31} {s['median'] * scale:9.4g} {s['spread']:6.0%} "
                f"{r['median']:7.3g} {r['spread']:6.0%}"
            )
    print("ratio: contender's time / the case's first contender's, per round")


def eager_graphs(
    leaves: dict[str, Any], sizes: tuple[int, ...], rounds: int, seconds: float
) -> dict[str, Any]:
    """Build, backpropagate and drop a graph of ``ops`` ops: time per op of each engine."""
    cases: dict[str, Any] = {}
    for program, build in PROGRAMS.items():
        for ops in sizes:
            makers: dict[str, Callable[[], Any]] = {
                name: (lambda f=leaf, n=ops, b=build: forward_backward(b, f, n))
                for name, leaf in leaves.items()
            }
            makers["valuegraph reference"] = lambda n=ops, b=build: on_reference(
                forward_backward(b, Value, n)
            )
            measured = measure(makers, rounds, seconds)
            for m in measured.values():
                m["seconds"] = harness.summary([t / ops for t in m["seconds"]["rounds"]])
            cases[f"{program} {ops}"] = measured
    table("(a) eager graphs: build + backward + free, ns per op", "ns/op", 1e9, cases)
    return cases


def on_reference(step: Callable[[], Any]) -> Callable[[], Any]:
    """``step`` on the reference engine (autograd/core without autograd/fast.py)."""

    def on_reference_engine() -> Any:
        autograd.fast.uninstall()
        try:
            return step()
        finally:
            autograd.fast.install()

    return on_reference_engine


def memory(leaves: dict[str, Any], ops: int) -> dict[str, Any]:
    print(f"\n(b) memory a graph of {ops} ops holds, bytes per node (tracemalloc)")
    print(f"{'program':8} {'engine':12} {'built':>8} {'+ grads':>8}")
    results: dict[str, Any] = {}
    for program, build in PROGRAMS.items():
        for name, leaf in leaves.items():
            held = harness.held_bytes(lambda b=build, f=leaf: b(f, ops), backward)
            per_node = {k: v / ops for k, v in held.items()}
            print(f"{program:8} {name:12} {per_node['built']:8.1f} {per_node['with_grads']:8.1f}")
            results[f"{program} {name}"] = per_node
    return results


def compiled_steps(
    torch_engines: Any, batches: tuple[int, ...], rounds: int, seconds: float
) -> dict[str, Any]:
    """(d) ``fit(compile=True)``'s step against the tight NumPy step and batched PyTorch."""
    cases: dict[str, Any] = {}
    traced: dict[str, Any] = {}
    runs: list[tuple[Problem, int]] = [(p, b) for p in (MOONS, WIDE_MOONS) for b in batches]
    for problem, batch in [*runs, (BLOBS, 1_000)]:
        X, y = problem.data(batch)
        makers: dict[str, Callable[[], Any]] = {
            "tight numpy": lambda p=problem, X=X, y=y: TightNumpy(p, X, y, p.weights()),
            "valuegraph compiled": lambda p=problem, X=X, y=y: FitStep(p, X, y, p.weights(), True),
        }
        if torch_engines:
            makers["torch batched"] = lambda p=problem, X=X, y=y: torch_engines.TorchBatched(
                p, X, y, p.weights()
            )
        made: dict[str, Any] = {}
        case = f"{problem.name} {problem.loss.replace('_', ' ')} {batch}"
        cases[case] = measure(makers, rounds, seconds, made)
        traced[case] = made["valuegraph compiled"].traced_losses
    table("(d) compiled training step (SGD), ms per step", "ms", 1e3, cases)
    print(f"{'case':28} {'first compiled step (traces), ms':>34} {'loss outputs traced':>20}")
    for case, measured in cases.items():
        first = measured["valuegraph compiled"]["first_step_seconds"] * 1e3
        print(f"{case:28} {first:34.1f} {traced[case] if traced[case] is not None else '-':>20}")
    return {"cases": cases, "traced losses": traced}


def versions_and_threads() -> dict[str, Any]:
    """Versions, and the thread pools of the libraries loaded (one thread each, checked)."""
    versions: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__}
    for package in ("micrograd", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    from threadpoolctl import threadpool_info, threadpool_limits

    threadpool_limits(limits=1)
    pools = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info()}
    if "torch" in sys.modules:
        pools["torch"] = sys.modules["torch"].get_num_threads()
    versions["threads"] = pools
    return versions
