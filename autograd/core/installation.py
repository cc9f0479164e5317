"""A loud error when another distribution's ``autograd`` shares our folder.

valuegraph installs the top-level package ``autograd``; so does HIPS autograd (``pip install
autograd``). pip puts both into one folder, one ``__init__.py`` overwriting the other, and reports
success. Whichever came second, the first import meets this check: our ``autograd/__init__.py``
imports this package, and HIPS's ``__init__.py`` imports ``autograd.core``, which is this package
too (a package wins over HIPS's ``core.py``). ``nn`` and ``viz`` check that the ``autograd`` they
import is valuegraph's (its ``__valuegraph__``), for when ours was deleted or replaced.
"""

from __future__ import annotations

import os

# files and folders of HIPS autograd 1.9 that valuegraph's autograd does not have
FOREIGN = frozenset(
    {
        "builtins.py",
        "core.py",
        "differential_operators.py",
        "extend.py",
        "misc",
        "numpy",
        "scipy",
        "test_util.py",
        "tracer.py",
        "util.py",
        "wrap_util.py",
    }
)


def check_folder(folder: str) -> None:
    """``ImportError`` in one sentence if ``folder`` (our ``autograd``) holds another package's
    files."""
    try:
        found = sorted(FOREIGN.intersection(os.listdir(folder)))
    except OSError:
        return
    if found:
        raise ImportError(
            f"valuegraph's autograd in {folder} is mixed with another distribution's autograd "
            f"({_owner(found)}: {', '.join(found[:4])}, ...), because both install a top-level "
            "`autograd` package; install valuegraph in a virtual environment of its own "
            "(python -m venv .venv), without the other one."
        )


def _owner(files: list[str]) -> str:
    """Which distributions besides valuegraph install ``autograd`` (HIPS autograd, most likely)."""
    import importlib.metadata  # only on this error path: it reads every installed distribution

    try:
        owners = importlib.metadata.packages_distributions().get("autograd", [])
    except Exception:
        owners = []
    others = sorted({name for name in owners if name.lower() != "valuegraph"})
    if not others:
        return "most likely HIPS autograd"
    shown = [f"{name} {importlib.metadata.version(name)}" for name in others]
    return " and ".join(shown) + (", HIPS autograd" if "autograd" in others else "")


check_folder(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
