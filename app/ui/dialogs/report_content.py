"""What the printable report says, as plain data (Qt-free; `app.ui.dialogs.report` draws it).

`compose_report(store, first_day, last_day, session_id)` gathers the baseline over a chosen period
(the daily lnRMSSD and resting heart-rate tables cut to that period, and a few neutral figures
about them) and one session's summary with its full HRV report (`app.hrv.report.analyze` on the
stored beats: time domain, frequency domain, nonlinear, artifacts; its coherence is the session's
coherence as every screen shows it, `app.session.detail.with_session_coherence`). Values the data
cannot support say why. `report_lines` turns the content into text rows (also used by the tests).
The report describes numbers for personal wellness and training; it makes no medical claims.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

from app.hrv.report import REPORT_ROWS, HrvReport, analyze
from app.recovery.baseline import BaselineTable
from app.recovery.daily_values import daily_values, ln_rmssd_table, resting_hr_table
from app.session.core_metrics import CoreAnalysis
from app.session.detail import NO_VALUE, format_value, report_text, with_session_coherence
from app.session.durations import spoken_duration
from app.session.summary import summarize_session
from app.store import Store
from app.store.records import SessionRecord

FloatArray = npt.NDArray[np.float64]

WELLNESS_NOTE = (
    "Baseline is a wellness tool, not a medical device. These figures describe heart-rate "
    "variability for personal wellness and training. They do not diagnose, treat or prevent any "
    "condition and are no substitute for professional advice."
)


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One metric over the period, one entry per day (NaN = no value); arrays read-only."""

    title: str
    unit: str
    days: tuple[date, ...]
    value: FloatArray
    baseline_7d: FloatArray
    normal_low: FloatArray
    normal_high: FloatArray

    @property
    def has_values(self) -> bool:
        return bool(np.isfinite(self.value).any() or np.isfinite(self.baseline_7d).any())


