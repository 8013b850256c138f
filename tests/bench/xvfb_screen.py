"""A private Xvfb display for the benchmarks that run the app in a real window."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def xvfb_missing() -> bool:
    """True (and says so on stderr) when Xvfb is not installed."""
    if shutil.which("Xvfb") is None:
        print("Xvfb is not installed (apt-get install xvfb)", file=sys.stderr)
        return True
    return False


@contextmanager
def xvfb_screen(display: str) -> Iterator[dict[str, str]]:
    """Xvfb on `display` (1280x800, 24 bits) for the block; yields the environment for the
    children: this environment with Qt's xcb platform on that display."""
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    env.pop("QT_QUICK_BACKEND", None)
    try:
        yield env
    finally:
        xvfb.send_signal(signal.SIGTERM)
        xvfb.wait(10)
