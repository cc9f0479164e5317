"""How the benchmarks measure: medians of interleaved rounds, with garbage collection as users
have it, and the memory a graph holds."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

Run = Callable[[], dict[str, float]]  # one run: seconds per phase


def interleaved(
    contenders: dict[str, Run], rounds: int, seconds: float = 0.5, collector: bool = True
) -> dict[str, Any]:
    """Phase times of each contender: ``rounds`` rounds, each running every contender in turn.

    In a round a contender runs a block of back-to-back runs lasting about ``seconds`` (at least
    one), after a ``gc.collect()`` so no one pays for another's garbage. The collector stays on,
    as users have it: its pauses land in a few runs of a block, so a round's figure is the mean
    over its block (the median run would leave them out), and the result is the median over the
    rounds, with their spread (interquartile range over median), in seconds per run.
    ``collector=False`` switches the cyclic collector off during each block (a diagnostic).
    """
    blocks = {}
    for name, run in contenders.items():  # a warm-up run, which also sizes the block
        start = time.perf_counter()
        run()
        blocks[name] = max(1, round(seconds / (time.perf_counter() - start)))
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            gc.collect()
            totals: dict[str, float] = {}
            if not collector:
                gc.disable()
            try:
                for _ in range(blocks[name]):
                    for phase, value in run().items():
                        totals[phase] = totals.get(phase, 0.0) + value
            finally:
                if not collector:
                    gc.enable()
            for phase, total in totals.items():
                samples[name].setdefault(phase, []).append(total / blocks[name])
    return {
        name: {phase: summary(values) for phase, values in phases.items()}
        for name, phases in samples.items()
    }


def summary(values: list[float]) -> dict[str, Any]:
    median = statistics.median(values)
    q1, _, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (median,) * 3
    spread = (q3 - q1) / median if median else 0.0
    return {"median": median, "spread": spread, "rounds": values}


def phases(build: Callable[[], Any], backward: Callable[[Any], None]) -> Run:
    """A run of forward (build the graph), backward, and release (drop the graph)."""

    def run() -> dict[str, float]:
        t0 = time.perf_counter()
        graph = build()
        t1 = time.perf_counter()
        backward(graph)
        t2 = time.perf_counter()
        del graph
        t3 = time.perf_counter()
        return {"forward": t1 - t0, "backward": t2 - t1, "release": t3 - t2}

    return run


def timed(step: Callable[[], Any]) -> Run:
    def run() -> dict[str, float]:
        start = time.perf_counter()
        step()
        return {"step": time.perf_counter() - start}

    return run


def held_bytes(build: Callable[[], Any], backward: Callable[[Any], None]) -> dict[str, float]:
    """Python memory (tracemalloc) a graph holds once built, and once its gradients are in."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        graph = build()
        built = tracemalloc.get_traced_memory()[0] - base
        backward(graph)
        after = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return {"built": built, "after_backward": after}
