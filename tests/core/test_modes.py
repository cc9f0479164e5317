"""Grad modes: no_grad, enable_grad, detect_anomaly; as context managers, decorators, per thread."""

from __future__ import annotations

import threading

import pytest

from autograd import (
    Value,
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)


def test_no_grad_makes_results_leaves():
    a = Value(2.0)
    with no_grad():
        b = a * 3
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert (b.data, b.op, b.parents) == (6.0, "", ())
    (b * a).backward()
    assert a.grad == 6.0  # only the path recorded outside no_grad


def test_no_grad_as_a_decorator_and_enable_grad_inside_it():
    @no_grad()
    def update(v):
        inner = v * 2
        with enable_grad():
            recorded = v * 2
        return inner, recorded

    inner, recorded = update(Value(1.0))
    assert inner.parents == () and recorded.op == "*"
    assert is_grad_enabled()


def test_modes_nest_and_restore_even_after_an_exception():
    with pytest.raises(RuntimeError), no_grad():
        with enable_grad():
            assert is_grad_enabled()
        assert not is_grad_enabled()
        raise RuntimeError
    assert is_grad_enabled()


def test_a_mode_set_in_one_thread_does_not_leak_into_another():
    seen = {}
    entered, checked = threading.Event(), threading.Event()

    def other_thread():
        entered.wait()
        seen["grad"], seen["anomaly"] = is_grad_enabled(), is_anomaly_enabled()
        seen["op"] = (Value(1.0) * 2).op
        checked.set()

    t = threading.Thread(target=other_thread)
    t.start()
    with no_grad(), detect_anomaly():
        entered.set()
        checked.wait()
    t.join()
    assert seen == {"grad": True, "anomaly": False, "op": "*"}


def test_anomaly_in_forward_names_the_op_its_inputs_and_labels():
    x = Value(0.0, label="x")
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        x.log()
    message = str(info.value)
    assert "log" in message and "x=0.0" in message and "-inf" in message


def test_anomaly_in_forward_names_a_constant_input():
    x = Value(1.0, label="numerator")
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"/.*numerator=1\.0.*0\.0"):
        x / 0


def test_anomaly_in_backward_names_the_op_and_the_input():
    x = Value(0.0, label="x")
    y = x.sqrt()  # forward is finite: sqrt(0) = 0; the derivative 0.5 / 0 is not
    with detect_anomaly(), pytest.raises(FloatingPointError) as info:
        y.backward()
    message = str(info.value)
    assert "backward of sqrt" in message and "x" in message and "inf" in message


def test_detect_anomaly_as_a_decorator_and_off_by_default():
    @detect_anomaly()
    def f():
        return Value(1000.0).exp()

    with pytest.raises(FloatingPointError, match="exp"):
        f()
    assert Value(1000.0).exp().data == float("inf")


def test_one_mode_instance_can_be_entered_by_several_threads_at_once():
    shared = no_grad()
    inside, release = threading.Barrier(2), threading.Event()
    errors, seen = [], []

    def worker():
        try:
            with shared:
                inside.wait(timeout=5)  # both threads are inside the same instance now
                release.wait(timeout=5)
                seen.append(is_grad_enabled())
            seen.append(is_grad_enabled())
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    release.set()
    for t in threads:
        t.join()
    assert errors == [] and sorted(seen) == [False, False, True, True]
    assert is_grad_enabled()


def test_a_mode_decorates_with_or_without_parentheses():
    @no_grad
    def bare(v):
        return v * 2

    @no_grad()
    def called(v):
        return v * 2

    for f in (bare, called):
        assert f(Value(1.0)).parents == ()
    assert f.__name__ == "called"


# decorating generators and coroutines: the mode holds while the body runs, not between


def test_a_decorated_generator_runs_its_body_in_the_mode_and_the_caller_outside_it():
    seen = []

    @no_grad
    def doubles(v):
        while True:
            seen.append(is_grad_enabled())
            received = yield v * 2
            v = received if received is not None else v

    a = Value(1.0)
    steps = doubles(a)
    first = next(steps)
    assert is_grad_enabled()  # between steps, the caller records as usual
    outside = a * 2
    second = steps.send(Value(3.0))
    assert (first.op, first.data, second.op, second.data) == ("", 2.0, "", 6.0)
    assert outside.op == "*"
    assert seen == [False, False]
    steps.close()
    assert is_grad_enabled()


def test_a_decorated_generator_gets_thrown_exceptions_and_returns_its_value():
    @detect_anomaly()
    def body():
        try:
            yield is_anomaly_enabled()
        except KeyError:
            yield "caught with anomaly " + str(is_anomaly_enabled())
        return "done"

    steps = body()
    assert next(steps) is True
    assert steps.throw(KeyError("k")) == "caught with anomaly True"
    with pytest.raises(StopIteration) as stop:
        next(steps)
    assert stop.value.value == "done"
    assert not is_anomaly_enabled()


def test_a_decorated_generator_closed_early_runs_its_cleanup_in_the_mode():
    cleanup = []

    @no_grad
    def body():
        try:
            yield 1
        finally:
            cleanup.append(is_grad_enabled())

    steps = body()
    next(steps)
    steps.close()
    assert cleanup == [False] and is_grad_enabled()


def test_a_decorated_coroutine_holds_the_mode_across_awaits_in_its_own_task_only():
    import asyncio

    async def main():
        @no_grad
        async def body(v):
            before = v * 2
            await asyncio.sleep(0.01)
            return before, v * 3, is_grad_enabled()

        async def other(v):
            await asyncio.sleep(0.005)  # runs while body waits
            return v * 4

        return await asyncio.gather(body(Value(1.0)), other(Value(1.0)))

    (before, after, enabled), concurrent = asyncio.run(main())
    assert (before.op, after.op, enabled) == ("", "", False)
    assert concurrent.op == "*"
    assert is_grad_enabled()


def test_an_async_generator_is_refused_loudly():
    async def stream():
        yield 1

    with pytest.raises(TypeError, match=r"async generator stream.*with no_grad"):
        no_grad(stream)
