"""SIGTERM, SIGHUP and SIGINT reach the Qt event loop as a Qt signal, at once.

Python runs its signal handlers only between bytecodes, and Qt's event loop runs no bytecode
while it waits, so a plain `signal.signal` handler would run late (at the next timer) or never.
Here the C-level handler writes the signal's number into a socket pair
(`signal.set_wakeup_fd`); a `QSocketNotifier` on the other end wakes the loop, and `received`
tells the app, which then ends the way a person quitting would: sessions stored as ended.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

Handler = Callable[[int, FrameType | None], Any] | int | None


def exit_signal_numbers() -> tuple[int, ...]:
    """The signals that ask a program to end on this system."""
    names = ("SIGTERM", "SIGHUP", "SIGINT")
    return tuple(int(getattr(signal, name)) for name in names if hasattr(signal, name))


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """The Python-level handler does nothing: the wakeup byte carries the news."""


class ExitSignals(QObject):
    """While installed, the listed signals emit `received(signum)` instead of ending the process.

    Install on the main thread (Python's rule for signal handlers); `uninstall()` restores the
    previous handlers.
    """

    received = Signal(int)

    def __init__(self, signums: Sequence[int] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._signums = tuple(signums) or exit_signal_numbers()
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous: dict[int, Handler] = {}
        self._previous_fd: int | None = None
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def install(self) -> None:
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for signum in self._signums:
            self._previous[signum] = signal.signal(signum, _ignore)

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self._previous.clear()
        if self._previous_fd is not None:
            signal.set_wakeup_fd(self._previous_fd)
            self._previous_fd = None
        self._notifier.setEnabled(False)
        with contextlib.suppress(OSError):
            self._reader.close()
            self._writer.close()

    def _drain(self) -> None:
        try:
            data = self._reader.recv(256)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._notifier.setEnabled(False)
            return
        for signum in data:
            if signum in self._signums:
                self.received.emit(signum)
