"""The name of the app on a database: per user and per resolved database path."""

from __future__ import annotations

import os
import zlib
from pathlib import Path


def instance_key(db_path: Path) -> str:
    """The socket name of the app on `db_path` for this user (the same for every spelling)."""
    try:
        resolved = db_path.expanduser().resolve()
    except OSError:
        resolved = db_path.expanduser().absolute()
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    # A name, not a secret: two checksums (zlib is loaded already, where hashlib would load
    # OpenSSL before the first paint, about 10 ms); different databases of one user differ.
    data = f"{user}\0{resolved}".encode("utf-8", "surrogateescape")
    return f"baseline-{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
