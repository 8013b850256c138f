"""The log form upserts one entry per date with inline validation; the welcome flow."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from app.recovery.manual_log import week_start
from app.store import Store
from app.store.daily import log_entry, moments_of_ease, save_day, weekly_checkins
from app.store.records import LogEntry, SettingKey
from app.ui.dialogs.log_form import LogFormDialog
from app.ui.dialogs.welcome import (
    WelcomeDialog,
    maybe_show_welcome,
    welcome_needed,
)
from app.ui.pages.home import HomePage
from app.ui.services.strap_answer import StrapAnswer
from tests.gui_home.conftest import TODAY, HomeWindowFactory


def _open_log_dialog(page: HomePage) -> LogFormDialog | None:
    return page.log_dialog  # read afresh (not narrowed by an earlier assert)


def _form(store: Store, qtbot: QtBot) -> LogFormDialog:
    dialog = LogFormDialog(store, lambda: TODAY)
    qtbot.addWidget(dialog)
    return dialog


def test_log_form_saves_loads_and_replaces_an_entry(store: Store, qtbot: QtBot) -> None:
    form = _form(store, qtbot)
    assert form.day() == TODAY
    form.rmssd_edit.setText("52.5")
    form.resting_hr_edit.setText("61")
    form.sleep_box.setCurrentIndex(form.sleep_box.findData(4))
    form.stress_box.setCurrentIndex(form.stress_box.findData(2))
    form.note_edit.setText("  slept well  ")
    form.moment_edit.setText("warm tea")
    form.add_moment()
    form.moment_edit.setText("sunlight on the balcony")
    form.add_moment()
    form.weekly_boxes[0].setCurrentIndex(form.weekly_boxes[0].findData(4))
    form.weekly_notes[0].setText("steadier on busy days")
    form.weekly_boxes[1].setCurrentIndex(form.weekly_boxes[1].findData(3))
    saved: list[str] = []
    form.saved.connect(saved.append)
    assert form.save()
    assert saved == [TODAY.isoformat()]
    entry = log_entry(store, TODAY.isoformat())
    assert entry == LogEntry(
        TODAY.isoformat(), rmssd_ms=52.5, resting_hr_bpm=61.0, sleep=4, stress=2, note="slept well"
    )
    assert moments_of_ease(store, TODAY.isoformat()) == ("warm tea", "sunlight on the balcony")
    [checkin] = weekly_checkins(store)
    assert checkin.week_start == week_start(TODAY).isoformat()
    assert (checkin.steadier_score, checkin.steadier_note) == (4, "steadier on busy days")
    assert (checkin.recovery_score, checkin.recovery_note) == (3, None)

    # Opening the same date loads everything; editing replaces it (fields cleared are cleared).
    again = _form(store, qtbot)
    assert again.rmssd_edit.text() == "52.5"
    assert again.sleep_box.currentData() == 4
    assert again.moments() == ["warm tea", "sunlight on the balcony"]
    assert again.weekly_boxes[1].currentData() == 3
    again.rmssd_edit.setText("48")
    again.sleep_box.setCurrentIndex(0)  # cleared
    item = again.moments_list.item(0)
    assert item is not None
    item.setText("green tea")  # edited in place
    again.moments_list.setCurrentRow(1)
    again.remove_moment()
    assert again.save()
    entry = log_entry(store, TODAY.isoformat())
    assert entry is not None
    assert (entry.rmssd_ms, entry.sleep, entry.stress) == (48.0, None, 2)
    assert moments_of_ease(store, TODAY.isoformat()) == ("green tea",)
    assert len(store.log_entries()) == 1


def test_log_form_shows_problems_inline_and_stores_nothing(store: Store, qtbot: QtBot) -> None:
    form = _form(store, qtbot)
    form.show()
    form.rmssd_edit.setText("900")
    form.mood_box.setCurrentIndex(form.mood_box.findData(3))
    assert not form.save()
    assert form.error_label.isVisible()
    assert "RMSSD must be between 1 and 500 ms" in form.error_label.text()
    assert store.log_entries() == []
    form.rmssd_edit.setText("forty")
    assert not form.save()
    assert "RMSSD must be a number" in form.error_label.text()
    form.rmssd_edit.setText("")
    form.resting_hr_edit.setText("10")
    assert not form.save()
    assert "resting heart rate must be between 25 and 220 bpm" in form.error_label.text().lower()
    form.resting_hr_edit.setText("")
    form.mood_box.setCurrentIndex(0)
    assert not form.save()
    assert "Nothing to save" in form.error_label.text()
    assert store.log_entries() == []
    # The date cannot pass today.
    assert form.date_edit.maximumDate().toPython() == TODAY


def test_choosing_another_date_loads_that_day(store: Store, qtbot: QtBot) -> None:
    earlier = TODAY - timedelta(days=3)
    save_day(store, LogEntry(earlier.isoformat(), rmssd_ms=44.0, mood=5), ["a kind message"])
    form = _form(store, qtbot)
    assert form.rmssd_edit.text() == ""
    form.date_edit.setDate(form.date_edit.date().addDays(-3))
    assert form.rmssd_edit.text() == "44"
    assert form.mood_box.currentData() == 5
    assert form.moments() == ["a kind message"]
    # Clearing every field of an existing day removes it.
    form.rmssd_edit.setText("")
    form.mood_box.setCurrentIndex(0)
    form.moments_list.clear()
    assert form.save()
    assert log_entry(store, earlier.isoformat()) is None
    assert moments_of_ease(store, earlier.isoformat()) == ()


def test_welcome_skip_is_remembered(store: Store, qtbot: QtBot) -> None:
    assert welcome_needed(store)
    dialog = WelcomeDialog(store)
    qtbot.addWidget(dialog)
    dialog.skip_button.click()
    assert dialog.skipped
    assert store.get_setting(SettingKey.WELCOME_DONE) is True
    assert not welcome_needed(store)


def test_welcome_walkthrough_without_a_strap_opens_the_log(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    window, page = make_home(store)
    assert page.log_dialog is None  # a window built directly never shows the welcome
    dialog = maybe_show_welcome(window, store, page)
    assert dialog is not None
    assert dialog.stack.currentIndex() == 0
    dialog.next_button.click()
    dialog.choice_buttons[StrapAnswer.NONE].setChecked(True)
    dialog.next_button.click()
    assert dialog.stack.currentIndex() == 2
    assert "log" in dialog.start_box.text().lower()
    assert dialog.next_button.text() == "Let's begin"
    dialog.next_button.click()
    assert store.get_setting(SettingKey.WELCOME_DONE) is True
    assert store.get_setting(SettingKey.STRAP_CHOICE) == "none"
    log_dialog = _open_log_dialog(page)
    assert log_dialog is not None and log_dialog.isVisible()
    log_dialog.reject()
    assert maybe_show_welcome(window, store, page) is None  # shown once


def test_welcome_demo_choice_offers_the_morning_check(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    window, page = make_home(store)
    dialog = maybe_show_welcome(window, store, page)
    assert dialog is not None
    dialog.next_button.click()
    assert not dialog.answered and not dialog.next_button.isEnabled()  # nothing is assumed
    dialog.choice_buttons[StrapAnswer.DEMO].setChecked(True)  # "try it without a strap", chosen
    assert dialog.choice == "demo" and dialog.next_button.isEnabled()
    dialog.next_button.click()
    assert "morning check" in dialog.start_box.text().lower()
    dialog.back_button.click()
    assert dialog.stack.currentIndex() == 1
    dialog.next_button.click()
    dialog.next_button.click()
    check = page.readiness_dialog
    assert check is not None and check.isVisible()
    assert check.strap_box.currentData() == "demo"
    check.reject()
