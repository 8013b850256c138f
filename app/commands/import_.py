"""`baseline import FILE...`: store recordings and summary exports from other apps.

Every file is parsed first; one bad file ends the command (exit 2, one line naming the file and
the problem) with nothing written. Then all files are written in one transaction. A file imported
before is stored once ("already imported"). A recording without a start time in the file starts
at `--at`, else it is taken to have ended at the file's modification time (said in the output).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.formats.importer import (
    DEFAULT_KIND,
    ImportFileError,
    ImportOutcome,
    read_all,
    write_all,
)
from app.store.records import SessionKind
from app.store.validation import LimitError, check_moment

_START_NOTES = {
    "file": "",
    "--at": " (start from --at)",
    "mtime": " (no start time in the file: taken to end at its modification time)",
    "now": " (no start time in the file)",
}


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        parents=list(parents),
        help="store recordings or summary exports from other apps (format detected from content)",
        description="Import RR recordings (plain RR text, Elite HRV, HRV Logger, Polar Sensor "
        "Logger, Polar HRM, Kubios, SelfLoops, Empatica IBI, Suunto SML, Garmin FIT, Baseline "
        "JSON exports) as sessions, and summary exports (Elite HRV readings, HRV4Training, Apple "
        "Health export.xml) as daily log values. All files are checked before anything is "
        "written; a file imported before is stored once.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files to import")
    parser.add_argument(
        "--kind",
        choices=[k.value for k in SessionKind if k is not SessionKind.ASSESSMENT],
        default=DEFAULT_KIND.value,
        help=f"session kind for recordings (default: {DEFAULT_KIND.value})",
    )
    parser.add_argument(
        "--at",
        metavar="ISO_DATETIME",
        help="start time for recordings whose file has none (default: the recording ends at the "
        "file's modification time); without a UTC offset, local time",
    )
    parser.set_defaults(func=run)


def parse_at(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """The `--at` time: ISO 8601, local time without an offset, 2000-01-01 .. now + 1 day."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--at {text!r} is not an ISO date and time") from None
    try:
        return check_moment("--at", moment, now=now or datetime.now().astimezone())
    except LimitError as exc:
        raise CommandError(str(exc)) from None


def describe(outcome: ImportOutcome) -> str:
    """One line of output for one imported file or session."""
    if outcome.n_days:
        return f"{outcome.source_name}: {outcome.format}, {outcome.n_days} days: {outcome.status}"
    start = outcome.started_at.isoformat(timespec="seconds") if outcome.started_at else "-"
    note = _START_NOTES.get(outcome.start_from or "file", "")
    where = ""
    if outcome.session_id is not None:
        where = (
            f" as session {outcome.session_id}"
            if outcome.status == "imported"
            else (f" (session {outcome.session_id})")
        )
    return (
        f"{outcome.source_name}: {outcome.format}, start {start}{note}, {outcome.n_beats} beats:"
        f" {outcome.status}{where}"
    )


def run(args: argparse.Namespace) -> int:
    at = parse_at(args.at)
    try:
        items = read_all(args.files)
    except ImportFileError as exc:
        raise CommandError(str(exc)) from exc
    store = store_from_args(args)
    try:
        outcomes = write_all(store, items, kind=SessionKind(args.kind), at=at)
    except ImportFileError as exc:  # a start that only the writing step can tell is refused
        raise CommandError(str(exc)) from exc
    finally:
        store.close()
    for outcome in outcomes:
        print(describe(outcome))
    return 0
