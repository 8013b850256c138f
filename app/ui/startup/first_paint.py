"""When the main window was first painted, in seconds since the process started.

`FirstPaint` watches one window: at its first `Paint` event it posts a zero timer, which fires
once that paint pass has been handled; then `painted` is emitted with the seconds since the
process started. `wait()` runs Qt's events until then (start-up shows the window, waits for its
first paint, and builds the rest after it). `baseline --verbose` says "main window shown" at
that moment and `--stats` writes it as `first_window_s`.

The process start is the kernel's (Linux: `starttime` in /proc/self/stat, in clock ticks since
boot, against CLOCK_BOOTTIME); elsewhere the moment this package was first imported stands in.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

_IMPORTED_MONOTONIC_S = time.monotonic()  # the fallback origin outside Linux
#: A window that is not exposed (restored minimized, on a display that never draws it) is not
#: waited for longer than this.
FIRST_PAINT_WAIT_MS = 1500


def seconds_since_process_start() -> float:
    """Seconds since this process was started (10 ms resolution on Linux)."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            start_s = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
            return time.clock_gettime(time.CLOCK_BOOTTIME) - start_s
        except (OSError, ValueError, IndexError):
            pass
    return time.monotonic() - _IMPORTED_MONOTONIC_S


class FirstPaint(QObject):
    """Tell once when `window` has been painted for the first time.

    Signals:
        painted(float): seconds from the process start to the end of the first paint pass.
    """

    painted = Signal(float)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.seconds: float | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.seconds = seconds_since_process_start()
        self.painted.emit(self.seconds)

    def wait(self, timeout_ms: int = FIRST_PAINT_WAIT_MS) -> bool:
        """Run Qt's events until the first paint has been handled (True), or at most
        `timeout_ms`, or until the window is hidden (False)."""
        if self.seconds is not None:
            return True
        loop = QEventLoop()
        self.painted.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        if self._window.isVisible():
            loop.exec()
        self.painted.disconnect(loop.quit)
        return self.seconds is not None
