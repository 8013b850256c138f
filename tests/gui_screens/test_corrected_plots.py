"""The live plots and the session summary draw corrected beats: a missed beat is no plunge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.session.core_metrics import CoreAnalysis
from app.session.detail import session_detail
from app.session.live import LiveEngine
from app.session.summary import summarize_session
from app.store import Store
from app.store.records import BeatRecord
from app.ui.charts.live_plots import LivePlots
from app.ui.dialogs.session_detail import SessionDetailView, artifact_points
from app.ui.dialogs.session_summary import SessionSummaryView
from tests.session.synthetic import rsa_beats

MISSED = 80


def beats_with_a_missed_beat(duration_s: float) -> tuple[np.ndarray, np.ndarray, float]:
    """A calm breathing rhythm whose strap missed one beat; also the lowest true heart rate."""
    beats = rsa_beats(duration_s, mean_rr_ms=820.0, swing_ms=45.0, noise_ms=3.0, seed=5)
    t = np.array([b[0] for b in beats])
    rr = np.array([b[1] for b in beats])
    lowest_bpm = float((60000.0 / rr).min())
    merged = rr[MISSED] + rr[MISSED + 1]
    t = np.delete(t, MISSED)
    rr = np.delete(rr, MISSED)
    rr[MISSED] = merged
    assert 60000.0 / merged < lowest_bpm - 25.0  # raw, the missed beat is a deep plunge
    return t, rr, lowest_bpm


def _finite(values: np.ndarray) -> np.ndarray:
    out: np.ndarray = values[np.isfinite(values)]
    return out


def test_the_live_plots_show_no_plunge_and_one_ring(qtbot: QtBot) -> None:
    t, rr, lowest_bpm = beats_with_a_missed_beat(140.0)
    engine = LiveEngine(CoreAnalysis())
    for t_s, rr_ms in zip(t, rr, strict=True):
        engine.add_beat(float(t_s), float(rr_ms))
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.resize(700, 400)
    plots.show()
    plots.update_from(engine.snapshot(float(t[-1]) + 0.5), force=True)
    _, hr = plots.hr_line_data()
    assert _finite(hr).min() >= lowest_bpm - 1.0  # no plunge in the line
    _, rr_line = plots.rr_line_data()
    assert _finite(rr_line).max() < 1.5 * float(np.median(rr))
    ring_t, ring_hr = plots.hr_rings()
    assert ring_t.size == 1  # one ring, where the missed beat was corrected
    assert abs(float(ring_t[0]) - float(t[MISSED])) < 1e-6
    assert ring_hr[0] >= lowest_bpm - 1.0
    rr_ring_t, _ = plots.rr_rings()
    assert rr_ring_t.size == 1
    # The y range follows the corrected beats, not the raw plunge.
    (low, _high) = plots.hr_range()
    assert low > 60000.0 / float(rr.max())


def _stored(store: Store, t: np.ndarray, rr: np.ndarray) -> int:
    started = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    sid = store.start_session("breathing", started, rate_bpm=6.0)
    store.add_beats(
        sid, [BeatRecord(float(a) * 1000.0, float(b)) for a, b in zip(t, rr, strict=True)]
    )
    store.finish_session(sid, ended_at=started + timedelta(seconds=300), duration_s=300.0)
    return sid


def test_the_summary_chart_shows_no_plunge_and_one_ring(qtbot: QtBot, store: Store) -> None:
    t, rr, lowest_bpm = beats_with_a_missed_beat(300.0)
    sid = _stored(store, t, rr)
    record = store.session(sid)
    assert record is not None
    summary = summarize_session(record, store.beats(sid), store.marks(sid), CoreAnalysis())
    view = SessionSummaryView()
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.show_summary(summary)
    _, hr = view.hr_curve.getOriginalDataset()
    assert hr is not None
    assert _finite(hr).min() >= lowest_bpm - 1.0
    assert summary.n_beats == rr.size  # the stored beats are kept as recorded
    ring_t, _ = view.hr_artifacts.getData()
    assert ring_t.size == 1
    assert abs(float(ring_t[0]) * 60.0 - float(t[MISSED])) < 1e-6
    QApplication.processEvents()
    assert view.artifact_note.isVisible()
    assert view.artifact_note.text().startswith("\u25cb 1 corrected beat:")


def test_the_history_detail_draws_corrected_lines_and_keeps_the_recorded_value_as_a_cross(
    qtbot: QtBot, store: Store
) -> None:
    t, rr, lowest_bpm = beats_with_a_missed_beat(300.0)
    sid = _stored(store, t, rr)
    record = store.session(sid)
    assert record is not None
    detail = session_detail(record, store.beats(sid), store.marks(sid), CoreAnalysis())
    view = SessionDetailView()
    qtbot.addWidget(view)
    view.show_detail(detail)
    _, hr = view.hr_curve.getOriginalDataset()
    _, rr_line = view.rr_curve.getOriginalDataset()
    assert hr is not None and rr_line is not None
    assert _finite(hr).min() >= lowest_bpm - 1.0
    assert _finite(rr_line).max() < 1.5 * float(np.median(rr))
    rings, _ = view.hr_rings.getData()
    assert rings.size == 1 and abs(float(rings[0]) * 60.0 - float(t[MISSED])) < 1e-6
    cross_t, cross_rr = artifact_points(view)  # the recorded long interval, marked
    assert cross_rr.tolist() == [float(rr[MISSED])]
    assert abs(float(cross_t[0]) * 60.0 - float(t[MISSED])) < 1e-6
