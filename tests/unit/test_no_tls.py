"""The app's process refuses TLS before asyncio is imported; asyncio works without it."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys
from app.ui.startup.no_tls import refuse_tls
assert refuse_tls()
import asyncio
async def answer():
    await asyncio.sleep(0)
    return 42
assert asyncio.run(answer()) == 42
try:
    import ssl
except ImportError:
    print("refused", "_ssl" in sys.modules)
"""


def test_asyncio_runs_and_ssl_cannot_be_imported() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused", "False"]


def test_nothing_changes_when_ssl_is_loaded_already() -> None:
    import ssl  # noqa: F401 (pytest's process may have it already)

    from app.ui.startup.no_tls import refuse_tls

    assert refuse_tls() is False
    assert sys.modules["ssl"] is not None
