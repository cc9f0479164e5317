"""draw_dot: what the DOT says about nodes, edges, order, kinds, colours, highlight and limits."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograd import Value, topological_order
from tests.helpers.viz_graphs import neuron, ordered_operations, small_expression
from viz import DEFAULT_MAX_NODES, GraphTooLargeError, draw_dot, style


def edges(source: str) -> list[tuple[str, str]]:
    """(tail, head) of every edge, ports kept (``o3:p1``)."""
    return re.findall(r"^\t(\S+) -> (\S+)", source, flags=re.MULTILINE)


def attributes(source: str, node: str) -> str:
    """The attribute text of one node statement."""
    match = re.search(rf"^\t{re.escape(node)} \[(.*)\]$", source, flags=re.MULTILINE)
    assert match, f"no node {node} in the DOT"
    return match[1]


def test_each_value_is_a_box_and_each_op_a_node_in_front_of_it():
    root = small_expression()
    order = topological_order(root)
    source = draw_dot(root).source
    assert "shape=box" in re.search(r"^\tnode \[(.*)\]$", source, re.MULTILINE)[1]  # the default
    for k, value in enumerate(order):
        assert "shape=" not in attributes(source, f"v{k}").split(">> ")[-1]
        if value.op:
            assert ("o" + str(k), f"v{k}") in edges(source)
        else:
            assert f"\to{k} " not in source
    assert f"v{len(order)}" not in source


def test_x_times_x_has_one_edge_per_argument():
    x = Value(3.0, label="x")
    source = draw_dot(x * x).source
    assert edges(source).count(("v0", "o1")) == 2


def test_constant_operands_are_drawn_as_constant_nodes():
    a = Value(1.5, label="a")
    source = draw_dot(a * 2).source
    assert ("c1_1", "o1") in edges(source)
    assert "label=2 " in attributes(source, "c1_1") + " "
    assert attributes(source, "c1_1") != attributes(source, "v0")


@pytest.mark.parametrize(
    ("build", "ports"),
    [
        (lambda a, b: a - b, ("+", "−")),
        (lambda a, b: a / b, ("num", "den")),
        (lambda a, b: a**b, ("base", "exp")),
    ],
)
def test_argument_order_is_shown_by_named_ports(build, ports):
    def argument_labels(source: str) -> list[str]:
        tails = {head: tail for tail, head in edges(source)}
        return [re.search(r"<B>(\w)</B>", attributes(source, tails[f"o2:p{i}"]))[1] for i in (0, 1)]

    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    forward, backward = draw_dot(build(a, b)).source, draw_dot(build(b, a)).source
    assert argument_labels(forward) == ["a", "b"]
    assert argument_labels(backward) == ["b", "a"]
    label = attributes(forward, "o2")
    for i, name in enumerate(ports):
        assert re.search(rf'PORT="p{i}"[^>]*><FONT[^>]*>{re.escape(name)}<', label)


def test_a_constant_base_or_exponent_goes_to_its_port():
    a = Value(2.0, label="a")
    assert ("c1_0", "o1:p0") in edges(draw_dot(3**a).source)  # rpow: base is the constant
    assert ("c1_1", "o1:p1") in edges(draw_dot(a**3).source)


def test_dot_ports_name_weights_inputs_and_bias():
    source = draw_dot(neuron()).source
    dot_node = next(k for k, v in enumerate(topological_order(neuron())) if v.op == "dot")
    label = attributes(source, f"o{dot_node}")
    assert [m for m in re.findall(r"PORT=\"p\d\"[^>]*><FONT[^>]*>([^<]*)<", label)] == [
        "w[0]",
        "w[1]",
        "x[0]",
        "x[1]",
        "b",
    ]


def test_commutative_ops_are_plain_circles_without_ports():
    a, b = Value(2.0), Value(3.0)
    source = draw_dot(a * b + a).source
    assert "shape=circle" in attributes(source, "o2")
    assert "PORT" not in source


@pytest.mark.parametrize(
    ("build", "shown"),
    [
        (lambda a: -a, "-"),
        (lambda a: a.tanh(), "tanh"),
        (lambda a: a ** Value(2.0), "**"),
        (lambda a: a.leaky_relu(0.1), "leaky_relu"),
    ],
)
def test_op_nodes_show_the_op_as_the_user_wrote_it(build, shown):
    a = Value(0.5)
    out = build(a)
    k = len(topological_order(out)) - 1
    label = attributes(draw_dot(out).source, f"o{k}")
    assert re.search(rf"(label=\"?|>){re.escape(shown)}(\"| |<)", label), label


def test_values_show_label_data_and_grad_keeping_small_numbers_visible():
    a = Value(1.23456e-7, label="tiny")
    out = a * 0.000123456
    out.backward()
    label = attributes(draw_dot(out).source, "v0")
    assert "<B>tiny</B>" in label
    assert "</FONT>1.235e-07<" in label  # data, 4 significant digits
    assert "</FONT>0.0001235<" in label  # grad, not 0.0000


def test_inputs_parameters_constants_and_output_look_different():
    x, w = Value(2.0), Value(-0.5, label="w")
    out = (x * w + 1) * 3
    source = draw_dot(out, color=None).source

    def look(node: str) -> str:
        return re.sub(r"label=<.*?>> ", "", attributes(source, node))

    input_, parameter, output = look("v0"), look("v1"), look(f"v{len(topological_order(out)) - 1}")
    intermediate, constant = look("v2"), look("c3_1")
    kinds = [input_, parameter, output, intermediate, constant]
    assert len(set(kinds)) == 5
    assert "dashed" in input_ and style.PARAMETER_BORDER in parameter and "peripheries=2" in output


def test_grad_colour_hue_follows_sign_and_depth_follows_magnitude():
    def rgb(fill: str) -> tuple[int, ...]:
        return tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))

    positive, negative = rgb(style.grad_fill(1.0, 1.0)), rgb(style.grad_fill(-1.0, 1.0))
    assert positive[0] > positive[2] and negative[2] > negative[0]
    assert style.grad_fill(0.0, 1.0) == "#ffffff"
    small, large = rgb(style.grad_fill(0.1, 1.0)), rgb(style.grad_fill(0.9, 1.0))
    assert sum(large) < sum(small) < 3 * 255  # deeper colour for the larger gradient
    assert style.grad_fill(float("nan"), 1.0) == style.NAN_FILL


def test_draw_dot_fills_each_value_by_its_gradient_and_adds_a_legend():
    root = small_expression()
    order = topological_order(root)
    source = draw_dot(root).source
    scale = max(abs(v.grad) for v in order[:-1])
    for k, value in enumerate(order):
        assert f'fillcolor="{style.grad_fill(value.grad, scale)}"' in attributes(source, f"v{k}")
    assert f"+{style.number(scale)}" in attributes(source, "legend")


def test_color_none_and_show_grad_false_draw_no_shading_or_gradients():
    root = small_expression()
    plain = draw_dot(root, color=None).source
    assert "legend" not in plain
    assert not any("fillcolor" in attributes(plain, f"v{k}") for k in range(7))  # the default
    hidden = draw_dot(root, show_grad=False).source
    assert "> grad <" not in hidden and "legend" not in hidden
    assert "> grad <" in plain


def test_highlight_marks_every_path_from_the_node_to_the_root_and_nothing_else():
    a, e = Value(1.0, label="a"), Value(2.0, label="e")
    b, c = a * 2, a + 1  # v1 (o1), v2 (o2)
    d = b * c + e  # v3 = b * c, v4 = e, v5 = v3 + e
    source = draw_dot(d, highlight=a).source
    marked = {
        n
        for n in re.findall(r"^\t(\w+) \[.*", source, re.MULTILINE)
        if style.HIGHLIGHT in attributes(source, n)
    }
    assert marked == {"v0", "v1", "o1", "v2", "o2", "v3", "o3", "v5", "o5"}
    marked_edges = set(
        re.findall(rf"^\t(\S+) -> (\S+) \[.*{style.HIGHLIGHT}", source, re.MULTILINE)
    )
    assert ("v4", "o5") not in marked_edges and ("c1_1", "o1") not in marked_edges
    assert {("v0", "o1"), ("v0", "o2"), ("v3", "o5"), ("o5", "v5")} <= marked_edges


def test_highlight_must_be_a_value_in_the_graph():
    a = Value(1.0)
    with pytest.raises(ValueError, match="in the graph"):
        draw_dot(a * 2, highlight=Value(3.0))
    with pytest.raises(TypeError, match="int"):
        draw_dot(a * 2, highlight=3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir"),
        ({"color": "rainbow"}, ValueError, "color"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"collapse": "module"}, ValueError, "collapse"),
    ],
)
def test_bad_options_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        draw_dot(Value(1.0) * 2, **kwargs)


def test_drawing_something_else_than_a_value_names_its_type():
    with pytest.raises(TypeError, match="float"):
        draw_dot(1.0)


def test_top_to_bottom_layout_puts_ports_in_a_row_above_the_op():
    a, b = Value(2.0), Value(3.0)
    label = attributes(draw_dot(a - b, rankdir="TB").source, "o2")
    assert "rankdir=TB" in draw_dot(a - b, rankdir="TB").source
    assert label.index('PORT="p1"') < label.index("COLSPAN")  # ports row, then the symbol row


def deep_chain(n: int) -> Value:
    x = Value(0.5, label="x")
    for _ in range(n - 1):
        x = -x
    return x


def test_more_values_than_max_nodes_raises_saying_how_to_fold_or_raise_the_limit():
    root = deep_chain(DEFAULT_MAX_NODES + 1)
    with pytest.raises(GraphTooLargeError) as error:
        draw_dot(root)
    message = str(error.value)
    assert f"{DEFAULT_MAX_NODES + 1:,} Values" in message
    assert "collapse='layer'" in message and f"max_nodes={DEFAULT_MAX_NODES + 1}" in message
    draw_dot(deep_chain(DEFAULT_MAX_NODES))  # at the limit: drawn


def test_a_100000_node_graph_goes_through_draw_dot_without_recursion():
    root = deep_chain(100_000)
    source = draw_dot(root, max_nodes=100_000).source
    assert "\tv99999 [" in source and "\to99999 -> v99999" in source


PROGRAM = textwrap.dedent(
    """
    import hashlib, sys
    sys.path.insert(0, {root!r})
    from tests.helpers.viz_graphs import demo_loss, neuron, ordered_operations, small_expression
    from nn import MLP, datasets
    from viz import draw_dot
    model = MLP(2, [4, 1], seed=0)
    X, y = datasets.make_moons(6, noise=0.1, seed=0)
    loss = demo_loss(model, X, datasets.signed_labels(y))
    loss.backward()
    sources = [draw_dot(f()).source for f in (small_expression, ordered_operations, neuron)]
    sources += [draw_dot(loss, max_nodes=5000).source, draw_dot(loss, collapse="neuron").source]
    print(hashlib.sha256("".join(sources).encode()).hexdigest(), len(sources[3]))
    """
)


def test_dot_is_byte_identical_across_processes_with_different_hash_seeds():
    program = PROGRAM.format(root=str(Path(__file__).resolve().parents[2]))
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert int(outputs[0].split()[1]) > 10_000  # the whole loss graph was drawn


def test_ordered_operations_graph_draws_every_value():
    root = ordered_operations()
    source = draw_dot(root).source
    assert len(re.findall(r"^\tv\d+ \[", source, re.MULTILINE)) == len(topological_order(root))