@dataclass(frozen=True, slots=True)
class ReportSection:
    """A titled table of (label, value) rows, with an optional note under it."""

    title: str
    rows: tuple[tuple[str, str], ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything on the report."""

    title: str
    first_day: date
    last_day: date
    made_on: date
    charts: tuple[ChartSeries, ...]
    period: ReportSection
    session_title: str | None
    session_sections: tuple[ReportSection, ...]
    note: str = WELLNESS_NOTE

    @property
    def period_text(self) -> str:
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()}"


def _readonly(values: FloatArray) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array


def cut_table(table: BaselineTable, first_day: date, last_day: date) -> tuple[FloatArray, ...]:
    """The table's value, baseline, low and high for every day of the period (NaN outside)."""
    n = (last_day - first_day).days + 1
    out = [np.full(n, np.nan) for _ in range(4)]
    if table.first_day is not None and len(table):
        offset = (table.first_day - first_day).days
        lo = max(0, offset)
        hi = min(n, offset + len(table))
        if lo < hi:
            src = slice(lo - offset, hi - offset)
            for target, column in zip(
                out,
                (table.value, table.baseline_7d, table.normal_low, table.normal_high),
                strict=True,
            ):
                target[lo:hi] = column[src]
    return tuple(_readonly(a) for a in out)


def _series(
    table: BaselineTable,
    title: str,
    unit: str,
    first_day: date,
    last_day: date,
    *,
    in_ms: bool = False,
) -> ChartSeries:
    """The table's days in the period; `in_ms`: an lnRMSSD table drawn as HRV in ms (`exp`)."""
    columns = cut_table(table, first_day, last_day)
    if in_ms:
        columns = tuple(_read_only(np.exp(c)) for c in columns)
    value, base, low, high = columns
    days = tuple(date.fromordinal(first_day.toordinal() + i) for i in range(value.size))
    return ChartSeries(title, unit, days, value, base, low, high)


def _read_only(values: FloatArray) -> FloatArray:
    values.setflags(write=False)
    return values


def _last_finite(values: FloatArray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else None


def period_section(hrv: ChartSeries, hr: ChartSeries) -> ReportSection:
    """Neutral figures about the period: counts, averages, where the 7-day baseline ended.

    `hrv` is in ms; its averages are geometric (the mean of lnRMSSD, shown back in ms)."""
    n_days = len(hrv.days)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln = ChartSeries(
            hrv.title,
            "",
            hrv.days,
            np.log(hrv.value),
            np.log(hrv.baseline_7d),
            np.log(hrv.normal_low),
            np.log(hrv.normal_high),
        )
    ln_days = int(np.isfinite(ln.value).sum())
    hr_days = int(np.isfinite(hr.value).sum())
    rows: list[tuple[str, str]] = [
        ("Days in the period", str(n_days)),
        ("Days with an HRV value", str(ln_days)),
    ]
    if ln_days:
        mean_ln = float(np.nanmean(ln.value))
        rows.append(("Average HRV", f"{math.exp(mean_ln):.0f} ms (lnRMSSD {mean_ln:.2f})"))
    last_base = _last_finite(ln.baseline_7d)
    rows.append(
        (
            "Last 7-day HRV average",
            NO_VALUE
            if last_base is None
            else f"{math.exp(last_base):.0f} ms (lnRMSSD {last_base:.2f})",
        )
    )
    low, high = _last_finite(ln.normal_low), _last_finite(ln.normal_high)
    if low is not None and high is not None:
        rows.append(
            ("Last 60-day normal range", f"{math.exp(low):.0f}\u2013{math.exp(high):.0f} ms")
        )
    else:
        rows.append(("Last 60-day normal range", "not enough days yet (needs 14 values)"))
    rows.append(("Days with a resting heart rate", str(hr_days)))
    if hr_days:
        rows.append(
            ("Average resting heart rate", format_value(float(np.nanmean(hr.value)), "bpm"))
        )
    return ReportSection("Over the period", tuple(rows))


def session_rows(record: SessionRecord, n_beats: int) -> tuple[tuple[str, str], ...]:
    """The session's own facts (its private note is left out of a report meant to be shared)."""
    rows: list[tuple[str, str]] = [
        ("Kind", record.kind.label),
        ("Started", record.started_at.strftime("%Y-%m-%d %H:%M")),
    ]
    if record.duration_s is not None:
        rows.append(("Length", spoken_duration(record.duration_s)))
    if record.rate_bpm is not None:
        rows.append(("Breathing rate", f"{record.rate_bpm:g} breaths/min"))
    if record.stress_before is not None or record.stress_after is not None:
        before = NO_VALUE if record.stress_before is None else str(record.stress_before)
        after = NO_VALUE if record.stress_after is None else str(record.stress_after)
        rows.append(("Stress before / after (1-5)", f"{before} / {after}"))
    if record.sensor_name:
        rows.append(("Sensor", record.sensor_name))
    rows.append(("Beats stored", str(n_beats)))
    return tuple(rows)


#: The sections of the HRV report that print its metrics (the rest is in "Beats and artifacts").
METRIC_SECTIONS = ("Time domain", "Frequency domain", "Nonlinear")


def _metric_rows(report: HrvReport, section: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    rows: list[tuple[str, str]] = []
    missing: list[str] = []
    values = report.to_json_dict()
    for row in REPORT_ROWS:
        if row.section != section or row.key not in values:
            continue
        value = values[row.key]
        rows.append((row.label, report_text(row.key, value, row.unit, row.decimals)))
        if value is None and row.key in report.reasons:
            missing.append(f"{row.label}: {report.reasons[row.key]}")
    return tuple(rows), ("; ".join(missing) if missing else None)


def hrv_sections(report: HrvReport) -> tuple[ReportSection, ...]:
    """The HRV report as four sections: time, frequency, nonlinear, beats and artifacts."""
    sections = []
    for title in METRIC_SECTIONS:
        rows, note = _metric_rows(report, title)
        sections.append(ReportSection(title, rows, note))
    sections.append(
        ReportSection(
            "Beats and artifacts",
            (
                ("Beats analysed", str(report.n_beats)),
                ("Length of beats", format_value(report.duration_s, "s", 0)),
                ("Artifacts corrected", format_value(report.artifact_pct, "%", 1)),
            ),
        )
    )
    return tuple(sections)


def session_hrv(store: Store, session_id: int) -> tuple[int, HrvReport | None, str | None]:
    """The beat count and HRV report of a stored session, or why there is none."""
    beats = store.beats(session_id)
    if not beats:
        return 0, None, "This session has no beats (no heart-rate strap was used)."
    rr = np.array([b.rr_ms for b in beats], dtype=np.float64)
    gaps = np.array([b.gap_before for b in beats], dtype=np.bool_)
    try:
        report = analyze(rr, gap_before=gaps)
    except ValueError as exc:
        return len(beats), None, f"No HRV report for this session: {exc}."
    record = store.session(session_id)
    if record is not None:
        summary = summarize_session(record, beats, store.marks(session_id), CoreAnalysis())
        report = with_session_coherence(report, summary)
    return len(beats), report, None


def compose_report(
    store: Store,
    *,
    first_day: date,
    last_day: date,
    session_id: int | None,
    made_on: date | None = None,
) -> ReportContent:
    """Gather the report for the period and (optionally) one session."""
    if last_day < first_day:
        raise ValueError("the period ends before it starts")
    values = daily_values(store)
    ln = _series(ln_rmssd_table(values), "HRV (ms)", "ms", first_day, last_day, in_ms=True)
    hr = _series(resting_hr_table(values), "Resting heart rate", "bpm", first_day, last_day)
    session_title: str | None = None
    sections: list[ReportSection] = []
    if session_id is not None:
        record = store.session(session_id)
        if record is None:
            raise ValueError(f"there is no session {session_id}")
        if record.simulated:
            raise ValueError(
                f"session {session_id} is practice with the demo strap (simulated heart data)"
                " and is not part of the report"
            )
        n_beats, report, why_not = session_hrv(store, session_id)
        kind = record.kind.label
        session_title = f"{kind}, {record.started_at.strftime('%Y-%m-%d %H:%M')}"
        sections.append(ReportSection("Session", session_rows(record, n_beats), why_not))
        if report is not None:
            sections.extend(hrv_sections(report))
    return ReportContent(
        title="Baseline HRV report",
        first_day=first_day,
        last_day=last_day,
        made_on=made_on or datetime.now().date(),
        charts=(ln, hr),
        period=period_section(ln, hr),
        session_title=session_title,
        session_sections=tuple(sections),
    )


def report_lines(content: ReportContent) -> list[str]:
    """The report as plain text rows (what the renderer draws, without the charts)."""
    lines = [
        content.title,
        f"Period: {content.period_text}",
        f"Made on {content.made_on.isoformat()}",
    ]
    for chart in content.charts:
        days = int(np.isfinite(chart.value).sum())
        lines.append(f"Chart: {chart.title}, {days} days with a value")
    for section in (content.period, *content.session_sections):
        if section is content.period or section.title != "Session":
            lines.append(f"[{section.title}]")
        else:
            lines.append(f"[Session: {content.session_title}]")
        lines.extend(f"{label}: {value}" for label, value in section.rows)
        if section.note:
            lines.append(f"Note: {section.note}")
    lines.append(content.note)
    return lines
