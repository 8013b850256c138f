"""`baseline trend`: the daily baseline table (7-day baseline against the 60-day normal range)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from app.commands.common import store_from_args
from app.commands.errors import CommandError
from app.recovery.baseline import BaselineTable
from app.recovery.daily_values import daily_values, ln_rmssd_table
from app.recovery.reading import read_state


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "trend",
        parents=list(parents),
        help="the daily lnRMSSD baseline table",
        description="Each day from the first day with a value: lnRMSSD, the 7-day baseline, the "
        "60-day normal range, the status and the 7-day coefficient of variation.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list, oldest day first")
    parser.add_argument("--days", metavar="N", help="only the last N days")
    parser.set_defaults(func=run)


def _days(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        n = int(text)
    except ValueError:
        raise CommandError(f"--days must be a whole number of days, not {text!r}") from None
    if n < 1:
        raise CommandError(f"--days must be at least 1, not {n}")
    return n


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(table: BaselineTable) -> str:
    """A readable text table of the rows."""
    header = ("date", "lnRMSSD", "7-day", "normal range", "status", "CV 7d")
    lines = [
        f"{header[0]:<10}  {header[1]:>7}  {header[2]:>6}  {header[3]:>13}  {header[4]:<6}"
        f"  {header[5]:>6}"
    ]
    for r in table.rows():
        band = (
            "-"
            if r.normal_low is None or r.normal_high is None
            else f"{r.normal_low:.3f}-{r.normal_high:.3f}"
        )
        cv = "-" if r.cv_7d_pct is None else f"{r.cv_7d_pct:.1f}%"
        lines.append(
            f"{r.date.isoformat():<10}  {_fmt(r.value, 3):>7}  {_fmt(r.baseline_7d, 3):>6}"
            f"  {band:>13}  {r.status or '-':<6}  {cv:>6}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    days = _days(args.days)
    store = store_from_args(args)
    try:
        daily = daily_values(store)
        table = ln_rmssd_table(daily)
    finally:
        store.close()
    shown = table.last(days) if days is not None and len(table) else table
    if args.json:
        print(json.dumps(shown.to_json_rows(sources=daily.rmssd_from), indent=None))
        return 0
    if len(table) == 0:
        print(read_state(table).text)
        return 0
    print(format_table(shown))
    print()
    print(read_state(table).text)
    return 0
