"""write_atomic: regular files only, symlinks followed, permissions kept, no temporaries left."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograd.files import STALE_SECONDS, write_atomic


def _special_file(kind: str, folder: Path) -> Path:
    path = folder / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        try:  # a copy of /dev/null, so a failing test cannot break the real one
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except (PermissionError, AttributeError):
            pytest.skip("cannot make a device node here (not root)")
    elif kind == "directory":
        path.mkdir()
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", "FIFO"),
        ("device", "character device"),
        ("directory", "directory"),
    ],
)
def test_a_path_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path, kind, message):
    path = _special_file(kind, tmp_path)
    mode = os.lstat(path).st_mode
    with pytest.raises(ValueError, match=f"refusing to write .*{kind}: it is .*{message}"):
        write_atomic(path, b"data")
    assert os.lstat(path).st_mode == mode
    assert sorted(os.listdir(tmp_path)) == [kind]


def test_a_socket_is_refused():
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # short: socket paths are limited
        path = Path(folder) / "s"
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
            with pytest.raises(ValueError, match="it is a socket"):
                write_atomic(path, b"data")
            assert stat.S_ISSOCK(os.lstat(path).st_mode)
        finally:
            server.close()


def test_a_symlink_to_a_device_is_refused_naming_both(tmp_path):
    device = _special_file("fifo", tmp_path)
    link = tmp_path / "link"
    link.symlink_to(device)
    with pytest.raises(ValueError, match=r"link \(a link to .*fifo\): it is a FIFO"):
        write_atomic(link, b"data")


def test_a_symlink_is_followed_and_its_target_replaced_atomically(tmp_path):
    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    inode = target.stat().st_ino
    assert write_atomic(link, b"new") == link
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino != inode  # a new file renamed over the old, not written in place
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, mode):
    path = tmp_path / "private.json"
    path.write_bytes(b"old")
    path.chmod(mode)
    write_atomic(path, b"new")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"new"


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_a_new_file_gets_the_umask(tmp_path, umask, expected):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.json", b"data")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == expected


def test_an_error_names_the_path_never_the_temporary_file(tmp_path):
    path = tmp_path / "missing-folder" / "m.json"
    with pytest.raises(OSError) as info:
        write_atomic(path, b"data")
    assert str(path) in str(info.value) and ".tmp" not in str(info.value)


def _temporary(folder: Path, name: str, age: float) -> Path:
    path = folder / name
    path.write_bytes(b"half a save")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_a_save_removes_stale_temporary_files_of_its_target_and_nothing_else(tmp_path):
    old = _temporary(tmp_path, ".m.json.0123456789ab.tmp", STALE_SECONDS + 5)
    young = _temporary(tmp_path, ".m.json.ba9876543210.tmp", 1)  # may be a save still running
    other_target = _temporary(tmp_path, ".n.json.0123456789ab.tmp", STALE_SECONDS + 5)
    not_ours = _temporary(tmp_path, ".m.json.backup.tmp", STALE_SECONDS + 5)
    elsewhere = tmp_path / "keep"
    elsewhere.write_bytes(b"keep")
    link = tmp_path / ".m.json.aaaaaaaaaaaa.tmp"
    link.symlink_to(elsewhere)
    write_atomic(tmp_path / "m.json", b"data")
    assert not old.exists()
    assert young.exists() and other_target.exists() and not_ours.exists()
    assert link.is_symlink() and elsewhere.read_bytes() == b"keep"


_SAVING_FOREVER = """
import sys
from autograd.files import write_atomic
data = b"x" * 4_000_000
print("ready", flush=True)
while True:
    write_atomic(sys.argv[1], data)
"""


def _killed_save(path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _SAVING_FOREVER, str(path)], stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    time.sleep(0.2)
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()


def test_saves_killed_with_sigkill_leave_nothing_a_later_save_does_not_remove(tmp_path):
    path = tmp_path / "model.json"
    for _ in range(10):  # until a kill lands mid-write (almost always the first)
        _killed_save(path)
        if any(name.endswith(".tmp") for name in os.listdir(tmp_path)):
            break
    assert any(name.endswith(".tmp") for name in os.listdir(tmp_path))
    then = time.time() - STALE_SECONDS - 1  # as if the kills were a minute ago
    for name in os.listdir(tmp_path):
        os.utime(tmp_path / name, (then, then))
    write_atomic(path, b"saved")
    assert os.listdir(tmp_path) == ["model.json"]
    assert path.read_bytes() == b"saved"


def test_an_existing_file_keeps_its_owner_and_group_when_root_saves_over_it(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = tmp_path / "theirs.json"
    path.write_bytes(b"old")
    os.chown(path, 12345, 23456)
    write_atomic(path, b"new")
    status = path.stat()
    assert (status.st_uid, status.st_gid) == (12345, 23456)
