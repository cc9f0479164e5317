"""The backprop player: frames in the engine's order, the engine's numbers, the op table's rules,
one layout with each frame's changes, and a self-contained HTML file that needs no network
(``test_browser.py`` plays it in a real browser)."""

from __future__ import annotations

import html
import json
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
from viz.player_page import script_json
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
    assert lines["backward through d = tanh(v1)"][0].startswith(
        "v1.grad += (1 - d.data * d.data) * d.grad = "
    )
    assert lines["backward through v1 = c / b"][1].startswith(
        "b.grad += (-v1.data / b.data) * v1.grad = "
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


def test_unlabelled_values_are_named_v1_v2_in_the_order_computed_with_no_gaps():
    x = Value(1.5, label="v2")  # a label that takes one of the names
    y = Value(-2.0)
    out = ((x * y).tanh() + x) * 3
    steps = backprop_steps(out)
    order = topological_order(out)
    shown = {v: name for v, name in zip(order, re.findall(r">(v\d+)<", steps[0].drawing.source))}
    assert [shown[v] for v in order if not v.label] == ["v1", "v3", "v4", "v5", "v6"]
    assert shown[x] == "v2"
    text = " ".join(s.title + " " + " ".join(s.lines) for s in steps)
    assert set(re.findall(r"\bv\d+\b", text)) == {"v1", "v2", "v3", "v4", "v5", "v6"}


def page_data(page: str) -> dict:
    """The frames' data a page hands its script."""
    return json.loads(re.search(r"currentScript\.parentNode, (\{.*\})\);</script>", page)[1])


def state_at(changes: list, frame: int) -> tuple[str, str]:
    """A Value's (gradient text, fill) in ``frame``: its last change at or before it."""
    return tuple([c for c in changes if c[0] <= frame][-1][1:])


def tiny_mlp_sample() -> Value:
    from nn import MLP

    model = MLP(2, [2, 1], seed=0)
    return (1 + -1.0 * model([0.5, -1.5])).relu()


PLAYED = [*GRAPHS, tiny_mlp_sample]


@pytest.mark.parametrize("build", PLAYED)
def test_each_frame_shows_what_backward_has_computed_by_then(build, tmp_path):
    """Oracle: a Value's gradient is unknown (?) until a Value it is used in has been processed,
    adds up (…) to the sum of finite-difference partials times those consumers' real .grad, and
    is final, equal to the engine's .grad, once every use has been processed."""
    root = build()
    data = page_data(save_html(backprop_steps(root), tmp_path / "p.html").read_text())
    order = topological_order(root)
    zero_grad(order)
    root.backward()
    uses = {v: [(c, j) for c in order for j, p in enumerate(c.parents) if p is v] for v in order}
    processed: list[Value] = []
    scale = style.grad_scale([v.grad for v in order if v is not root])
    for frame, step in enumerate([None, *(v for v in reversed(order) if v.op)]):
        processed += [step] if step else []
        for (name, _, changes), v in zip(data["values"], order):
            text, fill = state_at(changes, frame)
            done = [(c, j) for c, j in uses[v] if c in processed]
            if v is root or len(done) == len(uses[v]):
                assert text == style.number(v.grad), name
                assert fill == style.grad_fill(v.grad, scale)
            elif not done:
                assert (text, fill) == ("?", style.NEUTRAL_FILL)
            else:
                assert text.endswith(" …")
                total = sum(central_partial(c, j) * c.grad for c, j in done)
                assert float(text[:-2]) == pytest.approx(total, rel=2e-3, abs=1e-9)


def central_partial(node: Value, position: int) -> float:
    """d node / d its argument ``position``, by a central difference of the op's forward."""
    inputs = [p.data if isinstance(p, Value) else p for p in node.parents]

    def forward(x: float) -> float:
        return OPS[node.op].forward(FLOATS, *inputs[:position], x, *inputs[position + 1 :])

    return central_difference(forward, inputs[position])


@pytest.mark.parametrize("build", PLAYED)
def test_each_frame_highlights_the_node_backward_processes_its_op_and_edges(build, tmp_path):
    root = build()
    data = page_data(save_html(backprop_steps(root), tmp_path / "p.html").read_text())
    order = topological_order(root)
    assert data["frames"][0][2] == [f"v{len(order) - 1}"]  # the seed: the output
    for (_, _, marked), node in zip(data["frames"][1:], [v for v in reversed(order) if v.op]):
        k = order.index(node)
        inputs = [f"e{k}_{i}" for i, p in enumerate(node.parents) if isinstance(p, Value)]
        assert marked == [f"v{k}", f"o{k}", f"e{k}", *inputs]


def test_the_graph_is_laid_out_once_with_the_widest_text_of_each_gradient(tmp_path):
    steps = backprop_steps(small_expression())
    page = save_html(steps, tmp_path / "player.html").read_text()
    assert page.count("<svg") == 1
    svg = html.unescape(page[page.index("<svg") : page.index("</svg>") + 6])
    for name, widest, changes in page_data(page)["values"]:
        texts = {c[1] for c in changes}
        assert widest in texts and all(len(widest) >= len(t) for t in texts)
        node = re.search(rf'<g id="vg-player-{name}" class="node">(.*?)</g>', svg, re.DOTALL)[1]
        assert f">{widest}</text>" in node
    ids = set(re.findall(r'<g id="vg-player-(\w+)"', svg))
    marked = {i for frame in page_data(page)["frames"] for i in frame[2]}
    assert marked <= ids  # every id a frame highlights is in the SVG
    assert "<title>" not in svg  # no tooltips naming DOT ids


def test_a_player_of_199_values_is_one_small_file(tmp_path):
    xs = [Value(0.01 * i) for i in range(100)]
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    assert len(topological_order(out)) == 199
    page = save_html(backprop_steps(out), tmp_path / "player.html")
    assert page.stat().st_size < 2_000_000  # one SVG and the changes; a SVG per frame was 33 MB
    assert page.read_text().count("<svg") == 1


def key_of(root: Value, tmp_path) -> str:
    page = save_html(backprop_steps(root), tmp_path / "p.html").read_text()
    return re.sub(r"<[^>]+>", " ", re.search(r'<div class="vg-key">(.*?)</div>', page)[1])


def test_the_key_shows_only_the_states_that_occur(tmp_path):
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    key = key_of(a * b, tmp_path)  # positive gradients, each Value used once
    assert "positive gradient" in key and "not computed yet" in key and "step being taken" in key
    assert "negative" not in key and "adding up" not in key and "zero" not in key
    a = Value(1.5, label="a")
    key = key_of((a * -2.0).tanh() * a, tmp_path)  # a used twice; a negative gradient
    assert "negative gradient" in key and "still adding up" in key
    key = key_of(Value(0.0, label="x"), tmp_path)  # the seed alone
    assert "not computed yet" not in key and "adding up" not in key
    assert "positive gradient" in key and "step being taken" in key


PAYLOAD = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned=1">\'\nend'


def test_labels_reach_the_page_as_text_never_as_markup(tmp_path):
    x = Value(2.0, label=PAYLOAD)
    out = x * x
    out.label = "out " + PAYLOAD
    page = save_html(backprop_steps(out), tmp_path / "player.html").read_text()
    assert page.count("<script") == 1 and page.count("</script>") == 1  # the player's own
    assert "<img" not in page
    shown = "\\n".join(PAYLOAD.split("\n"))  # a newline in a name is shown as \n
    titles = " ".join(title for title, _, _ in page_data(page)["frames"])
    assert f"seed: out {shown}.grad = 1" in titles


@pytest.mark.parametrize(
    "data", [PAYLOAD, ["&amp;", "\u2028", "<!--"], {"</SCRIPT >": [1, 2.5, None]}]
)
def test_script_json_has_no_character_that_could_end_a_script(data):
    text = script_json(data)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == data


def test_save_html_writes_one_self_contained_file(tmp_path):
    steps = backprop_steps(neuron())
    path = save_html(steps, tmp_path / "player.html")
    page = path.read_text()
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
    assert "w[0]" in svg_text(page[page.index("<svg") : page.index("</svg>") + 6])
    assert page_data(page)["frames"][0][0].startswith("seed:")


def test_save_html_takes_the_steps_of_one_player(tmp_path):
    with pytest.raises(TypeError, match="backprop_steps"):
        save_html([], tmp_path / "p.html")
    mixed = [*backprop_steps(small_expression())[:2], *backprop_steps(neuron())[2:]]
    with pytest.raises(ValueError, match="one backprop_steps"):
        save_html(mixed, tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()
    some = save_html(backprop_steps(neuron())[:2], tmp_path / "p.html").read_text()
    assert len(page_data(some)["frames"]) == 2  # a slice of the steps plays too


def test_the_player_shows_inline_in_jupyter_or_says_why_not(monkeypatch, tmp_path):
    steps = backprop_steps(small_expression())
    fragment = steps._repr_html_()
    element_id = re.match(r'<div class="vg-player" id="(vg-player-[\w-]+)" tabindex="0"', fragment)[
        1
    ]
    assert fragment.count("<svg") == 1 and "document.currentScript" in fragment
    assert f'id="{element_id}-v0"' in html.unescape(fragment)  # the SVG ids are this player's own
    assert '"wholePage":false' in fragment  # keys act only while the player has focus
    assert element_id not in steps._repr_html_()  # each display gets its own id
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(viz.render, "graphviz_pure_binary", lambda: None)
    assert "could not draw the backprop player" in steps._repr_html_()
