"""Crash reports: an unexpected error becomes one calm line for the user and a local report file.

The report holds the traceback, the version and the platform; it is written only on this computer
(`crash_report_dir()`, else beside the database), readable by the user alone (mode 0600), and never
sent anywhere. Argument values are not written: they can hold personal notes.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

import platformdirs

from app import APP_NAME, __version__

#: Reports older than the newest this many are removed when a new one is written.
KEEP_REPORTS = 20
_PREFIX = "crash-"


def crash_report_dir() -> Path:
    """The platform's log folder for Baseline (e.g. `~/.local/state/Baseline/log` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def summary(exc: BaseException) -> str:
    """The error in a few words on one line: `ValueError: bad thing`."""
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def report_text(exc: BaseException, *, where: str, now: datetime) -> str:
    """The content of a crash report."""
    lines = [
        f"{APP_NAME} crash report",
        f"time: {now.isoformat(timespec='seconds')}",
        f"where: {where}",
        f"version: {__version__}",
        f"python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"platform: {platform.platform()}",
        "",
        *traceback.format_exception(type(exc), exc, exc.__traceback__),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def write_crash_report(
    exc: BaseException,
    *,
    where: str,
    beside: Path | None = None,
    directory: Path | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Write a report of `exc` and return its path, or None when no folder could take it.

    Tried in order: `directory` (default: `crash_report_dir()`), then the folder `beside` (the
    database's folder). Never raises.
    """
    moment = now or datetime.now().astimezone()
    text = report_text(exc, where=where, now=moment)
    folders = [directory or crash_report_dir()]
    if beside is not None:
        folders.append(beside)
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"{_PREFIX}{stamp}-{os.getpid()}.txt"
            n = 1
            while path.exists():
                n += 1
                path = folder / f"{_PREFIX}{stamp}-{os.getpid()}-{n}.txt"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
                handle.write(text)
        except (OSError, ValueError):
            continue
        _remove_old_reports(folder)
        return path
    return None


def crash_line(exc: BaseException, report: Path | None) -> str:
    """The one line shown to the user."""
    where = (
        f"a crash report was written to {report}"
        if report is not None
        else "no crash report could be written"
    )
    return f"unexpected error ({summary(exc)}); {where}"


def _remove_old_reports(folder: Path) -> None:
    try:
        reports = sorted(folder.glob(f"{_PREFIX}*.txt"), key=lambda p: p.stat().st_mtime)
        for old in reports[:-KEEP_REPORTS]:
            old.unlink()
    except OSError:
        pass
