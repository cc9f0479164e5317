"""Model files: JSON holding a format version, the architecture and the weights by name.

``write`` goes through a temporary file in the same directory and ``os.replace``, so a crash
leaves either the old file or the new one, never half of one. ``read`` checks everything before
returning and raises ``ValueError`` naming the problem. No pickle: a model file is data, never code.

    {"format": "valuegraph.nn", "version": 1,
     "architecture": {"type": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], ...}},
     "weights": {"layers.0.neurons.0.w[0]": 0.2345, ...}}
"""

from __future__ import annotations

import json
from os import PathLike
from typing import Any

from autograd.files import write_atomic

FORMAT = "valuegraph.nn"
VERSION = 1


def write(
    path: str | PathLike[str], architecture: dict[str, Any], weights: dict[str, float]
) -> None:
    """Write a model file atomically: the file at ``path`` is the old one until the new is whole."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture,
        "weights": weights,
    }
    text = json.dumps(document, indent=1)  # before any file is touched: a failure changes nothing
    write_atomic(path, text.encode("utf-8"))


def read(path: str | PathLike[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(architecture, weights)`` from a model file; ``ValueError`` saying what is wrong with it.

    The weights are checked against a model by ``Module.load_state_dict``.
    """
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        raise ValueError(f"no model file at {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read model file {path}: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON (truncated or corrupt?): {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f'{path} is not a valuegraph model file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        raise ValueError(
            f"{path} has format version {version!r}; this valuegraph reads version {VERSION}"
        )
    architecture, weights = document.get("architecture"), document.get("weights")
    if not (
        isinstance(architecture, dict)
        and isinstance(architecture.get("type"), str)
        and isinstance(architecture.get("config"), dict)
    ):
        raise ValueError(f'{path} has no valid "architecture" (a type and a config)')
    if not isinstance(weights, dict):
        raise ValueError(f'{path} has no "weights" object')
    return architecture, weights
