"""The optional daily reminder of the morning check: off by default, set in Settings, shown once
a day from the chosen time unless today's check is done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.store import Store
from app.store.settings import AppSettings, load_settings
from app.ui.app import build_app
from app.ui.services.morning_reminder import REMINDER_TEXT, MorningReminder
from app.ui.services.settings_model import SettingsModel
from tests.gui.conftest import WindowFactory
from tests.stubs import RecordingCuePlayer


class Now:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def _reminder(
    qtbot: QtBot, store: Store, model: SettingsModel, now: Now
) -> tuple[MorningReminder, list[str], list[str]]:
    notices: list[str] = []
    opened: list[str] = []
    window = QWidget()
    qtbot.addWidget(window)
    reminder = MorningReminder(
        store,
        model,
        window,
        lambda: opened.append("check"),
        notices.append,
        now=now,
        tray_available=False,
        parent=window,
    )
    return reminder, notices, opened


def test_off_by_default_and_set_in_settings(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    assert AppSettings().reminder_on is False
    ui = make_window(store)
    page = ui.settings
    assert not page.reminder_check.isChecked()
    assert not page.reminder_time.isEnabled()
    page.reminder_check.setChecked(True)
    page.reminder_time.setTime(QTime(6, 45))
    saved = load_settings(store)
    assert (saved.reminder_on, saved.reminder_time) == (True, "06:45")
    assert page.reminder_time.isEnabled()
    assert "reminds you" in page.reminder_note.text()


def test_reminds_once_from_the_time_on(qtbot: QtBot, store: Store) -> None:
    model = SettingsModel(store, AppSettings(reminder_on=True, reminder_time="07:30"))
    now = Now(datetime(2026, 3, 10, 7, 0, tzinfo=UTC))
    reminder, notices, _opened = _reminder(qtbot, store, model, now)
    assert notices == []
    assert reminder.timer.isActive()
    assert abs(reminder.timer.remainingTime() - 30 * 60 * 1000) < 5000
    now.moment = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    with qtbot.waitSignal(reminder.reminded, timeout=1000):
        reminder.check()
    assert notices == [REMINDER_TEXT]
    now.moment += timedelta(hours=2)
    reminder.check()
    assert notices == [REMINDER_TEXT]  # once a day
    now.moment += timedelta(days=1)
    reminder.check()
    assert notices == [REMINDER_TEXT, REMINDER_TEXT]


def test_no_reminder_when_off_or_the_check_is_done(qtbot: QtBot, store: Store) -> None:
    model = SettingsModel(store, AppSettings())
    now = Now(datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    reminder, notices, _opened = _reminder(qtbot, store, model, now)
    reminder.check()
    assert notices == [] and not reminder.timer.isActive()
    check = store.start_session("readiness", datetime(2026, 3, 10, 6, 50, tzinfo=UTC))
    store.finish_session(check, duration_s=120.0)
    model.update(reminder_on=True)  # switched on after today's check: nothing today
    assert notices == []
    assert reminder.timer.isActive()
    now.moment = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    reminder.check()
    assert notices == [REMINDER_TEXT]


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_app_has_a_reminder_wired_to_the_morning_check(qtbot: QtBot, store: Store) -> None:
    ui = build_app(store, cue_player=RecordingCuePlayer())
    qtbot.addWidget(ui.window)
    assert ui.reminder is not None
    assert not ui.reminder.enabled
    assert ui.home is not None
    ui.reminder.open_check()  # a click on the notification
    assert ui.window.current_page() is ui.home
    dialog = ui.home.readiness_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reject()
