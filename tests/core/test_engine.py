"""The engine: topological order, backward semantics, grad() and higher derivatives."""

from __future__ import annotations

import gc
import math
import random
import subprocess
import sys
import textwrap

import pytest

from autograd import Value, apply, backward, grad, topological_order, zero_grad


def _recursive_order(root: Value) -> list[Value]:
    """A reference: the textbook recursive post-order DFS in argument order (small graphs only)."""
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for parent in node.parents:
            if isinstance(parent, Value):
                visit(parent)
        order.append(node)

    visit(root)
    return order


def _random_dag(seed: int, size: int = 40) -> Value:
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(0.5, 2.0), label=f"x{i}") for i in range(4)]
    for _ in range(size):
        a, b = rng.choice(nodes), rng.choice(nodes)  # reuse: shared sub-expressions
        kind = rng.randrange(3)
        nodes.append(a + b if kind == 0 else a * b if kind == 1 else (a - b).tanh())
    return nodes[-1]


@pytest.mark.parametrize("seed", range(20))
def test_topological_order_matches_a_recursive_depth_first_search(seed):
    root = _random_dag(seed)
    order = topological_order(root)
    assert order == _recursive_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order)  # each node once
    for node in order:
        for parent in node.parents:
            if isinstance(parent, Value):
                assert position[parent] < position[node]
    assert order[-1] is root


def test_topological_order_of_several_roots_lists_shared_nodes_once():
    a = Value(1.0)
    b, c = a * 2, a + 1
    assert topological_order(b, c) == [a, b, c]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda a: a + a, 2.0),
        (lambda a: a * a, 6.0),  # at a = 3
        (lambda a: (a + a) + (a + a), 4.0),  # b = a + a; c = b + b
        (lambda a: (a * 2) * (a * 3), 36.0),  # diamond: d(6a^2)/da = 12a
        (lambda a: a * a * a, 27.0),
    ],
)
def test_reused_nodes_accumulate_gradient(build, expected):
    a = Value(3.0)
    build(a).backward()
    assert a.grad == expected


def test_shared_sub_expression_gets_the_sum_of_both_paths():
    a, b = Value(2.0), Value(-3.0)
    shared = a * b
    out = shared.tanh() + shared**2
    out.backward()
    t = math.tanh(-6.0)
    upstream = (1 - t * t) + 2 * -6.0
    assert shared.grad == pytest.approx(upstream)
    assert (a.grad, b.grad) == pytest.approx((upstream * -3.0, upstream * 2.0))


def test_backward_twice_doubles_leaf_grads_and_recomputes_intermediate_ones():
    a = Value(2.0)
    b = a * a
    c = b * a
    c.backward()
    assert (a.grad, b.grad) == (12.0, 2.0)
    c.backward()
    assert (a.grad, b.grad) == (24.0, 2.0)  # micrograd gives 32 here


def test_backward_seed_scales_every_gradient_and_leaf_root_accumulates():
    a, b = Value(1.5), Value(-2.0)
    (a * b).backward(2.5)
    assert (a.grad, b.grad) == (-5.0, 3.75)
    a.backward()
    assert a.grad == -4.0


def test_backward_rejects_a_non_value_and_a_bad_seed():
    with pytest.raises(TypeError, match="float"):
        backward(1.0)
    with pytest.raises(TypeError, match="str"):
        Value(1.0).backward("1")


def test_graph_functions_reject_non_values_naming_the_type():
    with pytest.raises(TypeError, match="float"):
        topological_order(1.0)
    with pytest.raises(TypeError, match="str"):
        zero_grad([Value(1.0), "w"])


def test_zero_grad_resets_given_values():
    a, b = Value(1.0), Value(2.0)
    (a * b).backward()
    zero_grad([a, b])
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_grad_returns_floats_and_leaves_dot_grad_alone():
    a, b = Value(2.0), Value(3.0)
    c = a * b + a
    assert grad(c, [a, b]) == (4.0, 2.0)
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)


def test_grad_of_several_outputs_with_grad_outputs():
    a = Value(2.0)
    y1, y2 = a * a, a * 3
    assert grad([y1, y2], [a], grad_outputs=[1.0, 10.0]) == (34.0,)
    assert grad(y1, a, grad_outputs=0.5) == (2.0,)
    with pytest.raises(ValueError, match="2 outputs"):
        grad([y1, y2], [a], grad_outputs=[1.0])


def test_grad_with_respect_to_an_unused_input_is_zero():
    a, unused = Value(2.0), Value(5.0)
    assert grad(a * a, [a, unused]) == (4.0, 0.0)
    first = grad(a * a, [unused], create_graph=True)[0]
    assert isinstance(first, Value) and first.data == 0.0


def test_grad_with_respect_to_an_intermediate_node():
    a = Value(2.0)
    b = a * 3
    c = b * b + a
    assert grad(c, [b, a]) == (12.0, 37.0)


def test_grad_rejects_non_values():
    with pytest.raises(TypeError, match="float"):
        grad(Value(1.0), [1.0])


def test_third_derivative_through_repeated_grad():
    x = Value(1.5)
    y = x**4 + x.sin()
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x], create_graph=True)
    (d3,) = grad(d2, [x])
    assert d1.data == pytest.approx(4 * 1.5**3 + math.cos(1.5))
    assert d2.data == pytest.approx(12 * 1.5**2 - math.sin(1.5))
    assert d3 == pytest.approx(24 * 1.5 - math.cos(1.5))


def test_create_graph_of_tanh_matches_closed_form_second_derivative():
    a, b = Value(0.3), Value(-0.7)
    c = (a * b + 1).tanh()
    (dc_da,) = grad(c, [a], create_graph=True)
    (d2,) = grad(dc_da, [a])
    t = math.tanh(0.3 * -0.7 + 1)
    assert dc_da.data == pytest.approx(-0.7 * (1 - t * t))
    assert d2 == pytest.approx(-0.7 * -0.7 * -2 * t * (1 - t * t))


def test_a_chain_of_a_million_ops_builds_backpropagates_and_frees():
    x = Value(0.5)
    y = x
    for _ in range(250_000):  # four ops a step: a million nodes
        y = (y * 1.0 + 0.0).relu() - 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 1_000_001
    del y
    gc.collect()


def test_same_program_in_two_processes_gives_the_same_order_and_gradients():
    script = textwrap.dedent(
        """
        import random
        from autograd import Value, topological_order
        rng = random.Random(7)
        xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(5)]
        nodes = list(xs)
        for i in range(200):
            a, b = rng.choice(nodes), rng.choice(nodes)
            nodes.append(rng.choice([a + b, a * b, (a - b).tanh(), a.sigmoid() * 2]))
        root = sum(nodes[-20:], Value(0.0))
        root.backward()
        order = topological_order(root)
        print([(n.op, n.label, repr(n.data)) for n in order])
        print([repr(x.grad) for x in xs])
        """
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": "."},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] and len(runs[0]) > 1000


@pytest.mark.parametrize(
    "build",
    [
        lambda: apply("exp", 1.0),  # one input, a constant
        lambda: apply("+", 1.0, 2.0),  # two constants
        lambda: apply("sum", 1.0, 2.0, 3.0),
    ],
)
def test_backward_through_a_node_of_constants_only_has_nothing_to_do(build):
    node = build()
    node.backward()  # used to raise AttributeError: 'float' object has no attribute 'data'
    assert node.grad == 1.0 and all(type(p) is float for p in node.parents)
    assert grad(node * Value(2.0), [node]) == (2.0,)
