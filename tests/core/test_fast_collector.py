"""The fast backward pauses Python's cyclic garbage collector while it walks, and puts it back as
it was: after an error, after nested and concurrent walks, and never on if the program had it off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

import pytest

from autograd import Op, Value, apply, detect_anomaly, register, topological_order

from .test_fast_parity import engine


@pytest.fixture(autouse=True)
def fast_path():
    """These tests are about the fast path: on it even under VALUEGRAPH_ENGINE=reference."""
    with engine(fast_path=True):
        yield


@pytest.fixture
def collector():
    """The collector on at the start, and as it was after the test."""
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


@pytest.fixture
def spy(op_table):
    """An op ``spy`` whose derivative rule first calls ``spy.during(x)``; ``spy.seen`` records
    whether the collector was on each time the rule ran."""

    class Spy:
        def __init__(self) -> None:
            self.seen: list[bool] = []
            self.during: Callable[[float], None] = lambda x: None

    spy = Spy()

    def rule(m, x, out):
        spy.seen.append(gc.isenabled())
        spy.during(x)
        return (1.0,)

    register(Op("spy", lambda m, x: x, rule))
    return spy


def test_the_collector_is_off_during_backward_and_on_after(collector, spy):
    x = Value(2.0)
    (apply("spy", x) * 3).backward()
    assert spy.seen == [False]
    assert gc.isenabled()
    assert x.grad == 3.0


def test_the_reference_engine_leaves_the_collector_alone(collector, spy):
    with engine(fast_path=False):
        (apply("spy", Value(2.0)) * 3).backward()
    assert spy.seen == [True]


def test_the_collector_comes_back_after_an_anomaly_error(collector):
    x = Value(0.0)
    with detect_anomaly(), pytest.raises(FloatingPointError):
        (x.sqrt() * 0.0).backward()
    assert gc.isenabled()


def test_a_collector_the_program_turned_off_stays_off(collector, spy):
    gc.disable()
    (apply("spy", Value(2.0)) * 3).backward()
    assert spy.seen == [False]
    assert not gc.isenabled()


def test_a_nested_backward_does_not_turn_the_collector_on_early(collector, spy):
    def inner_backward(x: float) -> None:
        if x == 2.0:  # the outer walk: run another backward inside it
            (apply("spy", Value(5.0)) * 2).backward()
            spy.seen.append(gc.isenabled())  # back in the outer walk

    spy.during = inner_backward
    (apply("spy", Value(2.0)) * 3).backward()
    assert spy.seen == [False, False, False]
    assert gc.isenabled()


def test_a_walk_ending_in_one_thread_leaves_the_collector_off_for_another(collector, spy):
    inside, release = threading.Event(), threading.Event()

    def wait_inside(x: float) -> None:
        inside.set()
        release.wait(10)

    spy.during = wait_inside
    worker = threading.Thread(target=lambda: (apply("spy", Value(2.0)) * 3).backward())
    worker.start()
    try:
        assert inside.wait(10)
        topological_order(Value(1.0) + 2)  # a whole walk here while the worker's runs
        still_off = not gc.isenabled()
    finally:
        release.set()
        worker.join(10)
    assert still_off
    assert gc.isenabled()
