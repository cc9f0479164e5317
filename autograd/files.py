"""Writing files safely, for every file the project saves: models (``nn``) and drawings (``viz``).

It lives here, below both, so neither has to import the other for it.

``write_atomic`` writes only regular files. A path that is a device (``/dev/null``), a FIFO, a
socket or a directory is refused with ``ValueError``; a symlink is followed, and the file it points
to is the one replaced (the link stays a link). An existing file keeps its permission bits (a
``0600`` model stays private) and, where the saving user may set it (root), its owner and group;
a new one gets the usual permissions (the umask applies).

The temporary file is ``.<name>.<12 hex digits>.tmp`` beside the target. A save killed before its
rename leaves one behind; the next save to that folder removes those of its target older than
``STALE_SECONDS`` (younger ones may belong to a save still running).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from os import PathLike
from pathlib import Path

STALE_SECONDS = 60.0  # a temporary file older than this is a killed save's: removed

_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def write_atomic(path: str | PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, flushed to disk and
    then renamed over ``path``: readers see the old file or the new one, never half of one.

    ``ValueError`` if ``path`` exists and is not a regular file (or a symlink to one); an
    ``OSError`` names ``path``, never the temporary file. Returns ``path`` as a ``Path``.
    """
    given = Path(path)
    target = Path(os.path.realpath(given))  # a symlink is followed: its target is replaced
    existing = _existing(given, target)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OSError(error.errno, f"cannot write {given}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if existing is not None:
                os.fchmod(out.fileno(), stat.S_IMODE(existing.st_mode))
                with contextlib.suppress(OSError):  # only root may give a file to another user
                    os.fchown(out.fileno(), existing.st_uid, existing.st_gid)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.filename is not None:
            raise OSError(error.errno, f"cannot write {given}: {error.strerror}") from None
        raise
    remove_stale_temporaries(target)
    return given


def _existing(given: Path, target: Path) -> os.stat_result | None:
    """The status of the regular file at ``target``; None if there is none yet."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise OSError(error.errno, f"cannot write {given}: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        kind = _KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
        shown = str(given) if given == target else f"{given} (a link to {target})"
        raise ValueError(f"refusing to write {shown}: it is {kind}; save to a regular file")
    return status


def remove_stale_temporaries(target: Path, older_than: float = STALE_SECONDS) -> None:
    """Remove the temporary files of killed saves to ``target``: regular files named as
    ``write_atomic`` names them, last modified more than ``older_than`` seconds ago."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{12}}\.tmp")
    cutoff = time.time() - older_than
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            status = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(status.st_mode) and status.st_mtime < cutoff:
                os.unlink(entry.path)
