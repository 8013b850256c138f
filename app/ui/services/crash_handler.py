"""The desktop app's last line of defence: an unexpected error becomes a calm message box.

Installed as `sys.excepthook` (PySide6 reports errors in slots and event handlers there) and as the
asyncio loop's exception handler. Each error writes a local crash report (`app.crash_report`), one
line on stderr, and shows one message box at a time; the app keeps running.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME
from app.crash_report import crash_line, summary, write_crash_report
from app.store.damaged import damaged_message, is_damage


def show_warning(text: str) -> None:
    """A modal warning box with the app's name as its title."""
    QMessageBox.warning(None, APP_NAME, text)


class CrashHandler:
    """Turns unexpected exceptions into a report file, a stderr line and a message box."""

    def __init__(
        self,
        db_path: Path | None,
        *,
        show: Callable[[str], None] = show_warning,
        stream: TextIO | None = None,
        report_dir: Path | None = None,
    ) -> None:
        self._db_path = db_path
        self._show = show
        self._stream = stream
        self._report_dir = report_dir
        self._showing = False
        self.reports: list[Path] = []

    def handle(self, exc: BaseException, where: str) -> None:
        """Report `exc`: never raises."""
        if self._db_path is not None and is_damage(exc):
            line = damaged_message(self._db_path, exc)
            text = f"Baseline cannot read its database.\n\n{line}"
        else:
            beside = self._db_path.parent if self._db_path is not None else None
            report = write_crash_report(exc, where=where, beside=beside, directory=self._report_dir)
            if report is not None:
                self.reports.append(report)
            line = crash_line(exc, report)
            kept = (
                f"A report was saved on this computer (never sent anywhere):\n{report}"
                if report is not None
                else "No report could be saved."
            )
            text = (
                f"Baseline ran into an unexpected problem ({summary(exc)}).\n\n{kept}\n\n"
                "You can keep working, or close and reopen Baseline."
            )
        stream = self._stream or sys.stderr
        with contextlib.suppress(OSError, ValueError):
            print(f"baseline: {line}", file=stream, flush=True)
        if self._showing:
            return  # one box at a time; the report and the line are enough
        self._showing = True
        try:
            self._show(text)
        except Exception as show_error:  # the box itself failed: the line above stands
            print(f"baseline: cannot show the message ({summary(show_error)})", file=stream)
        finally:
            self._showing = False

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """For `sys.excepthook`."""
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        self.handle(exc, "desktop app")

    def loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        """For `loop.set_exception_handler`: errors without an exception go to the default."""
        exc = context.get("exception")
        if isinstance(exc, Exception):
            self.handle(exc, f"desktop app ({context.get('message', 'event loop')})")
        else:
            loop.default_exception_handler(context)
