"""The first-run welcome: three short screens, skippable, shown once.

1. Coping and healing, in plain words. 2. Do you have a heart-rate strap? (connect it, try it
without a strap on the demo strap, or go without one). Nothing is preselected unless the person
answered before: the demo is only ever an explicit choice. 3. The morning check (or, without a
strap, the daily log). Finishing or skipping stores `welcome_done` in the store's settings, so it
never shows again; the strap answer is remembered (`app.ui.services.strap_answer`).
Only the app's start-up (`run_gui` via `maybe_show_welcome`) opens it; windows built by tests
never see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.store import Store
from app.store.records import SettingKey
from app.ui.services.strap_answer import StrapAnswer, load_strap_answer, save_strap_answer

if TYPE_CHECKING:
    from app.ui.pages.home import HomePage

COPING_HEALING_TEXT = (
    "<p><b>Coping</b> is what helps right now: a few minutes of slow breathing can make a "
    "hard moment a little lighter. You see it in a session, before and after.</p>"
    "<p><b>Healing</b> is slower: over weeks your body may settle more easily. Baseline keeps "
    "a gentle 7-day line of your heart-rate variability against your own normal range, so "
    "you can notice that change.</p>"
    "<p>Baseline is a wellness tool, not a medical device. Your data stays on this computer.</p>"
)
STRAP_CHOICES: tuple[tuple[StrapAnswer, str], ...] = (
    (StrapAnswer.STRAP, "Yes, I have a chest strap: connect it"),
    (
        StrapAnswer.DEMO,
        "Not yet: try it without a strap (the demo strap: simulated, not your data)",
    ),
    (StrapAnswer.NONE, "I'll go without a strap (breathing and a daily log)"),
)


def _page(title: str, body: str) -> tuple[QWidget, QVBoxLayout, QLabel]:
    """A screen with a heading and a body text; returns the screen, its layout and the body."""
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(title)
    heading.setProperty("role", "heading")
    layout.addWidget(heading)
    text = QLabel(body)
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.RichText)
    layout.addWidget(text)
    return page, layout, text


class WelcomeDialog(QDialog):
    """Three short screens. After it closes: `choice`, `wants_morning_check`, `skipped`.

    Signals:
        completed(str, bool): the strap choice and whether to start with the morning check
            (or, for "none", with the log); not emitted when skipped.
    """

    completed = Signal(str, bool)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Baseline")
        self._store = store
        self.skipped = False
        layout = QVBoxLayout(self)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)

        first, _, _ = _page("Coping and healing", COPING_HEALING_TEXT)
        self.stack.addWidget(first)

        second, second_layout, _ = _page(
            "Do you have a heart-rate strap?",
            "A chest strap lets Baseline see your heartbeat. Everything also works without "
            "one: guided breathing, and a daily log where you can note values from another "
            "device.",
        )
        self.choice_buttons: dict[StrapAnswer, QRadioButton] = {}
        group = QButtonGroup(self)
        for key, label in STRAP_CHOICES:
            button = QRadioButton(label)
            group.addButton(button)
            second_layout.addWidget(button)
            self.choice_buttons[key] = button
        remembered = load_strap_answer(store)
        if remembered is not None:
            self.choice_buttons[remembered].setChecked(True)
        group.buttonToggled.connect(self._update)
        second_layout.addStretch(1)
        self.stack.addWidget(second)

        third, third_layout, self.morning_text = _page("A small morning habit", "")
        self.start_box = QCheckBox()
        self.start_box.setChecked(True)
        third_layout.addWidget(self.start_box)
        third_layout.addStretch(1)
        self.stack.addWidget(third)

        buttons = QHBoxLayout()
        self.skip_button = QPushButton("Skip")
        self.skip_button.clicked.connect(self.skip)
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next")
        self.next_button.setProperty("role", "primary")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        self.skip_button.setAutoDefault(False)  # Return always means "Next"
        self.back_button.setAutoDefault(False)
        self.next_button.setFocus()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self._update()

    @property
    def answered(self) -> bool:
        return any(button.isChecked() for button in self.choice_buttons.values())

    @property
    def choice(self) -> StrapAnswer:
        for key, button in self.choice_buttons.items():
            if button.isChecked():
                return key
        return StrapAnswer.NONE

    @property
    def wants_morning_check(self) -> bool:
        return self.start_box.isChecked()

    def _update(self, *_: object) -> None:
        index = self.stack.currentIndex()
        last = index == self.stack.count() - 1
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index != 1 or self.answered)
        self.next_button.setText("Let's begin" if last else "Next")
        if index == 2:
            if self.choice is StrapAnswer.NONE:
                self.morning_text.setText(
                    "Each day, if you like, note how you slept, your stress and mood, and any "
                    "moments of ease. After 14 days with a value your own normal range appears."
                )
                self.start_box.setText("Open today's log now")
            else:
                self.morning_text.setText(
                    "Soon after waking, a 2-minute quiet check with the strap gives one value "
                    "for the day. After 14 mornings your own normal range appears."
                )
                self.start_box.setText("Do the morning check now")

    def next(self) -> None:
        if self.stack.currentIndex() == 1 and not self.answered:
            return
        if self.stack.currentIndex() < self.stack.count() - 1:
            self.stack.setCurrentIndex(self.stack.currentIndex() + 1)
            self._update()
            return
        self._store.set_setting(SettingKey.WELCOME_DONE, True)
        save_strap_answer(self._store, self.choice)
        self.completed.emit(self.choice, self.wants_morning_check)
        self.accept()

    def back(self) -> None:
        if self.stack.currentIndex() > 0:
            self.stack.setCurrentIndex(self.stack.currentIndex() - 1)
            self._update()

    def skip(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Skip, Escape or closing the window: the welcome is done, nothing else changes."""
        self.skipped = True
        self._store.set_setting(SettingKey.WELCOME_DONE, True)
        super().reject()


def welcome_needed(store: Store) -> bool:
    return store.get_setting(SettingKey.WELCOME_DONE) is not True


def follow_choice(
    home: HomePage,
    choice: str,
    start: bool,
    show_strap_page: Callable[[], object] | None = None,
) -> None:
    """Act on the welcome's answers: open the morning check, the log, or the strap page."""
    answer = StrapAnswer(choice)
    if start and answer in (StrapAnswer.STRAP, StrapAnswer.DEMO):
        home.open_morning_check(prefer_demo=answer is StrapAnswer.DEMO)
    elif start and answer is StrapAnswer.NONE:
        home.open_log_form()
    elif answer is StrapAnswer.STRAP and show_strap_page is not None:
        show_strap_page()


def maybe_show_welcome(
    parent: QWidget,
    store: Store,
    home: HomePage,
    show_strap_page: Callable[[], object] | None = None,
) -> WelcomeDialog | None:
    """Open the welcome (non-blocking) unless it was finished or skipped before."""
    if not welcome_needed(store):
        return None
    dialog = WelcomeDialog(store, parent)
    dialog.completed.connect(
        lambda choice, start: follow_choice(home, choice, start, show_strap_page)
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
