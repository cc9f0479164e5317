"""Installed beside HIPS autograd (which also installs a top-level ``autograd``), in either order,
valuegraph fails loudly: one sentence naming both and the fix, never a silent mix.

A faithful simulation of what pip leaves: our three packages copied into a folder, then HIPS
autograd 1.9's files added beside ours (ours installed second: our ``__init__.py`` wins) or its
``__init__.py`` too (HIPS installed second), or HIPS's alone under our ``nn`` and ``viz`` (ours
uninstalled). Python runs in a subprocess with that folder first on its path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# the first lines of HIPS autograd 1.9.1's autograd/__init__.py (what runs on `import autograd`)
HIPS_INIT = """from autograd.core import primitive_with_deprecation_warnings as primitive

from .builtins import dict, isinstance, list, tuple, type
from .differential_operators import grad
"""
HIPS_FILES = {
    "core.py": "def primitive_with_deprecation_warnings(f):\n    return f\n",
    "builtins.py": "dict, isinstance, list, tuple, type = dict, isinstance, list, tuple, type\n",
    "differential_operators.py": "def grad(fun):\n    return fun\n",
    "tracer.py": "",
    "extend.py": "",
    "wrap_util.py": "",
    "util.py": "",
    "numpy/__init__.py": "",
}

IMPORTS = {
    "from autograd import Value": "from autograd import Value",
    "import nn": "import nn",
    "import viz": "import viz",
    "the valuegraph command": "from viz.cli import main; main(['--version'])",
}


def _site(tmp_path: Path, layout: str) -> Path:
    site = tmp_path / "site-packages"
    for package in ("autograd", "nn", "viz"):
        shutil.copytree(
            ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    if layout == "clean":
        return site
    if layout == "HIPS alone under our nn and viz":
        shutil.rmtree(site / "autograd")
    for name, text in HIPS_FILES.items():
        (site / "autograd" / name).parent.mkdir(parents=True, exist_ok=True)
        (site / "autograd" / name).write_text(text)
    if layout != "valuegraph installed second":
        (site / "autograd" / "__init__.py").write_text(HIPS_INIT)
    return site


def _run(site: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


LAYOUTS = [
    "valuegraph installed second",
    "HIPS autograd installed second",
    "HIPS alone under our nn and viz",  # then `from autograd import Value` is HIPS's to answer
]
CASES = [
    (layout, what)
    for layout in LAYOUTS
    for what in IMPORTS
    if not (layout == LAYOUTS[2] and what.startswith("from autograd"))
]


@pytest.mark.parametrize(("layout", "what"), CASES)
def test_a_folder_shared_with_hips_autograd_fails_with_one_sentence_naming_both_and_the_fix(
    tmp_path, layout, what
):
    done = _run(_site(tmp_path, layout), IMPORTS[what], tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: valuegraph's")
    assert "HIPS autograd" in last and "both install a top-level `autograd`" in last
    assert "virtual environment of its own (python -m venv .venv)" in last


def test_the_simulated_folder_works_when_nothing_shares_it(tmp_path):
    site = _site(tmp_path, "clean")
    code = "import autograd, nn, viz; from autograd import Value; print(autograd.__file__)"
    done = _run(site, code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(site / "autograd" / "__init__.py")
