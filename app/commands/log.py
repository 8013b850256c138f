"""`baseline log`: one manual log entry per date; logging the same date again replaces it."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.recovery.manual_log import LogValueError, is_empty, validate_log_entry, validate_moments
from app.store.daily import save_day


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "log",
        parents=list(parents),
        help="add or replace the manual log entry of a day",
        description="Add the day's manual log entry. Logging a date again replaces that day's "
        "entry (fields left out are cleared); --ease replaces the day's moments of ease, which "
        "are kept when --ease is not given.",
    )
    parser.add_argument(
        "--date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the day: YYYY-MM-DD, today or yesterday (not after today)",
    )
    parser.add_argument("--rmssd", metavar="MS", help="RMSSD from another device, 1-500 ms")
    parser.add_argument("--resting-hr", metavar="BPM", help="resting heart rate, 25-220 bpm")
    parser.add_argument("--sleep", metavar="1-5", help="sleep quality, 1 (poor) to 5 (good)")
    parser.add_argument("--stress", metavar="1-5", help="stress, 1 (low) to 5 (high)")
    parser.add_argument("--mood", metavar="1-5", help="mood, 1 (low) to 5 (good)")
    parser.add_argument("--note", metavar="TEXT", help="a short note")
    parser.add_argument(
        "--ease",
        metavar="TEXT",
        action="append",
        help="a moment of ease (something that felt safe today); repeat for several",
    )
    parser.set_defaults(func=run)


def _number(name: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"{name} must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise CommandError(f"{name} must be a finite number, not {text!r}")
    return value


def _scale(name: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise CommandError(f"{name} must be a whole number from 1 to 5, not {text!r}") from None


def _describe(values: dict[str, Any]) -> str:
    parts = [
        f"{label} {value:g}{unit}" for label, value, unit in values["numbers"] if value is not None
    ]
    parts += [f"{label} {value}" for label, value in values["scales"] if value is not None]
    if values["note"]:
        parts.append("a note")
    if values["moments"]:
        n = len(values["moments"])
        parts.append(f"{n} moment{'s' if n != 1 else ''} of ease")
    return ", ".join(parts)


#: Words `--date` takes instead of a date, as days before today.
RELATIVE_DAYS = {"today": 0, "yesterday": 1}


def _day_text(text: str, today: date) -> str:
    """`--date` as YYYY-MM-DD: `today` and `yesterday` become their dates; the rest as given."""
    days_ago = RELATIVE_DAYS.get(text.strip().lower())
    return text if days_ago is None else (today - timedelta(days=days_ago)).isoformat()


def run(args: argparse.Namespace) -> int:
    today = date.today()
    try:
        entry = validate_log_entry(
            _day_text(args.date, today),
            today=today,
            rmssd_ms=_number("--rmssd", args.rmssd),
            resting_hr_bpm=_number("--resting-hr", args.resting_hr),
            sleep=_scale("--sleep", args.sleep),
            stress=_scale("--stress", args.stress),
            mood=_scale("--mood", args.mood),
            note=args.note,
        )
        moments = None if args.ease is None else validate_moments(args.ease)
    except LogValueError as exc:
        raise CommandError(str(exc)) from None
    if is_empty(entry) and not moments:
        raise CommandError(
            "nothing to log: give at least one of --rmssd, --resting-hr, "
            "--sleep, --stress, --mood, --note or --ease"
        )
    store = store_from_args(args)
    try:
        save_day(store, entry, moments)
    finally:
        store.close()
    summary = _describe(
        {
            "numbers": [
                ("RMSSD", entry.rmssd_ms, " ms"),
                ("resting HR", entry.resting_hr_bpm, " bpm"),
            ],
            "scales": [("sleep", entry.sleep), ("stress", entry.stress), ("mood", entry.mood)],
            "note": entry.note,
            "moments": moments,
        }
    )
    print(f"logged {entry.date}: {summary}")
    return 0
