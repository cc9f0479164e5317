"""Renderers: discovery order, rendering through each one present, escaping, files, Jupyter."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

import viz.render
from autograd import Value
from tests.helpers.viz_graphs import (
    PDF_RENDERER_PARAMS,
    RENDERER_PARAMS,
    RENDERERS,
    small_expression,
    svg_text,
)
from viz import Drawing, GraphvizNotFoundError, Renderer, RenderError, draw_dot, find_renderers


@pytest.fixture
def no_system_graphviz(monkeypatch, tmp_path):
    """A machine with only the pip-installed renderer: nothing on PATH, no VALUEGRAPH_DOT."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("VALUEGRAPH_DOT", raising=False)


@pytest.fixture
def no_renderer(no_system_graphviz, monkeypatch):
    monkeypatch.setattr(viz.render, "graphviz_pure_binary", lambda: None)


def test_the_ci_machine_has_both_system_dot_and_graphviz_pure():
    names = [r.name for r in RENDERERS]
    assert "graphviz-pure" in names  # a runtime dependency: always there
    if os.environ.get("CI"):
        assert "system dot" in names, ".ci/run must apt-get install graphviz"


def test_graphviz_pure_is_found_through_package_metadata_not_path(no_system_graphviz):
    (renderer,) = find_renderers()
    assert renderer.name == "graphviz-pure" and os.access(renderer.path, os.X_OK)
    version = subprocess.run([renderer.path, "-V"], capture_output=True, text=True, check=True)
    assert "graphviz" in (version.stdout + version.stderr).lower()


def test_discovery_order_is_environment_variable_then_system_dot_then_graphviz_pure(
    monkeypatch, tmp_path
):
    pure = viz.render.graphviz_pure_binary()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "dot").symlink_to(pure)
    (tmp_path / "bin" / "mydot").symlink_to(pure)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("VALUEGRAPH_DOT", "mydot")
    found = find_renderers()
    assert [r.name for r in found] == ["VALUEGRAPH_DOT", "system dot", "graphviz-pure"]
    assert found[0].path == str(tmp_path / "bin" / "mydot")
    assert found[1].path == str(tmp_path / "bin" / "dot")


def test_valuegraph_dot_naming_no_program_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("VALUEGRAPH_DOT", "/no/such/dot")
    with pytest.raises(GraphvizNotFoundError, match="VALUEGRAPH_DOT='/no/such/dot'"):
        find_renderers()
    assert "VALUEGRAPH_DOT" in draw_dot(Value(1.0) + 1)._repr_mimebundle_()["text/plain"]


def test_without_system_graphviz_render_svg_works_after_pip_install(no_system_graphviz, tmp_path):
    path = draw_dot(small_expression()).render(tmp_path / "g.svg")
    assert "data" in svg_text(path.read_text())


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_each_renderer_writes_svg_and_png(renderer, tmp_path):
    drawing = draw_dot(small_expression())
    text = svg_text(drawing.to_svg(renderer))
    for shown in ("a", "b", "L", "tanh", "-6", "0.3799", "gradient"):
        assert shown in text
    png = drawing.render(tmp_path / "g.png", renderer=renderer).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000


@pytest.mark.parametrize("renderer", PDF_RENDERER_PARAMS)
def test_system_dot_writes_pdf(renderer, tmp_path):
    pdf = draw_dot(small_expression()).render(tmp_path / "g.pdf", renderer=renderer)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_pdf_without_system_graphviz_says_what_is_needed(no_system_graphviz, tmp_path):
    with pytest.raises(RenderError, match="PDF needs the system Graphviz"):
        draw_dot(small_expression()).render(tmp_path / "g.pdf")
    assert not (tmp_path / "g.pdf").exists()


