"""The backprop player: frames in the engine's order, the engine's numbers, the op table's rules,
and a self-contained HTML file that plays in a real browser."""

from __future__ import annotations

import math
import random
import re

import pytest

import viz.render
from autograd import OPS, Value, topological_order, zero_grad
from autograd.core.ieee import FLOATS
from tests.helpers.oracles import central_difference
from tests.helpers.viz_graphs import neuron, ordered_operations, small_expression, svg_text
from viz import GraphTooLargeError, Steps, backprop_steps, save_html, style
from viz.symbolic import SYMBOLIC_MATH, Symbol, constant


def random_graph(seed: int) -> Value:
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(0.5, 2.0), label=f"x{i}") for i in range(3)]
    for _ in range(12):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([a * b, a + b, (a - b).tanh(), a / b, a**2, -a, a.exp()]))
    return nodes[-1]


GRAPHS = [small_expression, ordered_operations, neuron] + [
    lambda s=s: random_graph(s) for s in range(5)
]


@pytest.mark.parametrize("build", GRAPHS)
def test_one_frame_for_the_seed_then_one_per_op_node_in_the_engines_order(build):
    root = build()
    steps = backprop_steps(root)
    assert isinstance(steps, Steps) and steps[0].node is None
    assert [s.node for s in steps[1:]] == [v for v in reversed(topological_order(root)) if v.op]


@pytest.mark.parametrize("build", GRAPHS)
def test_the_last_frame_shows_exactly_the_gradients_backward_computes(build):
    root = build()
    steps = backprop_steps(root)
    order = topological_order(root)
    zero_grad(order)
    root.backward()
    assert steps[-1].final == frozenset(order)
    assert all(steps[-1].grads[v] == v.grad for v in order)


def test_the_player_leaves_the_values_grads_alone():
    root = small_expression()
    before = [v.grad for v in topological_order(root)]
    backprop_steps(root, 2.0)
    assert [v.grad for v in topological_order(root)] == before


def test_gradients_shown_agree_with_finite_differences():
    def f(a: float, b: float) -> float:
        return math.tanh(a * b + 1) * a

    a, b = Value(0.7, label="a"), Value(-0.4, label="b")
    grads = backprop_steps((a * b + 1).tanh() * a)[-1].grads
    assert grads[a] == pytest.approx(central_difference(lambda x: f(x, -0.4), 0.7), rel=1e-6)
    assert grads[b] == pytest.approx(central_difference(lambda y: f(0.7, y), -0.4), rel=1e-6)


RULE = re.compile(r"^(\S+)\.grad \+= (.+) \* (\S+)\.grad = (\S+) \* (\S+) = (\S+)$")


@pytest.mark.parametrize("build", GRAPHS)
def test_each_rule_shows_the_engines_partials_and_upstream_gradient(build):
    root = build()
    steps = backprop_steps(root)
    zero_grad(topological_order(root))
    root.backward()
    for step in steps[1:]:
        node = step.node
        inputs = [p.data if isinstance(p, Value) else p for p in node.parents]
        partials = OPS[node.op].derivative(FLOATS, *inputs, node.data)
        expected = [d for p, d in zip(node.parents, partials) if isinstance(p, Value)]
        assert len(step.lines) == len(expected)
        for line, partial in zip(step.lines, expected):
            _, _, _, shown_partial, upstream, contribution = RULE.match(line).groups()
            assert shown_partial == style.number(partial)
            assert upstream == style.number(node.grad)  # the engine's gradient of the node
            assert contribution == style.number(partial * node.grad)


def test_rules_read_as_the_op_table_writes_them():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c / b).tanh()
    d.label = "d"
    lines = {s.title: s.lines for s in backprop_steps(d)}
    through_c = lines["backward through c = a * b"]
    assert through_c[0].startswith("a.grad += b.data * c.grad = -3 * ")
    assert through_c[1].startswith("b.grad += a.data * c.grad = 2 * ")
    assert lines["backward through d = tanh(v3)"][0].startswith(
        "v3.grad += (1 - d.data * d.data) * d.grad = "
    )
    assert lines["backward through v3 = c / b"][1].startswith(
        "b.grad += (-v3.data / b.data) * v3.grad = "
    )
    relu = backprop_steps(Value(-1.0, label="x").relu())[1].lines[0]
    assert relu.startswith("x.grad += 0 * v1.grad")  # where(x > 0, 1, 0) took its branch


