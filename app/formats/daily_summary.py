"""Summary exports without beats: Elite HRV readings CSV and HRV4Training CSV -> daily values.

Both are delimited tables with one row per reading. Column names are matched loosely (case,
spaces and punctuation ignored; with duplicate names the first wins). Dates may be ISO, numeric
(day or month first, decided from the whole column) or in words; decimal commas and `-` for empty
cells are accepted. One value per day: the first reading of the day (Elite HRV: a morning
readiness reading when there is one).

Elite HRV columns used: `Date Time Start`, `Reading Type`, `rMSSD` (else `ln(rMSSD)`), `HR`,
`SDNN`. Its `HRV` column is a 0-100 score, not RMSSD, and is not used.
HRV4Training columns used: `date`, `time`, `rMSSD`, `HR`, `SDNN`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from app.formats.errors import FormatError
from app.formats.recording import ImportedDailyValue, ImportedDailyValues
from app.formats.source import Source
from app.formats.text import (
    column_index,
    filled_lines,
    find_date,
    find_time,
    guess_delimiter,
    lines_of,
    normalise_name,
    numeric_date_fields,
    optional_number,
    split_row,
)

FORMAT_ELITE_READINGS = "elite-hrv-readings"
FORMAT_HRV4TRAINING = "hrv4training"


def _header(head: str | None) -> list[str]:
    if head is None:
        return []
    for line in lines_of(head)[:3]:
        if line.strip():
            return [normalise_name(c) for c in split_row(line, guess_delimiter(line))]
    return []


def sniff_elite(source: Source, head: str | None) -> bool:
    header = _header(head)
    return "datetimestart" in header and ("rmssd" in header or "lnrmssd" in header)


def sniff_hrv4training(source: Source, head: str | None) -> bool:
    header = _header(head)
    return (
        "date" in header
        and "rmssd" in header
        and (any(c.startswith("hrv4t") for c in header) or "avnn" in header)
    )


def _day_first(cells: list[str]) -> bool:
    """Whether numeric dates in this column are day-first: yes unless a second field is above 12."""
    for cell in cells:
        fields = numeric_date_fields(cell)
        if fields is not None and fields[1] > 12:
            return False
    return True


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 and math.isfinite(value) else None


def _read_table(
    source: Source,
    *,
    format_name: str,
    date_names: tuple[str, ...],
    prefer: Callable[[list[str]], bool] | None,
) -> ImportedDailyValues:
    lines = filled_lines(source.text())
    delimiter = guess_delimiter(lines[0])
    header = split_row(lines[0], delimiter)
    date_col = column_index(header, *date_names)
    time_col = column_index(header, "time")
    rmssd_col = column_index(header, "rMSSD", "RMSSD (ms)")
    ln_rmssd_col = column_index(header, "ln(rMSSD)", "lnRMSSD")
    hr_col = column_index(header, "HR", "Heart Rate", "HR (bpm)")
    sdnn_col = column_index(header, "SDNN")
    if date_col is None or (rmssd_col is None and ln_rmssd_col is None):
        raise FormatError("summary table without date or rMSSD column")
    rows = [split_row(line, delimiter) for line in lines[1:]]
    rows = [row for row in rows if len(row) > date_col and row[date_col] not in ("", "-")]
    day_first = _day_first([row[date_col] for row in rows])
    chosen: dict[date, tuple[bool, str, ImportedDailyValue]] = {}
    for row in rows:
        cells = row + [""] * (len(header) - len(row))
        day = find_date(cells[date_col], day_first=day_first)
        if day is None:
            raise FormatError(f"unreadable date {cells[date_col][:30]!r}")
        rmssd = _positive(optional_number(cells[rmssd_col])) if rmssd_col is not None else None
        if rmssd is None and ln_rmssd_col is not None:
            ln_value = optional_number(cells[ln_rmssd_col])
            rmssd = math.exp(ln_value) if ln_value is not None and 0 < ln_value < 8 else None
        hr = _positive(optional_number(cells[hr_col])) if hr_col is not None else None
        sdnn = _positive(optional_number(cells[sdnn_col])) if sdnn_col is not None else None
        if rmssd is None and hr is None and sdnn is None:
            continue
        clock = find_time(cells[time_col]) if time_col is not None else None
        clock = clock or find_time(cells[date_col])
        key = (not (prefer(cells) if prefer else False), clock.isoformat() if clock else "")
        value = ImportedDailyValue(date=day, rmssd_ms=rmssd, resting_hr_bpm=hr, sdnn_ms=sdnn)
        previous = chosen.get(day)
        if previous is None or key < (previous[0], previous[1]):
            chosen[day] = (key[0], key[1], value)
    if not chosen:
        raise FormatError("no daily values found")
    return ImportedDailyValues(
        format=format_name,
        source_name=source.name,
        content_sha256=source.sha256,
        days=tuple(chosen[d][2] for d in sorted(chosen)),
    )


def read_elite(source: Source) -> ImportedDailyValues:
    first = filled_lines(source.text())[0]
    header = split_row(first, guess_delimiter(first))
    type_col = column_index(header, "Reading Type", "Type")

    def morning(cells: list[str]) -> bool:
        return type_col is not None and "morning" in cells[type_col].lower()

    return _read_table(
        source,
        format_name=FORMAT_ELITE_READINGS,
        date_names=("Date Time Start", "Date"),
        prefer=morning,
    )


def read_hrv4training(source: Source) -> ImportedDailyValues:
    return _read_table(source, format_name=FORMAT_HRV4TRAINING, date_names=("date",), prefer=None)
