"""Writing files safely, for every file the project saves: models (``nn``) and drawings (``viz``).

It lives here, below both, so neither has to import the other for it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from os import PathLike
from pathlib import Path


def write_atomic(path: str | PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, flushed to disk and
    then renamed over ``path``: readers see the old file or the new one, never half of one. The
    new file gets the usual permissions (the umask applies)."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
