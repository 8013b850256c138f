"""History: date, kind, duration, heart rate, HRV (ms), coherence where it applies, stress,
status (interrupted shown as such), a filter by kind, and the note that short sessions are not
kept; the figures come from the stored beats and are cached in the store."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from pytestqt.qtbot import QtBot

from app.hrv.coherence import format_coherence
from app.session.core_metrics import CoreAnalysis
from app.session.figures import FIGURES_VERSION
from app.store import Store
from app.store.figures import history
from app.store.records import BeatRecord, SessionKind, SessionStatus
from app.ui.pages.history import (
    COHERENCE_COL,
    COLUMNS,
    HR_COL,
    HRV_COL,
    KIND_COL,
    STATUS_COL,
    HistoryPage,
)
from tests.stubs import InstantTaskRunner

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def paced_rr(n: int, rate_bpm: float = 6.0, mean_rr_ms: float = 950.0) -> np.ndarray:
    """RR that swings with slow breathing at `rate_bpm` (a clear coherence peak)."""
    t_s = np.cumsum(np.full(n, mean_rr_ms / 1000.0))
    rr: np.ndarray = mean_rr_ms + 60.0 * np.sin(2 * math.pi * rate_bpm / 60.0 * t_s)
    return rr


def add(
    store: Store,
    kind: SessionKind,
    hours: int,
    rr_ms: np.ndarray | None,
    *,
    status: SessionStatus = SessionStatus.COMPLETE,
    rate_bpm: float | None = None,
) -> int:
    started = START + timedelta(hours=hours)
    sid = store.start_session(kind, started, rate_bpm=rate_bpm)
    duration_s = 300.0
    if rr_ms is not None:
        t_ms = np.cumsum(rr_ms)
        store.add_beats(
            sid, [BeatRecord(float(t), float(r)) for t, r in zip(t_ms, rr_ms, strict=True)]
        )
        duration_s = float(t_ms[-1]) / 1000.0
    store.finish_session(
        sid, ended_at=started + timedelta(seconds=duration_s), status=status, duration_s=duration_s
    )
    return sid


def test_columns_figures_status_and_cache(qtbot: QtBot, store: Store) -> None:
    paced = paced_rr(400)
    rest = paced_rr(150, rate_bpm=14.0, mean_rr_ms=1000.0)
    breathing = add(store, SessionKind.BREATHING, 0, paced, rate_bpm=6.0)
    check = add(store, SessionKind.READINESS, 1, rest)
    stopped = add(store, SessionKind.BREATHING, 2, None, status=SessionStatus.INTERRUPTED)
    tasks = InstantTaskRunner()
    page = HistoryPage(store, CoreAnalysis(), tasks=tasks)
    qtbot.addWidget(page)
    assert COLUMNS[:7] == (
        "Date",
        "Kind",
        "Duration",
        "Heart rate",
        "HRV (ms)",
        "Coherence",
        "Stress (1-5)",
    )
    assert COLUMNS[STATUS_COL] == "Status" and "Complete" not in COLUMNS
    assert page.session_ids() == [stopped, check, breathing]
    rows = {sid: page.row_texts(i) for i, sid in enumerate(page.session_ids())}
    # Heart rate and HRV of the whole session, checked against the beats themselves.
    for sid, rr in ((breathing, paced), (check, rest)):
        hr = 60_000.0 / float(np.mean(rr))
        rmssd = math.sqrt(float(np.mean(np.diff(rr) ** 2)))
        assert rows[sid][HR_COL] == f"{hr:.0f} bpm"
        assert rows[sid][HRV_COL] == f"{rmssd:.0f} ms"
    # Coherence where it applies (a paced session), in the one format of the app.
    coherence = rows[breathing][COHERENCE_COL]
    assert coherence and coherence.endswith("(high)")
    cached = {r.record.id: r.figures for r in history(store, analyzed_with=FIGURES_VERSION)}
    figures = cached[breathing]
    assert figures is not None and coherence == format_coherence(figures.coherence)
    assert rows[check][COHERENCE_COL] == ""  # a morning check is not paced
    # A session without beats has no figures, and an interrupted one says so.
    assert rows[stopped][HR_COL] == rows[stopped][HRV_COL] == ""
    assert rows[stopped][STATUS_COL] == "Interrupted"
    assert rows[breathing][STATUS_COL] == "Finished"
    assert rows[breathing][KIND_COL] == "Breathing session, 6 /min"
    assert rows[check][KIND_COL] == "Morning check"
    assert tasks.ran == 2
    # The figures are cached: a second page computes nothing.
    again = InstantTaskRunner()
    second = HistoryPage(store, CoreAnalysis(), tasks=again)
    qtbot.addWidget(second)
    assert again.ran == 0
    assert second.row_texts(2) == page.row_texts(2)


def test_filter_by_kind_and_the_summary(qtbot: QtBot, store: Store) -> None:
    add(store, SessionKind.BREATHING, 0, None, rate_bpm=5.5)
    check = add(store, SessionKind.READINESS, 1, None)
    add(store, SessionKind.BREATHING, 2, None, rate_bpm=6.0)
    page = HistoryPage(store, CoreAnalysis(), tasks=InstantTaskRunner())
    qtbot.addWidget(page)
    page.show()
    assert len(page.session_ids()) == 3
    assert page.summary_label.text() == (
        "3 sessions, 15 min in all. Sessions shorter than 30 s are not kept."
    )
    page.show_kind(SessionKind.READINESS)
    assert page.kind_filter.currentText() == "Morning checks"
    assert page.session_ids() == [check]
    assert page.summary_label.text().startswith("1 morning check, 5 min in all.")
    page.show_kind(SessionKind.ASSESSMENT)
    assert page.session_ids() == []
    assert page.empty_label.isVisible() and not page.summary_label.isVisible()
    assert page.empty_label.text() == (
        "No assessments yet. Sessions shorter than 30 s are not kept."
    )
    page.show_kind(None)
    assert len(page.session_ids()) == 3


def test_the_figures_are_computed_off_the_gui_thread(qtbot: QtBot, store: Store) -> None:
    sid = add(store, SessionKind.BREATHING, 0, paced_rr(300), rate_bpm=6.0)
    page = HistoryPage(store, CoreAnalysis())  # the real worker pool
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.row_texts(0)[HRV_COL].endswith(" ms"), timeout=10_000)
    assert page.session_ids() == [sid]
    assert page.row_texts(0)[HR_COL].endswith(" bpm")
