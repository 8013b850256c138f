"""`baseline analyze FILE [--json] [--correction auto|none] [--pacer-rate N]`: the HRV report of one
recording.

Reads plain RR text (ms or s, `.gz` too) and every recording format `baseline import` reads, within
the same input limits (regular files only, sizes bounded; see `app.formats.source`).
Heavy modules (NumPy, the analysis, the importers) are imported only when the command runs, so
`baseline --help` and the GUI start stay lean.
"""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any

from app.commands.errors import CommandError

#: Longer recordings are refused: the analysis of 1M beats (~10 days of continuous beats) takes
#: about 40 s and 0.5 GB; 16M beats would take minutes and gigabytes.
MAX_ANALYZE_BEATS = 1_000_000
#: The pacer rates `--pacer-rate` accepts (breaths/min): the range the app's pacer offers.
PACER_RATE_RANGE_PER_MIN = (3.0, 24.0)


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    """Add the `analyze` sub-command."""
    parser = subparsers.add_parser(
        "analyze",
        parents=parents,
        help="HRV report of one RR recording",
        description="Print the HRV report of one recording of RR intervals (plain text, one "
        "value per line, ms or s, .gz too).",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="RR recording")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--correction",
        choices=("auto", "none"),
        default="auto",
        help="correct detected artifacts first (auto, the default) or use the values as given",
    )
    parser.add_argument(
        "--pacer-rate",
        metavar="BREATHS_PER_MIN",
        help="the rate a breathing pacer was set to (3-24): adds how well the heart followed it",
    )
    parser.set_defaults(func=run)


def pacer_rate(text: str | None) -> float | None:
    """The `--pacer-rate` value (breaths/min), or a one-line refusal."""
    if text is None:
        return None
    low, high = PACER_RATE_RANGE_PER_MIN
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN and infinities fail here too
        raise CommandError(
            f"--pacer-rate must be a number of breaths per minute from {low:g} to {high:g},"
            f" not {text!r}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    """Analyse the file and print the report."""
    from app.formats.errors import FormatError
    from app.hrv.report import analyze

    rate = pacer_rate(args.pacer_rate)
    try:
        rr_ms, gap_before = _read_beats(args.file)
        if len(rr_ms) > MAX_ANALYZE_BEATS:
            raise CommandError(
                f"{args.file}: {len(rr_ms):,} beats; at most {MAX_ANALYZE_BEATS:,} are analysed"
                " (cut the recording into days)"
            )
        report = analyze(
            rr_ms, gap_before=gap_before, correction=args.correction, pacer_rate_per_min=rate
        )
    except FormatError as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise CommandError(f"{args.file}: {exc}") from None
    if args.json:
        print(json.dumps(report.to_json_dict()))
    else:
        print(format_report(report.to_json_dict(), report.reasons, source=str(args.file)))
    return 0


def _read_beats(path: Path) -> tuple[Any, Any]:
    """RR intervals (ms) and gap flags from plain RR text, else from any importable format.

    The file is opened once, within the input limits of `app.formats.source` (regular files only,
    sizes bounded, gzip counted while it is decompressed). Plain text is tried first: it is the
    common case and needs none of the other readers.
    """
    from app.formats.errors import FormatError
    from app.formats.plain import parse_plain_rr
    from app.formats.source import Source

    try:
        source = Source.from_path(path)
    except FormatError as exc:
        reason = str(exc) if os.path.lexists(path) else "no such file"
        raise FormatError(f"{path}: {reason}") from None
    try:
        return parse_plain_rr(source.text()), None
    except FormatError as error:
        plain_error = FormatError(f"{path}: {error}")
    from app.formats.recording import ImportedArchive, ImportedRecording
    from app.formats.registry import read_source

    try:
        imported = read_source(source)
    except FormatError:
        raise plain_error from None
    if isinstance(imported, ImportedArchive):
        recordings = [s.recording for s in imported.sessions if s.recording.n_beats > 0]
        if len(recordings) != 1:
            raise FormatError(
                f"{path}: a Baseline export with {len(recordings)} recordings of beats;"
                " export one session (--session ID) to analyse it"
            ) from None
        imported = recordings[0]
    if not isinstance(imported, ImportedRecording):
        raise FormatError(
            f"{path}: holds daily summary values ({imported.format}), not beats"
        ) from None
    return imported.rr_ms, imported.gap_before


def format_report(values: dict[str, Any], reasons: Any, *, source: str) -> str:
    """A readable, aligned text report."""
    from app.hrv.report import REPORT_ROWS

    lines = [f"HRV report: {source}"]
    section = ""
    for row in REPORT_ROWS:
        if row.key not in values:
            continue
        if row.section != section:
            section = row.section
            lines.extend(("", section))
        value = values[row.key]
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            shown = f"-      ({reasons.get(row.key, 'not available')})"
        else:
            shown = f"{value:,.{row.decimals}f}" + (f" {row.unit}" if row.unit else "")
        lines.append(f"  {row.label:<24}{shown}")
    return "\n".join(lines)
