"""Every screen writes coherence the one way ("6.1 (high)") and the summary compares stretches that
never overlap, saying so when the session is too short."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.breathing.resonance import StepResult
from app.hrv.coherence import CoherenceBand, format_coherence, shown_score
from app.session.core_metrics import CoreAnalysis
from app.session.live import LiveNumber
from app.session.summary import SessionSummary, summarize_session
from app.store.database import now_local
from app.store.records import BeatRecord, SessionKind, SessionRecord, SessionStatus
from app.ui.dialogs.session_summary import TOO_SHORT_TEXT, SessionSummaryView
from app.ui.pages.assessment import COLUMNS, step_cells, step_details
from app.ui.widgets.live_numbers import COHERENCE_TOOLTIP, LiveNumbersPanel
from tests.session.synthetic import rsa_beats


def summary_of(duration_s: float) -> SessionSummary:
    beats = [
        BeatRecord(t * 1000.0, rr)
        for t, rr in rsa_beats(duration_s, mean_rr_ms=900.0, swing_ms=60.0, noise_ms=5.0)
    ]
    record = SessionRecord(
        id=1,
        kind=SessionKind.BREATHING,
        started_at=now_local(),
        ended_at=None,
        status=SessionStatus.COMPLETE,
        rate_bpm=6.0,
        duration_s=duration_s,
        stress_before=None,
        stress_after=None,
        note=None,
    )
    return summarize_session(record, beats, [], CoreAnalysis())


def headers(view: SessionSummaryView) -> list[str]:
    return [label.text() for label in view.headers]


def test_summary_view_names_what_it_compares(qtbot: QtBot) -> None:
    view = SessionSummaryView()
    qtbot.addWidget(view)

    view.show_summary(summary_of(300.0))
    assert headers(view)[1:3] == ["<b>First 2 min</b>", "<b>Last 2 min</b>"]
    assert view.compare_note.isHidden()

    three = summary_of(180.0)
    view.show_summary(three)
    assert headers(view)[1:3] == ["<b>First half</b>", "<b>Second half</b>"]
    assert [label.format for label in view.region_labels] == ["first half", "second half"]
    assert three.before is not None and three.after is not None
    assert three.before.coherence is not None and three.after.coherence is not None
    assert view.cells[("coherence", "before")].text() == format_coherence(three.before.coherence)
    assert view.cells[("coherence", "after")].text() == format_coherence(three.after.coherence)
    change = shown_score(three.after.coherence) - shown_score(three.before.coherence)
    assert view.cells[("coherence", "change")].text() == f"{'+' if change > 0 else ''}{change:.1f}"
    assert three.coherence is not None
    assert f"coherence {format_coherence(three.coherence)}" in view.facts.text()

    view.show_summary(summary_of(40.0))
    assert not view.compare_note.isHidden()
    assert view.compare_note.text() == TOO_SHORT_TEXT
    assert view.cells[("hr", "before")].text() == "\u2013"
    assert view.cells[("coherence", "after")].text() == "\u2013"


def test_live_tile_shows_score_and_band(qtbot: QtBot) -> None:
    panel = LiveNumbersPanel()
    qtbot.addWidget(panel)
    panel.show_numbers(
        LiveNumber(62.0),
        LiveNumber(40.0),
        LiveNumber(6.14, band=CoherenceBand.HIGH),
        LiveNumber(8.0),
    )
    assert panel.coherence.value.text() == "6.1"
    assert panel.coherence.state.text() == "high coherence"
    assert panel.coherence.unit.text() == "of 10"
    # The number and the word are the same as everywhere else.
    assert format_coherence(6.14) == f"{panel.coherence.value.text()} (high)"
    panel.show_numbers(
        LiveNumber(62.0),
        LiveNumber(40.0),
        LiveNumber(4.149, band=CoherenceBand.LOW),
        LiveNumber(8.0),
    )
    assert (panel.coherence.value.text(), panel.coherence.state.text()) == ("4.1", "low coherence")
    assert "low 0-4.1, medium 4.2-5.8, high 5.9-10" in COHERENCE_TOOLTIP


def test_assessment_table_writes_coherence_the_same_way() -> None:
    step = StepResult(rate_bpm=6.0, n_beats=100, analysed_s=100.0, coherence=5.04)
    assert len(step_cells(step)) == len(COLUMNS)
    # the table's row tooltip carries the step's coherence
    assert "Coherence: 5.0 (medium)." in step_details(step)
    none = StepResult(rate_bpm=6.0, n_beats=10, analysed_s=10.0)
    assert "Coherence: \u2013." in step_details(none)
