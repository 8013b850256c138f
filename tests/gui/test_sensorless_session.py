"""A full sensorless breathing session driven through the window, with a hand-moved clock."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from app.breathing import BreathingPattern, cue_times, pacer_state
from app.session.engine import MIN_KEPT_S
from app.store import Store
from app.ui.pages.breathe import BreathePage
from app.ui.widgets.pacer import PHASE_WORDS
from app.ui.window import MainWindow
from tests.gui.conftest import WindowFactory
from tests.stubs import FakeClock, RecordingCuePlayer


def _press(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> None:
    with qtbot.waitActive(window):
        window.activateWindow()
    QTest.keyClick(window, key)


def _click(button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def _status(page: BreathePage) -> str:
    """What the session is doing, as one word (keeps the checks readable)."""
    return page.timer.state if page.timer is not None else "idle"


def test_full_session_at_5_5_and_1_to_2(
    qtbot: QtBot, store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    window = ui.window
    page = ui.breathe
    assert window.current_page_name() == "Breathe"
    page.editor.rate_spin.setValue(5.5)
    page.editor.ratio_combo.setCurrentText("1:2")
    page.editor.length_combo.setCurrentIndex(page.editor.length_combo.findData(10))
    pattern = BreathingPattern(rate_bpm=5.5, inhale_ratio=1.0, exhale_ratio=2.0)
    assert ui.settings.pattern_editor.rate_spin.value() == 5.5  # one settings model

    _click(page.start_button)
    assert _status(page) == "running"
    assert page.frame_timer.isActive()
    assert not page.editor.isEnabled()
    session_id = page.session_id
    assert session_id is not None
    start_s = clock.now_s

    # 5.5/min: cycle 10.909 s, inhale 3.636 s, exhale 7.273 s.
    for t, phase in (
        (0.0, "inhale"),
        (1.0, "inhale"),
        (3.5, "inhale"),
        (3.7, "exhale"),
        (7.0, "exhale"),
        (10.5, "exhale"),
        (11.0, "inhale"),
        (25.0, "inhale"),
        (26.0, "exhale"),
    ):
        clock.now_s = start_s + t
        page.refresh_now()
        expected = pacer_state(pattern, clock.now_s - start_s)
        assert page.pacer.state == expected
        assert expected.phase == phase
        assert page.pacer.phase_text == PHASE_WORDS[phase]
    clock.now_s = start_s + 1.8181818181818181  # half way through the first inhale
    page.refresh_now()
    state = page.pacer.state
    assert state is not None
    assert (state.phase, state.breath_index) == ("inhale", 0)
    assert state.size == pytest.approx(0.5, abs=1e-9)
    assert page.pacer.countdown_text == "2"  # 1.82 s left, shown as whole seconds
    clock.now_s = start_s + 3.7
    page.refresh_now()
    assert page.pacer.phase_text == "Breathe out"
    assert page.pacer.countdown_text == "8"  # 7.21 s left

    # Pause at 30 s for 45 s (Space), then resume (Space): the pacer continues where it stopped.
    clock.now_s = start_s + 30.0
    page.refresh_now()
    _press(qtbot, window, Qt.Key.Key_Space)
    assert _status(page) == "paused"
    assert not page.frame_timer.isActive()
    assert page.pacer.phase_text == "Paused"
    clock.advance(45.0)
    page.refresh_now()  # no effect while paused
    assert page.pacer.state == pacer_state(pattern, 30.0)
    paused_state = page.pacer.state
    _press(qtbot, window, Qt.Key.Key_Space)
    assert _status(page) == "running"
    assert page.frame_timer.isActive()
    clock.advance(20.0)  # wall 95 s, active 50 s
    page.refresh_now()
    assert page.pacer.state == pacer_state(pattern, clock.now_s - start_s - 45.0)
    assert page.pacer.state.size == pytest.approx(pacer_state(pattern, 50.0).size, abs=1e-9)
    assert paused_state is not None
    assert page.elapsed_label.text() == "Breathing 0:50"
    assert page.remaining_label.text() == "9:10 left"

    # Stop (Esc) and reflect.
    _press(qtbot, window, Qt.Key.Key_Escape)
    assert _status(page) == "stopped"
    assert not page.frame_timer.isActive()
    dialog = page.reflection_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.before_spin.setValue(4)
    dialog.after_spin.setValue(2)
    dialog.note_edit.setPlainText("  Shoulders dropped.  ")
    _click(dialog.save_button)
    assert page.reflection_dialog is None

    record = store.session(session_id)
    assert record is not None
    assert (record.kind, record.status, record.rate_bpm) == ("breathing", "complete", 5.5)
    assert record.duration_s == pytest.approx(50.0)
    assert BreathingPattern.from_json(record.pattern_json or "") == pattern
    assert (record.stress_before, record.stress_after, record.note) == (4, 2, "Shoulders dropped.")
    marks = store.marks(session_id)
    assert [m.kind for m in marks] == ["pause", "resume"]
    assert [m.t_ms for m in marks] == pytest.approx([30_000.0, 75_000.0])
    assert store.beats(session_id) == []

    window.show_page("History")
    history = ui.history
    assert history.session_ids() == [session_id]
    row = history.row_texts(0)
    assert row[1:] == (
        "Breathing session, 5.5 /min, 1:2",
        "50 s",
        "",  # no strap: no heart rate, HRV or coherence
        "",
        "",
        "4 \u2192 2",
        "Finished",
        "Shoulders dropped.",
    )
    assert json.loads(record.pattern_json or "{}")["exhale_ratio"] == 2.0


def test_session_ends_by_itself_and_reflection_can_be_skipped(
    qtbot: QtBot, store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    page = ui.breathe
    page.editor.length_combo.setCurrentIndex(page.editor.length_combo.findData(5))
    page.start()
    clock.advance(299.0)
    page.refresh_now()
    assert _status(page) == "running"
    assert page.remaining_label.text() == "0:01 left"
    clock.advance(1.5)
    page.refresh_now()
    assert _status(page) == "stopped"
    assert page.pacer.phase_text == "Session complete"
    dialog = page.reflection_dialog
    assert dialog is not None
    _click(dialog.skip_button)
    [record] = store.sessions()
    assert record.duration_s == pytest.approx(300.0)
    assert (record.stress_before, record.stress_after, record.note) == (None, None, None)
    assert ui.history.session_ids() == [record.id]
    assert ui.history.row_texts(0)[2] == "5 min"


def test_running_session_checkpoints_so_a_crash_keeps_its_length(
    store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    page = ui.breathe
    page.start()
    session_id = page.session_id
    assert session_id is not None
    for _ in range(12):  # 12 s of frames, one a second
        clock.advance(1.0)
        page.refresh_now()
    running = store.session(session_id)
    assert running is not None and running.status == "active"
    assert running.duration_s == pytest.approx(12.0)  # checkpoints every second: the last at 12 s
    # The app dies here; the next start closes the session with the checkpointed length.
    assert store.close_unfinished() == [session_id]
    closed = store.session(session_id)
    assert closed is not None
    assert closed.status == "interrupted"
    assert closed.duration_s == pytest.approx(12.0)


def test_cues_play_at_phase_starts(
    store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    page = ui.breathe
    ui.settings.pattern_editor.hold_in_spin.setValue(1.0)
    pattern = ui.settings.pattern_editor._model.settings.pattern()
    page.start()
    frame_s = 0.016
    for _ in range(int(40.0 / frame_s)):
        clock.advance(frame_s)
        page.refresh_now()
    page.stop(reflect=False)
    player = ui.breathe._cues
    assert isinstance(player, RecordingCuePlayer)
    expected = cue_times(pattern, 0.0, 40.0)
    assert [(c.phase, c.breath_index) for c in player.cues] == [
        (c.phase, c.breath_index) for c in expected
    ]
    assert {c.phase for c in player.cues} == {"inhale", "hold_in", "exhale"}


def test_frames_follow_the_clock_not_the_ticks(
    qtbot: QtBot, store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    page = ui.breathe
    start_s = clock.now_s
    page.start()
    pattern = page.pattern
    assert pattern is not None
    # Many frame-timer ticks with the clock standing still do not move the pacer.
    ticks: list[int] = []
    page.frame_timer.timeout.connect(lambda: ticks.append(1))  # after the page's own slot
    qtbot.waitUntil(lambda: len(ticks) >= 6, timeout=5000)
    assert page.pacer.state == pacer_state(pattern, 0.0)
    # One tick after a big clock jump lands exactly where the clock says.
    clock.advance(17.5)
    expected = pacer_state(pattern, clock.now_s - start_s)
    assert expected.phase == "exhale"
    qtbot.waitUntil(lambda: page.pacer.state == expected, timeout=1000)
    page.stop(reflect=False)


def test_ramp_eases_the_pacer_down_to_the_target(
    store: Store, clock: FakeClock, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    page = ui.breathe
    page.editor.rate_spin.setValue(5.0)
    page.editor.ramp_check.setChecked(True)
    page.editor.ramp_start_spin.setValue(8.0)
    page.editor.ramp_minutes_spin.setValue(1.0)
    expected = BreathingPattern(rate_bpm=5.0, start_rate_bpm=8.0, ramp_duration_s=60.0)
    start_s = clock.now_s
    page.start()
    assert page.pattern == expected
    clock.advance(30.0)
    page.refresh_now()
    state = page.pacer.state
    assert state == pacer_state(expected, clock.now_s - start_s)
    assert state is not None
    assert state.current_rate_bpm == pytest.approx(6.5)
    assert page.elapsed_label.text() == "Breathing 0:30  ·  easing in at 6.5/min"
    clock.advance(40.0)
    page.refresh_now()
    assert page.elapsed_label.text() == "Breathing 1:10"
    page.stop(reflect=False)
    [record] = store.sessions()
    assert BreathingPattern.from_json(record.pattern_json or "") == expected
    assert record.rate_bpm == 5.0


def test_space_starts_even_from_a_number_field_and_only_on_the_breathe_page(
    qtbot: QtBot, store: Store, make_window: WindowFactory, clock: FakeClock
) -> None:
    ui = make_window(store)
    window = ui.window
    page = ui.breathe
    window.show_page("History")
    _press(qtbot, window, Qt.Key.Key_Space)
    assert _status(page) == "idle"
    window.show_page("Breathe")
    page.editor.hold_in_spin.setFocus()
    QTest.keyClick(page.editor.hold_in_spin, Qt.Key.Key_Space)
    assert _status(page) == "running"
    assert page.editor.hold_in_spin.value() == 0.0
    clock.advance(MIN_KEPT_S)  # long enough to keep
    _press(qtbot, window, Qt.Key.Key_Escape)
    assert _status(page) == "stopped"
    assert page.reflection_dialog is not None
    page.reflection_dialog.reject()
    assert [s.status for s in store.sessions()] == ["complete"]


def test_a_session_shorter_than_30_s_is_not_kept_and_the_app_says_so(
    store: Store, make_window: WindowFactory, clock: FakeClock
) -> None:
    ui = make_window(store)
    page = ui.breathe
    ui.window.show_page(page)
    page.start()
    clock.advance(MIN_KEPT_S - 1.0)
    page.refresh_now()
    with_saved: list[int] = []
    page.session_saved.connect(with_saved.append)
    page.stop()
    assert store.sessions() == [] and with_saved == []
    assert page.reflection_dialog is None  # nothing to reflect on
    assert not page.is_active
    assert "Sessions shorter than 30 s are not kept" in ui.window.statusBar().currentMessage()
    ui.window.show_page(ui.history)
    assert ui.history.session_ids() == []
    # A session of 30 s or more is kept.
    ui.window.show_page(page)
    page.start()
    clock.advance(MIN_KEPT_S)
    page.stop(reflect=False)
    assert [s.status for s in store.sessions()] == ["complete"]