TORTURE = {
    'say "hi"': 'say "hi"',
    "<b>not bold</b>": "<b>not bold</b>",
    "{a|b} [c]": "{a|b} [c]",
    "back\\slash \\n \\N \\G": "back\\slash \\n \\N \\G",
    "a & b; &amp; &#38;": "a & b; &amp; &#38;",
    "it's": "it's",
    "∂L/∂w ≥ 0 · naïve café": "∂L/∂w ≥ 0 · naïve café",
    "日本語 🙂": "日本語 🙂",
    "]]> -->": "]]> -->",
    "tab\tand\nnewline\x07": "tab\\tand\\nnewline\\x07",  # control characters shown as escapes
}


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_torture_labels_render_into_svg_that_parses_and_shows_every_label(renderer):
    values = [Value(float(i), label=label) for i, label in enumerate(TORTURE)]
    root = values[0]
    for v in values[1:]:
        root = root + v
    root.label = "sum <all>"
    text = svg_text(draw_dot(root).to_svg(renderer))  # parses as XML, or raises
    for shown in [*TORTURE.values(), "sum <all>"]:
        assert shown in text


def test_long_labels_are_cut_with_an_ellipsis():
    source = draw_dot(Value(1.0, label="x" * 200) + 1).source
    assert "x" * 47 + "…" in source and "x" * 48 not in source


def test_render_replaces_a_file_whole_or_leaves_it_intact(tmp_path):
    target = tmp_path / "g.svg"
    target.write_text("old picture")
    broken = Renderer("broken", "/bin/false", frozenset({"svg"}))
    with pytest.raises(RenderError, match="broken"):
        draw_dot(small_expression()).render(target, renderer=broken)
    assert target.read_text() == "old picture"
    assert os.listdir(tmp_path) == ["g.svg"]  # no temporary file left behind
    draw_dot(small_expression()).render(target)
    assert target.read_text().lstrip().startswith("<?xml")


