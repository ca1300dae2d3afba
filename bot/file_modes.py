"""Files only the bot's user may read: 0600 files, 0700 folders, new secrets written whole and durably.

The data directory holds the database (inbox sources, the per-dialogue secrets, the access token), the encryption
key store and the key that encrypts it. SQLite and matrix-nio create their files with the process umask, so the
bot both narrows the umask at start-up and tightens what is already there.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def restrict_umask() -> int:
    """Make everything this process creates from now on private to its user; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> None:
    """Create `path` (and its parents) if needed, and make it 0700 whatever the umask."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)


def secure_data_dir(root: Path) -> None:
    """Make `root` and every folder under it 0700 and every file 0600. Symbolic links are left alone."""
    _chmod_unless_link(root, PRIVATE_DIR)
    for folder, subfolders, files in os.walk(root, followlinks=False):
        for name in subfolders:
            _chmod_unless_link(Path(folder, name), PRIVATE_DIR)
        for name in files:
            _chmod_unless_link(Path(folder, name), PRIVATE_FILE)


def _chmod_unless_link(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
    except FileNotFoundError:  # SQLite removes its journal files as it pleases
        return
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return
    with contextlib.suppress(FileNotFoundError):
        path.chmod(mode)


def write_private_file(path: Path, data: bytes) -> None:
    """Write `path` atomically with mode 0600: a temporary file, fsynced, renamed over `path`, then the folder fsynced.

    A crash leaves either no file or the whole file, never a truncated secret."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
