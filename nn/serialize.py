"""Model files: JSON holding a format version, the architecture and the weights by name.

``write`` goes through ``autograd.files.write_atomic``: a crash leaves either the old file or the
new one, never half of one, and only regular files are written. ``read`` checks everything before
returning and raises ``ValueError`` naming the problem. No pickle: a model file is data, never code.

    {"format": "valuegraph.nn", "version": 1,
     "architecture": {"type": "MLP", "config": {"nin": 2, "nouts": [16, 16, 1], ...}},
     "weights": {"layers.0.neurons.0.w[0]": 0.2345, ...}}

A file is trusted with nothing: ``read`` opens regular files only, of at most ``MAX_FILE_BYTES``;
refuses duplicate keys, ``NaN``, ``Infinity`` and numbers too large for a float (``1e999``), JSON
nested too deeply, and any version but the integer ``VERSION`` (not ``1.0``, not ``true``).
``nn.load`` then checks the architecture against ``MAX_PARAMETERS`` and the weights' count before
it builds anything.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import stat
from os import PathLike
from typing import Any

from autograd.files import write_atomic

FORMAT = "valuegraph.nn"
VERSION = 1
MAX_PARAMETERS = 1_000_000  # the largest model load() builds: ~0.3 GB of Values, minutes per step
MAX_FILE_BYTES = 128 * MAX_PARAMETERS  # a weight takes ~50 bytes of JSON


def write(
    path: str | PathLike[str], architecture: dict[str, Any], weights: dict[str, float]
) -> None:
    """Write a model file atomically: the file at ``path`` is the old one until the new is whole.

    ``ValueError`` (nothing written) for a weight that is nan or infinite: no file is written
    that ``read`` would refuse."""
    bad = [name for name, v in weights.items() if not math.isfinite(v)]
    if bad:
        raise ValueError(f"cannot save weights that are nan or infinite: {', '.join(bad[:5])}")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture,
        "weights": weights,
    }
    text = json.dumps(document, indent=1)  # before any file is touched: a failure changes nothing
    write_atomic(path, text.encode("utf-8"))


def read(path: str | PathLike[str]) -> tuple[dict[str, Any], dict[str, float]]:
    """``(architecture, weights)`` from a model file, the weights as finite floats;
    ``ValueError`` saying what is wrong with it.

    The weights are checked against a model by ``Module.load_state_dict``.
    """
    document = _parse(_read_text(path), path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f'{path} is not a valuegraph model file (no "format": "{FORMAT}")')
    version = document.get("version")
    if type(version) is not int or version != VERSION:
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
    return architecture, finite_weights(weights, f"{path} has weights")


def finite_weights(weights: dict[str, Any], where: str) -> dict[str, float]:
    """Every weight as a finite float, all converted before any is used; ``ValueError`` naming
    the ones that are not numbers (bools and text included) or not finite."""
    checked, bad, infinite = {}, [], []
    for name, v in weights.items():
        if not isinstance(v, numbers.Real) or isinstance(v, bool):
            bad.append(name)
            continue
        try:
            number = float(v)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
        if math.isfinite(number):
            checked[name] = number
        else:
            infinite.append(name)
    if bad:
        raise ValueError(f"{where} that are not numbers: {', '.join(bad[:5])}")
    if infinite:
        raise ValueError(f"{where} that are nan or infinite: {', '.join(infinite[:5])}")
    return checked


def _read_text(path: str | PathLike[str]) -> str:
    try:
        # non-blocking, so a FIFO is refused instead of waiting for a writer
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as file:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise ValueError(f"{path} is not a regular file; a model file is one")
            if status.st_size > MAX_FILE_BYTES:
                raise ValueError(
                    f"{path} has {status.st_size:,} bytes, more than a model of "
                    f"{MAX_PARAMETERS:,} parameters (the most load() reads) needs"
                )
            return file.read(MAX_FILE_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        raise ValueError(f"no model file at {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read model file {path}: {error}") from None


def _parse(text: str, path: str | PathLike[str]) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON (truncated or corrupt?): {error}") from None
    except RecursionError:
        raise ValueError(f"{path} is nested too deeply to be a model file") from None
    except ValueError as error:  # our hooks', and Python's limit on the digits of an integer
        raise ValueError(f"{path} is not a valid model file: {error}") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for key, value in pairs:
        if key in document:
            raise ValueError(f"the key {key!r} appears twice")
        document[key] = value
    return document


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a model file may hold")