def test_a_new_rendered_file_is_readable_by_others_as_the_umask_allows(tmp_path):
    umask = os.umask(0o022)
    try:
        path = draw_dot(Value(1.0) * 2).render(tmp_path / "g.svg")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_render_needs_a_known_format(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        draw_dot(Value(1.0) * 2).render(tmp_path / "g.gif")


def test_no_renderer_error_says_how_to_install_and_gives_the_dot_text(no_renderer):
    drawing = draw_dot(small_expression())
    with pytest.raises(GraphvizNotFoundError) as error:
        drawing.to_svg()
    message = str(error.value)
    assert "pip install graphviz-pure" in message and "apt install graphviz" in message
    assert drawing.source.splitlines()[1] in message


def test_jupyter_shows_svg_or_falls_back_to_text_without_a_traceback(monkeypatch, tmp_path):
    drawing = draw_dot(small_expression())
    bundle = drawing._repr_mimebundle_()
    assert "tanh" in svg_text(bundle["image/svg+xml"])
    assert drawing._repr_svg_() == bundle["image/svg+xml"]
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(viz.render, "graphviz_pure_binary", lambda: None)
    fallback = drawing._repr_mimebundle_()
    assert set(fallback) == {"text/plain"} and "pip install graphviz-pure" in fallback["text/plain"]
    assert drawing._repr_svg_() is None


def test_a_drawing_is_its_dot_source():
    drawing = draw_dot(Value(1.0) * 2)
    assert isinstance(drawing, Drawing) and str(drawing) == drawing.source
    assert drawing.source.startswith("digraph {") and "lines of DOT" in repr(drawing)


# bounded, checked rendering


def _fake_renderer(tmp_path, name, script):
    """A ``dot`` stand-in: a shell script that ignores its input and does ``script``."""
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\nPATH=/usr/bin:/bin\ncat > /dev/null\n{script}\n")
    path.chmod(0o755)
    return Renderer(name, str(path), frozenset({"svg", "png", "pdf"}))


def test_a_renderer_that_hangs_is_stopped_at_the_timeout_with_what_to_do(tmp_path):
    import time

    slow = _fake_renderer(tmp_path, "slow", "sleep 30")
    start = time.perf_counter()
    with pytest.raises(viz.render.RenderTimeoutError) as info:
        draw_dot(small_expression()).render(tmp_path / "g.svg", renderer=slow, timeout=0.5)
    assert time.perf_counter() - start < 10
    message = str(info.value)
    assert "slow did not finish drawing a graph of 13 nodes in 0.5 s" in message
    assert "collapse='layer'" in message and "VALUEGRAPH_RENDER_TIMEOUT" in message
    assert not (tmp_path / "g.svg").exists()


def test_the_timeout_comes_from_the_environment_when_not_given(tmp_path, monkeypatch):
    slow = _fake_renderer(tmp_path, "slow", "sleep 30")
    monkeypatch.setenv("VALUEGRAPH_RENDER_TIMEOUT", "0.3")
    with pytest.raises(viz.render.RenderTimeoutError, match=r"in 0\.3 s"):
        draw_dot(small_expression()).to_svg(slow)
    monkeypatch.setenv("VALUEGRAPH_RENDER_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="VALUEGRAPH_RENDER_TIMEOUT must be a positive number"):
        draw_dot(small_expression()).to_svg(slow)
    monkeypatch.delenv("VALUEGRAPH_RENDER_TIMEOUT")
    assert viz.render.render_timeout() == viz.render.DEFAULT_TIMEOUT


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf")])
def test_a_timeout_that_is_not_a_positive_number_of_seconds_is_refused(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        viz.render.render_timeout(timeout)
    with pytest.raises(TypeError, match="timeout must be a number"):
        viz.render.render_timeout("10")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "script"),
    [
        ("svg", "head -c 4000 /dev/urandom"),
        ("svg", "echo '<html><body>not a picture</body></html>'"),
        ("svg", "echo '<svg><g></svg>'"),
        ("png", "echo '<svg/>'"),
        ("pdf", "head -c 4000 /dev/urandom"),
    ],
)
def test_output_that_is_not_the_format_asked_for_is_refused_and_nothing_is_written(
    tmp_path, fmt, script
):
    liar = _fake_renderer(tmp_path, "liar", script)
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(b"the old picture")
    with pytest.raises(RenderError, match=f"liar .*wrote no valid {fmt.upper()}"):
        draw_dot(small_expression()).render(path, renderer=liar)
    assert path.read_bytes() == b"the old picture"
    assert sorted(os.listdir(tmp_path)) == ["g." + fmt, "liar"]


def test_labels_with_lone_surrogates_and_control_characters_never_break_a_writer(tmp_path):
    from viz import backprop_steps, save_html

    a = Value(2.0, label="a\ud800b\x00\u202e")
    out = (a * a).tanh()
    out.label = "\udfff"
    out.backward()
    drawing = draw_dot(out)
    assert "\\ud800" in svg_text(drawing.to_svg())
    drawing.render(tmp_path / "g.png")
    save_html(backprop_steps(out), tmp_path / "player.html")
    assert "tanh" in (tmp_path / "player.html").read_text(encoding="utf-8")


def _long_sum(terms):
    x = Value(1.0, label="x")
    total = x
    for _ in range(terms - 1):
        total = total + x
    total.backward()
    return total


def test_a_value_feeding_many_ops_gets_its_edges_bundled_and_x_times_x_keeps_two():
    assert "concentrate=true" in draw_dot(_long_sum(20)).source
    x = Value(3.0, label="x")
    assert "concentrate" not in draw_dot(x * x).source
    assert "concentrate" not in draw_dot(small_expression()).source


@pytest.mark.parametrize("renderer", RENDERER_PARAMS)
def test_the_100_term_sum_renders_in_about_a_second_not_minutes(renderer):
    import resource

    drawing = draw_dot(_long_sum(100))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    svg = drawing.to_svg(renderer, timeout=20)  # it took over a minute before the bundling
    used = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
    assert svg_text(svg).count("data") == 100
    assert used < 3.0  # CPU seconds: ~0.4 for system dot, ~0.1 for graphviz-pure
