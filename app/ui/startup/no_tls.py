"""The app's process never loads TLS: Baseline uses no network beyond Bluetooth.

asyncio imports `ssl` whenever it can, for a feature the app never uses. `refuse_tls()` makes
`import ssl` fail in this process, before asyncio is imported; asyncio then runs without TLS
support (it treats a missing `ssl` module as such). In a process with PySide6, NumPy and asyncio
alone that is 5 MB of resident memory; in the app about 1 MB, because Qt's multimedia and
network libraries map OpenSSL's libraries anyway.
"""

from __future__ import annotations

import sys


def refuse_tls() -> bool:
    """Make `import ssl` raise ImportError from now on in this process; False (and nothing
    changed) when something loaded it already."""
    if sys.modules.get("ssl") is not None:
        return False
    sys.modules["ssl"] = None  # type: ignore[assignment]  # the import system's "not there"
    return True
