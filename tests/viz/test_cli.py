"""The `valuegraph` command: draw and demo, their help, and their errors (stderr, exit code 2)."""

from __future__ import annotations

import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from viz.cli import main


def test_draw_renders_the_graph_after_backward_and_prints_the_gradients(tmp_path, capsys):
    out = tmp_path / "graph.svg"
    code = main(["draw", "tanh(x*w + b)", "--set", "x=1", "--set", "w=-2", "--set", "b=0.5",
                 "-o", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    slope = 1 - math.tanh(-1.5) ** 2
    assert f"= {math.tanh(-1.5):.6g}" in printed
    assert f"d/dx = {-2 * slope:.6g}" in printed and f"d/dw = {slope:.6g}" in printed
    svg = ET.parse(out).getroot()
    text = " ".join(svg.itertext())
    assert "tanh" in text and f"{slope:.4g}" in text  # the gradient is drawn


def test_draw_without_backward_shows_no_gradients(tmp_path, capsys):
    out = tmp_path / "forward.png"
    assert main(["draw", "x * 2", "--set", "x=3", "--no-backward", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "d/dx" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ('__import__("os").system("true")', "only calls to"),
        ("x.data", "attribute access"),
        ("x ** 9 ** 9", "too large"),
        ("x + y", "unknown name: y"),
    ],
)
def test_draw_refuses_unsafe_or_unknown_input_with_exit_code_2(
    tmp_path, capsys, expression, message
):
    out = tmp_path / "graph.svg"
    assert main(["draw", expression, "--set", "x=1", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert not out.exists()


def test_draw_without_a_working_graphviz_is_a_clear_error_not_a_traceback(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("VALUEGRAPH_DOT", str(tmp_path / "no-such-dot"))
    out = tmp_path / "graph.svg"
    assert main(["draw", "x * 2", "--set", "x=3", "-o", str(out)]) == 2
    assert "valuegraph draw:" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draw", "x * " + "9" * 400, "--set", "x=1"], "beyond"),
        (["draw", "x", "--set", "x=1", "-o", "graph.gif"], ".svg, .png or .pdf"),
    ],
)
def test_draw_refuses_huge_numbers_and_unknown_formats(
    tmp_path, capsys, monkeypatch, args, message
):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["x", "x=abc", "1x=2", "=3"])
def test_a_bad_set_option_is_a_usage_error(capsys, bad):
    with pytest.raises(SystemExit) as exit_info:
        main(["draw", "x", "--set", bad])
    assert exit_info.value.code == 2
    assert "--set" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["draw", "--help"]])
def test_help_for_the_command_and_each_subcommand(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    assert "usage: valuegraph" in capsys.readouterr().out


def test_a_missing_subcommand_or_bad_option_is_exit_code_2(capsys):
    for args in ([], ["demo", "--dataset", "mnist"], ["demo", "--steps", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 2
    assert "usage" in capsys.readouterr().err


@pytest.mark.parametrize("dataset", ["moons", "spiral"])
def test_demo_trains_and_writes_every_picture(tmp_path, capsys, dataset):
    assert main(["demo", "--dataset", dataset, "--steps", "3", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert f"{dataset}:" in printed and "accuracy" in printed and "3 steps" in printed
    names = [
        "neuron.svg",
        "model.svg",
        "backprop.html",
        "boundary.png",
        "loss.png",
        "training.html",
    ]
    for name in names:
        assert name in printed
        assert (tmp_path / name).stat().st_size > 1000
    for name in ("neuron.svg", "model.svg"):
        ET.parse(tmp_path / name)  # well-formed SVG
    model = (tmp_path / "model.svg").read_text()
    assert "layers.1" in model  # folded by layer
    # the loss printed is the loss drawn (the model after its last step)
    loss = re.search(r"; loss (\S+),", printed)[1]
    assert f"|loss| data |{loss}|" in "|".join(re.findall(r">([^<>]*)</text>", model))
    html = (tmp_path / "backprop.html").read_text()
    assert "<svg" in html and "http" not in html.replace("http://www.w3.org", "")


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("valuegraph")
    result = subprocess.run([script, "draw", "--help"], capture_output=True, text=True, check=True)
    assert "NAME=VALUE" in result.stdout


@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["draw", "-x*y", "--set", "x=2", "--set", "y=3"], "-x*y = -6; d/dx = -3, d/dy = -2"),
        (["draw", "--set", "x=2", "-x"], "-x = -2; d/dx = -1"),
        (["draw", "-2*x", "--set", "x=2"], "-2*x = -4; d/dx = -2"),
        (["draw", "--set", "x=2", "--", "-x"], "-x = -2; d/dx = -1"),
    ],
)
def test_an_expression_starting_with_a_minus_is_the_expression_not_an_option(
    tmp_path, capsys, monkeypatch, args, printed
):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 0
    assert printed in capsys.readouterr().out
    assert (tmp_path / "graph.svg").exists()


def test_a_name_set_twice_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["draw", "x", "--set", "x=1", "--set", "x=2"])
    assert exit_info.value.code == 2
    assert "valuegraph draw: error: --set x is given more than once" in capsys.readouterr().err


def test_max_nodes_refuses_a_larger_graph_with_command_line_advice(tmp_path, capsys):
    out = tmp_path / "g.svg"
    assert main(["draw", "x*x + x", "--set", "x=1", "--max-nodes", "2", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("valuegraph draw: error: the graph has 3 Values, more than --max-nodes")
    assert "--max-nodes 3" in err and "draw_dot(" not in err and not out.exists()
    assert main(["draw", "x*x + x", "--set", "x=1", "--max-nodes", "3", "-o", str(out)]) == 0


def test_a_render_that_takes_too_long_is_stopped_by_timeout(tmp_path, capsys, monkeypatch):
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("VALUEGRAPH_DOT", str(slow))
    out = tmp_path / "g.svg"
    assert main(["draw", "x*2", "--set", "x=1", "--timeout", "0.3", "-o", str(out)]) == 2
    assert "did not finish drawing a graph of" in capsys.readouterr().err and not out.exists()


def test_errors_name_the_file_never_a_temporary_file(tmp_path, capsys):
    out = tmp_path / "missing" / "g.svg"
    assert main(["draw", "x", "--set", "x=1", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"valuegraph draw: error: cannot write {out}")
    assert ".tmp" not in err and "Errno" not in err


def test_version_prints_the_installed_version(capsys):
    import importlib.metadata

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"valuegraph {importlib.metadata.version('valuegraph')}\n"


def test_every_error_starts_the_same_way(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["draw", "x + y", "--set", "x=1"], ["draw", "x", "--set", "x=1", "-o", "g.gif"]):
        assert main(args) == 2
        assert capsys.readouterr().err.startswith("valuegraph draw: error: ")
    with pytest.raises(SystemExit):
        main(["draw", "x", "--set", "x"])
    assert "valuegraph draw: error: " in capsys.readouterr().err
