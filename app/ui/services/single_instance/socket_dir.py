"""Where the app on a database keeps its lock file and socket (Linux, macOS).

`$XDG_RUNTIME_DIR` when it is set and private (the desktop makes it per user, mode 0700), else
`baseline-UID` in the temp folder (`$TMPDIR`, else /tmp), made here with mode 0700. A folder
that another user owns, or that others may enter, is not used: a socket there could be taken
or read by someone else, so the app then runs without the one-app-per-database check. A Unix
socket's path has a size limit (108 bytes with its NUL on Linux, 104 on macOS): a folder too
deep for it gives way to the next one, down to /tmp.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import NamedTuple

MAX_SOCKET_PATH_BYTES = 103 if sys.platform == "darwin" else 107
PRIVATE_DIR_MODE = 0o700
_OTHERS_MODE_BITS = 0o077  # any access for the group or for others


class InstancePaths(NamedTuple):
    """The lock file (its holder is the first app on the database) and the socket it listens on."""

    lock: str
    socket: str


def is_private_dir(path: str, uid: int) -> bool:
    """True when `path` is a directory itself (not a link to one), owned by `uid`, and closed to
    the group and to others."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(found.st_mode)
        and found.st_uid == uid
        and found.st_mode & _OTHERS_MODE_BITS == 0
    )


def _fits(directory: str, key: str) -> bool:
    return len(os.fsencode(os.path.join(directory, f"{key}.sock"))) <= MAX_SOCKET_PATH_BYTES


def _in(directory: str, key: str) -> InstancePaths:
    return InstancePaths(
        lock=os.path.join(directory, f"{key}.lock"), socket=os.path.join(directory, f"{key}.sock")
    )


def _temp_dirs(uid: int) -> list[str]:
    tmp = os.environ.get("TMPDIR") or "/tmp"
    found = [os.path.join(tmp, f"baseline-{uid}")] if os.path.isabs(tmp) else []
    fallback = os.path.join("/tmp", f"baseline-{uid}")
    return found if fallback in found else [*found, fallback]


def instance_paths(key: str, uid: int | None = None) -> InstancePaths | None:
    """The lock file and socket of the app named `key` for user `uid` (this process's user by
    default); None when there is no safe place for them."""
    uid = os.getuid() if uid is None else uid
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime) and _fits(runtime, key) and is_private_dir(runtime, uid):
        return _in(runtime, key)
    for directory in _temp_dirs(uid):
        if not _fits(directory, key):
            continue
        try:
            os.mkdir(directory, PRIVATE_DIR_MODE)
        except FileExistsError:
            pass
        except OSError:
            return None
        return _in(directory, key) if is_private_dir(directory, uid) else None
    return None
