"""History (newest first, delete with undo) and settings that survive a new window."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.store import Store, open_store
from app.store.settings import AppSettings, load_settings
from app.ui.theme import DARK, LIGHT
from tests.gui.conftest import WindowFactory


def _add_session(store: Store, hour: int, rate_bpm: float, before: int, after: int) -> int:
    started = datetime(2026, 3, 2, hour, 0, tzinfo=UTC)
    session_id = store.start_session("breathing", started, rate_bpm=rate_bpm)
    store.finish_session(session_id, ended_at=started.replace(minute=10), duration_s=600.0)
    store.set_reflection(session_id, stress_before=before, stress_after=after, note=None)
    return session_id


def test_history_newest_first_delete_and_undo(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    older = _add_session(store, 7, 6.0, 3, 2)
    newer = _add_session(store, 9, 5.0, 4, 3)
    ui = make_window(store)
    window = ui.window
    window.show_page("History")
    history = ui.history
    assert history.session_ids() == [newer, older]
    assert history.row_texts(0)[1:8] == (
        "Breathing session, 5 /min",
        "10 min",
        "",  # no strap: no heart rate,
        "",  # no HRV
        "",  # and no coherence
        "4 \u2192 3",
        "Finished",
    )
    assert not history.undo_bar.isVisible()

    history.table.selectRow(0)
    QTest.mouseClick(history.delete_button, Qt.MouseButton.LeftButton)
    assert history.session_ids() == [older]
    assert store.session(newer) is None  # hidden at once
    assert history.undo_bar.isVisible()
    assert "Deleted 1 session" in history.undo_label.text()

    history.table.selectRow(0)
    QTest.keyClick(window, Qt.Key.Key_Delete)
    assert history.session_ids() == []
    assert history.empty_label.isVisible()

    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the last
    assert history.session_ids() == [older]
    assert history.undo_bar.isVisible()  # the first delete can still be undone
    QTest.mouseClick(history.undo_button, Qt.MouseButton.LeftButton)
    assert history.session_ids() == [newer, older]
    assert not history.undo_bar.isVisible()
    assert store.purge_deleted() == 0  # nothing left deleted

    history.table.selectRow(1)
    history.delete_selected()
    assert store.purge_deleted() == 1  # what app exit does
    assert [s.id for s in store.sessions()] == [newer]


def test_settings_persist_across_windows(
    qtbot: QtBot, db_path: Path, make_window: WindowFactory
) -> None:
    store = open_store(db_path)
    ui = make_window(store)
    window = ui.window
    page = ui.settings
    page.theme_combo.setCurrentIndex(page.theme_combo.findData("dark"))
    page.sound_check.setChecked(False)
    page.volume_slider.setValue(35)
    page.cue_style_combo.setCurrentIndex(page.cue_style_combo.findData("chime"))
    editor = page.pattern_editor
    editor.rate_spin.setValue(4.5)
    editor.ratio_combo.setCurrentText("Custom")
    editor.exhale_spin.setValue(1.25)
    editor.hold_out_spin.setValue(1.5)
    editor.length_combo.setCurrentIndex(editor.length_combo.findData(0))
    editor.ramp_check.setChecked(True)
    editor.ramp_start_spin.setValue(7.0)
    editor.ramp_minutes_spin.setValue(3.0)
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == DARK.window
    window.resize(790, 520)
    size_at_close = (window.width(), window.height())
    assert size_at_close != (800, 600)
    window.close()
    store.close()

    expected = AppSettings(
        theme="dark",
        sound_on=False,
        volume=0.35,
        cue_style="chime",
        rate_bpm=4.5,
        inhale_ratio=1.0,
        exhale_ratio=1.25,
        hold_after_exhale_s=1.5,
        ramp_on=True,
        ramp_start_rate_bpm=7.0,
        ramp_minutes=3.0,
        session_minutes=0,
    )
    again = open_store(db_path)
    assert load_settings(again) == expected
    second_ui = make_window(again)
    second = second_ui.window
    assert (second.width(), second.height()) == size_at_close
    assert second.theme_actions["dark"].isChecked()
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == DARK.window
    breathe = second_ui.breathe.editor
    assert breathe.rate_spin.value() == 4.5
    assert breathe.ratio_combo.currentText() == "Custom"
    assert breathe.exhale_spin.value() == 1.25
    assert breathe.length_combo.currentData() == 0
    assert second_ui.breathe.remaining_label.text() == "Open session"
    assert not second_ui.settings.sound_check.isChecked()
    assert second_ui.settings.volume_slider.value() == 35
    # The View menu switches the theme too, and that is saved as well.
    second.theme_actions["light"].trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window
    assert load_settings(again).theme == "light"
    assert second_ui.settings.theme_combo.currentData() == "light"
    second.close()
    again.close()


def test_invalid_pattern_edit_is_explained_and_reverted(
    store: Store, make_window: WindowFactory
) -> None:
    ui = make_window(store)
    editor = ui.breathe.editor
    editor.rate_spin.setValue(10.0)  # 6 s cycle
    editor.hold_in_spin.setValue(2.0)
    editor.hold_out_spin.setValue(2.5)  # would leave 1.5 s to breathe
    assert not editor.error_label.isHidden()
    assert "to breathe" in editor.error_label.text()
    assert editor.hold_out_spin.value() == 0.0
    assert load_settings(store).hold_after_exhale_s == 0.0
    editor.hold_out_spin.setValue(1.0)
    assert editor.error_label.isHidden()


def test_pages_can_be_added_in_one_line(store: Store, make_window: WindowFactory) -> None:
    from PySide6.QtWidgets import QLabel

    from tests.stubs import StaticPage

    ui = make_window(store)

    window = ui.window
    window.show_page("History")
    window.add_page(StaticPage("Home", QLabel("home")), "Ctrl+0", position=0)
    assert window.page_names() == ["Home", "Breathe", "History", "Settings"]
    assert window.current_page_name() == "History"
    assert window.stack.currentWidget() is ui.history
    QTest.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_name() == "Home"