@pytest.mark.parametrize("name", sorted(OPS))
def test_the_text_of_every_rule_computes_the_tables_numbers(name):
    """The symbolic replay of each rule is the rule: its values equal the table's on floats."""
    op = OPS[name]
    count = op.arity or 5
    inputs = [1.7, 0.6, -0.4, 1.3, 0.9][:count]
    assert op.domain(*inputs)
    out = op.forward(FLOATS, *inputs)
    numbers = op.derivative(FLOATS, *inputs, out)
    symbols = [
        Symbol(f"x{i}.data", x) if i not in op.constants else constant(x)
        for i, x in enumerate(inputs)
    ]
    texts = op.derivative(SYMBOLIC_MATH, *symbols, Symbol("out.data", out))
    for number, text in zip(numbers, texts):
        value = text.value if isinstance(text, Symbol) else text
        assert value == pytest.approx(number, rel=1e-12, abs=1e-15)


def test_gradients_not_reached_show_as_not_computed_and_partial_sums_as_unfinished():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    z = y + x
    z.label = "z"
    steps = backprop_steps(z)
    seed, through_z, through_y = (s.drawing.source for s in steps)
    grad = r"grad </FONT>([^<]*)<"

    def shown(source: str, label: str) -> str:
        return re.search(rf"<B>{label}</B>.*?{grad}", source)[1]

    assert shown(seed, "x") == "?" and shown(seed, "y") == "?" and shown(seed, "z") == "1"
    assert shown(through_z, "x") == "1 …" and shown(through_z, "y") == "1"  # x still adding up
    assert shown(through_y, "x") == "7"  # 1 + 2 * 3 * 1: final
    assert "?" not in re.findall(grad, through_y)


def test_the_processed_node_and_its_edges_are_highlighted():
    steps = backprop_steps(small_expression())
    for step in steps[1:]:
        k = topological_order(step.node).index(step.node)
        source = step.drawing.source
        marked = re.findall(rf"^\t(\w+) \[.*{style.HIGHLIGHT}", source, re.MULTILINE)
        assert marked == [f"v{k}", f"o{k}"]


def test_too_many_frames_is_a_clear_error():
    x = Value(1.0)
    for _ in range(300):
        x = x * 1.01
    with pytest.raises(GraphTooLargeError, match="max_nodes"):
        backprop_steps(x)
    assert len(backprop_steps(x, max_nodes=400)) == 301


def test_save_html_writes_one_self_contained_file(tmp_path):
    steps = backprop_steps(neuron())
    path = save_html(steps, tmp_path / "player.html")
    page = path.read_text()
    assert page.count('class="vg-frame"') == len(steps) == page.count("<svg")
    assert re.search(rf'class="vg-slider" type="range" min="0" max="{len(steps) - 1}"', page)
    for control in ("vg-previous", "vg-next", "vg-play"):
        assert f'class="{control}"' in page
    # nothing to fetch: no external script, style sheet, image or font; http only in namespaces
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert not re.search(r"@import|url\(", page)
    assert set(re.findall(r"https?://[^\s\"']+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    first = page.split('class="vg-frame"')[1]
    assert "seed:" in first and "w[0]" in svg_text(
        first[first.index("<svg") : first.index("</svg>") + 6]
    )


def test_save_html_takes_steps_only(tmp_path):
    with pytest.raises(TypeError, match="backprop_steps"):
        save_html([], tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()


def test_the_player_shows_inline_in_jupyter_or_says_why_not(monkeypatch, tmp_path):
    steps = backprop_steps(small_expression())
    fragment = steps._repr_html_()
    assert fragment.startswith('<div class="vg-player" id="vg-player-')
    assert fragment.count("<svg") == len(steps) and "document.currentScript" in fragment
    assert steps._repr_html_() != fragment  # each display gets its own id
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(viz.render, "graphviz_pure_binary", lambda: None)
    assert "could not draw the backprop player" in steps._repr_html_()
