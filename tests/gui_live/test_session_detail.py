"""The History detail view: the full report from the core, artifacts marked, gaps broken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.hrv.artifacts import correct_artifacts
from app.hrv.coherence import format_coherence
from app.hrv.report import analyze
from app.hrv.segments import starts_from_gaps
from app.session.core_metrics import CoreAnalysis
from app.session.detail import format_value
from app.store import Store, open_store
from app.store.records import BeatRecord
from app.ui.app import build_app, open_session_detail
from app.ui.dialogs.session_detail import SessionDetailDialog, artifact_points

RR_FILE = (
    Path(__file__).resolve().parents[1] / "data" / "rr" / "slowbreath_11min_meditation_Y2med.txt"
)
ECTOPIC_AT = (120, 300)
GAP_AT = 200


def stored_session(store: Store) -> tuple[int, np.ndarray, np.ndarray]:
    rr = np.loadtxt(RR_FILE)[:420].copy()
    for i in ECTOPIC_AT:  # a premature beat and its compensatory pause
        rr[i], rr[i + 1] = rr[i] * 0.6, rr[i + 1] * 1.4
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[GAP_AT] = True
    t_ms = np.cumsum(rr)
    t_ms[GAP_AT:] += 8000.0  # 8 s without data before beat GAP_AT
    sid = store.start_session("breathing", rate_bpm=6.0, sensor_name="Demo strap")
    store.add_beats(
        sid,
        [
            BeatRecord(float(t), float(r), gap_before=bool(g))
            for t, r, g in zip(t_ms, rr, gaps, strict=True)
        ],
    )
    store.finish_session(sid, status="interrupted", duration_s=float(t_ms[-1]) / 1000.0)
    return sid, rr, gaps


def test_detail_shows_the_core_report_and_artifacts(qtbot: QtBot, db_path: Path) -> None:
    store = open_store(db_path)
    sid, rr, gaps = stored_session(store)
    dialog = open_session_detail(None, store, sid, CoreAnalysis())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    view = dialog.view
    report = analyze(rr, gap_before=gaps)
    assert view.value_text("RMSSD") == format_value(report.rmssd_ms, "ms", 1)
    assert view.value_text("LF power") == format_value(report.lf_ms2, "ms²", 0)
    assert view.value_text("DFA alpha1") == format_value(report.dfa_a1, "", 2)
    assert view.value_text("Artifacts") == format_value(report.artifact_pct, "%", 1)
    # Coherence: the session's coherence, as the summary computed and wrote it.
    detail = dialog.detail
    assert detail is not None and detail.report is not None
    assert detail.summary.coherence is not None
    assert detail.report.coherence == detail.summary.coherence
    assert view.value_text("Coherence (0-10)") == format_coherence(detail.summary.coherence)
    assert "interrupted" in view.header.text()
    # Artifacts marked on the tachogram are the beats the core flags, and include the injected.
    flagged = correct_artifacts(rr, segment_starts=starts_from_gaps(gaps, rr.size)).flagged
    x, y = artifact_points(view)
    t_min = (np.cumsum(rr) + np.where(np.arange(rr.size) >= GAP_AT, 8000.0, 0.0)) / 60000.0
    np.testing.assert_allclose(x, t_min[flagged])
    np.testing.assert_allclose(y, rr[flagged])
    for i in ECTOPIC_AT:
        assert flagged[i] or flagged[i + 1]
    assert "ectopic" in view.facts.text() or "short" in view.facts.text()
    # The gap breaks the lines instead of bridging it.
    _, hr = view.hr_curve.getOriginalDataset()
    assert int(np.count_nonzero(np.isnan(hr))) == 1
    dialog.close()
    store.close()


def test_history_row_activation_opens_the_detail(qtbot: QtBot, db_path: Path) -> None:
    store = open_store(db_path)
    sid, _, _ = stored_session(store)
    ui = build_app(store)
    window = ui.window
    qtbot.addWidget(window)
    history = ui.history
    history.refresh()
    assert history.session_ids() == [sid]
    history.table.activated.emit(history.table.model().index(0, 0))
    dialogs = window.findChildren(SessionDetailDialog)
    assert len(dialogs) == 1
    qtbot.waitUntil(lambda: dialogs[0].detail is not None, timeout=10_000)
    detail = dialogs[0].detail
    assert detail is not None and detail.session.id == sid
    assert detail.summary.n_beats == 420
    dialogs[0].close()
    window.close()
    store.close()


@pytest.mark.parametrize("kind", ["breathing"])
def test_detail_of_a_session_without_beats(qtbot: QtBot, db_path: Path, kind: str) -> None:
    store = open_store(db_path)
    sid = store.start_session(kind, rate_bpm=5.5)
    store.finish_session(sid, duration_s=300.0)
    dialog = SessionDetailDialog(store, sid, CoreAnalysis())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    assert dialog.view.value_text("RMSSD") == "\u2013"
    assert dialog.detail is not None and dialog.detail.report is None
    store.close()
