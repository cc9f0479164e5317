"""How the benchmark measures: per-round ratios of CPU time, every contender's garbage charged.

- **CPU time of the process** (``time.process_time``), not wall time: on a shared machine the
  time the OS gives to other processes is not charged to the contender that happened to be
  running. Process time rather than ``thread_time``: a contender that spreads work over helper
  threads (a BLAS or OpenMP pool) is charged for all of it. ``python -m benchmarks`` limits
  every library to one thread anyway (``benchmarks/__main__.py``).
- **Interleaved rounds, ratios per round.** A comparison runs ``rounds`` rounds; in each, every
  contender runs one block, in an order that rotates from round to round. A ratio is computed
  within each round (contender's time per step / the first contender's, measured seconds
  apart), and the benchmark reports the median of those per-round ratios and their spread
  (interquartile range / median), never a ratio of medians measured separately.
- **Garbage is charged to whoever made it.** A block is ``n`` steps back to back with the
  collector on, as users have it, and ends with ``gc.collect()`` *inside* the timed region: the
  cyclic garbage its steps left (micrograd's graphs are cycles, freed only by the collector) is
  paid for by that block, and the next block starts with none. No collection runs untimed
  between blocks. A full collection also walks every object the process holds: 90 ms with
  PyTorch's 180,000 imported, here. So a comparison first moves the objects that exist when it
  starts (modules, torch, the contenders' models) to the collector's permanent generation
  (``gc.freeze()``, undone at its end): the collections a block pays for walk what its own steps
  made, and the numbers do not depend on what else the process imported.
- **Blocks of about ``seconds``**, sized by running each step for a tenth of that; then a warm-up
  round, discarded, so tapes are traced and caches filled before the rounds that count.
- **Same answers first** (``agree``, called by ``run.measure``): before any timing, each
  contender's first steps must give the same numbers (losses, accuracies, gradients) as the
  first contender's, or the benchmark stops, so a contender that skips work cannot look fast.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

CLOCK = time.process_time
Step = Callable[[], Any]


class DisagreementError(AssertionError):
    """Contenders of one comparison computed different numbers."""


def agree(answers: dict[str, Sequence[float]], rel: float = 1e-9, abs_: float = 1e-12) -> None:
    """Raise ``DisagreementError`` unless every contender's numbers match the first contender's."""
    (first, expected), *others = answers.items()
    for name, got in others:
        same = len(got) == len(expected) and all(
            math.isclose(g, e, rel_tol=rel, abs_tol=abs_) for g, e in zip(got, expected)
        )
        if not same:
            raise DisagreementError(f"{name} computed {list(got)}, but {first} {list(expected)}")


def compare(steps: dict[str, Step], rounds: int, seconds: float) -> dict[str, Any]:
    """Seconds per step of each contender, and its ratio to the first one, round by round.

    Returns ``{name: {"seconds": summary, "ratio": summary}}`` (see ``summary``); ``ratio`` is
    the contender's time over the first contender's, computed in each round.
    """
    names = list(steps)
    times: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()  # before any timing: the setup's garbage is not kept frozen
    gc.freeze()
    try:
        block = {name: _block_length(steps[name], seconds) for name in names}
        for r in range(-1, rounds):  # round -1 is the warm-up
            turn = r % len(names)
            for name in names[turn:] + names[:turn]:
                seconds_per_step = timed_block(steps[name], block[name])
                if r >= 0:
                    times[name].append(seconds_per_step)
    finally:
        gc.unfreeze()
    reference = times[names[0]]
    return {
        name: {
            "seconds": summary(times[name]),
            "ratio": summary([t / ref for t, ref in zip(times[name], reference)]),
            "steps_per_block": block[name],
        }
        for name in names
    }


def timed_block(step: Step, n: int) -> float:
    """CPU seconds per step of ``n`` steps and the collection of their garbage."""
    start = CLOCK()
    for _ in range(n):
        step()
    gc.collect()
    return (CLOCK() - start) / n


def _block_length(step: Step, seconds: float) -> int:
    """How many steps make a block of about ``seconds``, from steps run for a tenth of that."""
    n, start, elapsed = 0, CLOCK(), 0.0
    while n == 0 or elapsed < seconds / 10:
        step()
        n, elapsed = n + 1, CLOCK() - start
    return max(1, round(seconds * n / max(elapsed, 1e-9)))


def summary(values: list[float]) -> dict[str, Any]:
    """The median, the spread (interquartile range over the median) and the values."""
    median = statistics.median(values)
    q1, _, q3 = statistics.quantiles(values, n=4) if len(values) > 1 else (median,) * 3
    return {"median": median, "spread": (q3 - q1) / median if median else 0.0, "rounds": values}


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
    return {"built": built, "with_grads": after}
