"""Every Python example in README.md runs as shown (the test-file example runs under pytest)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PINNED = ["--hypothesis-seed=0"]  # the example's property test draws the same graphs every run
# as the suite's own profile (tests/conftest.py): timing depends on the machine's load, not the code
NO_DEADLINE = """from hypothesis import settings
settings.register_profile("readme", deadline=None)
settings.load_profile("readme")
"""
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples may save files
    if "def test_" in block:
        (tmp_path / "test_example.py").write_text(block, encoding="utf-8")
        (tmp_path / "conftest.py").write_text(NO_DEADLINE, encoding="utf-8")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                *PINNED,
                "test_example.py",
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 passed" in result.stdout
    else:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)  # our own documentation, not input


def test_the_ten_line_example_prints_the_gradients_it_claims(capsys):
    (first,) = [b for b in BLOCKS if "create_graph" in b]
    exec(compile(first, "README.md", "exec"), {})
    a_grad, b_grad = (float(x) for x in capsys.readouterr().out.split())
    assert f"{a_grad:.4g}" == "-0.0005447" and f"{b_grad:.4g}" == "0.0003632"
