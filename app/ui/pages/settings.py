"""Settings: theme, sound (cues on/off, volume, style, the background tone) and the default
breathing pattern."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSystemTrayIcon,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.breathing import Cue
from app.breathing.tone_follows import ToneFollows
from app.store.settings import CUE_STYLES, THEMES, AppSettings
from app.ui.pages import names
from app.ui.pages.page import PageBase
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.theme import THEME_LABELS
from app.ui.widgets.pattern_editor import PatternEditor

TONE_FOLLOWS_LABELS = {
    ToneFollows.OFF: "Off",
    ToneFollows.COHERENCE: "Fuller as your heart rhythm becomes smooth (coherence)",
    ToneFollows.FOLLOWING: "Fuller as your heart follows the pacer",
}
CUE_STYLE_LABELS = {
    "tones": "Rising tone in, falling tone out",
    "chime": "A soft chime at each turn",
}


def reminder_note() -> str:
    """How the reminder comes on this desktop."""
    how = (
        "as a notification from Baseline's icon in the system tray"
        if QSystemTrayIcon.isSystemTrayAvailable()
        else "in Baseline's window, which asks for your attention"
    )
    return (
        f"While Baseline is open, it reminds you {how}, unless today's check is done. "
        "Off by default."
    )


class SettingsPage(QWidget, PageBase):
    """Every choice here is saved at once and restored on the next start."""

    TITLE = names.SETTINGS.title
    ICON_NAME = names.SETTINGS.icon_name

    def __init__(
        self, model: SettingsModel, cue_player: CuePlayer, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._cues = cue_player
        self._syncing = False

        heading = QLabel("Settings")
        heading.setProperty("role", "heading")

        self.theme_combo = QComboBox()
        for theme in THEMES:
            self.theme_combo.addItem(THEME_LABELS[theme], theme)
        self.theme_combo.setAccessibleName("Theme")
        look = QGroupBox("Appearance")
        look_form = QFormLayout(look)
        look_form.addRow("Theme", self.theme_combo)

        self.sound_check = QCheckBox("Play sound cues, so you can close your eyes")
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setPageStep(10)
        self.volume_slider.setAccessibleName("Cue volume")
        self.volume_value = QLabel()
        volume_row = QHBoxLayout()
        volume_row.addWidget(self.volume_slider, 1)
        volume_row.addWidget(self.volume_value)
        self.cue_style_combo = QComboBox()
        for style in CUE_STYLES:
            self.cue_style_combo.addItem(CUE_STYLE_LABELS[style], style)
        self.cue_style_combo.setAccessibleName("Cue style")
        self.tone_combo = QComboBox()
        for follows in ToneFollows:
            self.tone_combo.addItem(TONE_FOLLOWS_LABELS[follows], follows.value)
        self.tone_combo.setAccessibleName("Background tone")
        self.tone_combo.setToolTip(
            "A soft, steady tone under the cues during a session with a strap, for practice with "
            "your eyes closed: it grows fuller as your heart follows your breathing."
        )
        self.test_button = QPushButton("Play a cue")
        self.test_button.clicked.connect(self._play_test_cue)
        self.audio_status = QLabel(
            cue_player.unavailable_reason or "Sound cues play on the default audio output."
        )
        self.audio_status.setProperty("role", "muted")
        self.audio_status.setWordWrap(True)
        cue_player.problem.connect(self.audio_status.setText)
        sound = QGroupBox("Sound")
        sound_form = QFormLayout(sound)
        sound_form.addRow(self.sound_check)
        sound_form.addRow("Volume", volume_row)
        sound_form.addRow("Cues", self.cue_style_combo)
        sound_form.addRow("Background tone", self.tone_combo)
        sound_form.addRow("", self.test_button)
        sound_form.addRow(self.audio_status)

        strap = QGroupBox("Heart-rate strap")
        strap_layout = QVBoxLayout(strap)
        self.check_strap_button = QPushButton("Check my strap")
        self.check_strap_button.setEnabled(False)  # enabled where Bluetooth is wired in
        strap_help = QLabel(
            "Not found, no heart rate, or no HRV? The check finds the strap, connects, and "
            "says what to do."
        )
        strap_help.setProperty("role", "muted")
        strap_help.setWordWrap(True)
        strap_layout.addWidget(strap_help)
        strap_layout.addWidget(self.check_strap_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.reminder_check = QCheckBox("Remind me of the morning check every day at")
        self.reminder_time = QTimeEdit()
        self.reminder_time.setDisplayFormat("HH:mm")
        self.reminder_time.setAccessibleName("Reminder time")
        reminder_row = QHBoxLayout()
        reminder_row.addWidget(self.reminder_check)
        reminder_row.addWidget(self.reminder_time)
        reminder_row.addStretch(1)
        self.reminder_note = QLabel(reminder_note())
        self.reminder_note.setProperty("role", "muted")
        self.reminder_note.setWordWrap(True)
        reminder = QGroupBox("Reminder")
        reminder_layout = QVBoxLayout(reminder)
        reminder_layout.addLayout(reminder_row)
        reminder_layout.addWidget(self.reminder_note)

        pattern = QGroupBox("Default breathing pattern")
        pattern_layout = QVBoxLayout(pattern)
        self.pattern_editor = PatternEditor(model)
        pattern_layout.addWidget(self.pattern_editor)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(look)
        left.addWidget(sound)
        left.addWidget(strap)
        left.addWidget(reminder)
        left.addStretch(1)
        columns.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(pattern)
        right.addStretch(1)
        columns.addLayout(right, 1)
        body = QWidget()
        body.setLayout(columns)
        body.setMaximumWidth(self.fontMetrics().averageCharWidth() * 150)  # no sprawling fields
        row = QHBoxLayout()
        row.addWidget(body, 1)
        row.addStretch(0)
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(heading)
        content_layout.addLayout(row, 1)
        scroll = QScrollArea()  # small windows scroll instead of squeezing the forms
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.theme_combo.currentIndexChanged.connect(
            lambda i: self._edit(theme=self.theme_combo.itemData(i))
        )
        self.sound_check.toggled.connect(lambda on: self._edit(sound_on=on))
        self.volume_slider.valueChanged.connect(lambda v: self._edit(volume=v / 100.0))
        self.cue_style_combo.currentIndexChanged.connect(
            lambda i: self._edit(cue_style=self.cue_style_combo.itemData(i))
        )
        self.tone_combo.currentIndexChanged.connect(
            lambda i: self._edit(tone_follows=ToneFollows(self.tone_combo.itemData(i)))
        )
        self.reminder_check.toggled.connect(lambda on: self._edit(reminder_on=on))
        self.reminder_time.timeChanged.connect(
            lambda t: self._edit(reminder_time=t.toString("HH:mm"))
        )
        model.changed.connect(self._sync)
        self._sync(model.settings)

    # -- page protocol -----------------------------------------------------------------------
    def shutdown(self) -> None:
        """Nothing runs here: every choice is saved at once."""

    def _edit(self, **changes: Any) -> None:
        if not self._syncing:
            self._model.update(**changes)

    def _sync(self, settings: AppSettings) -> None:
        self._syncing = True
        try:
            self.theme_combo.setCurrentIndex(self.theme_combo.findData(settings.theme))
            self.sound_check.setChecked(settings.sound_on)
            self.volume_slider.setValue(round(settings.volume * 100))
            self.volume_value.setText(f"{round(settings.volume * 100)} %")
            self.cue_style_combo.setCurrentIndex(self.cue_style_combo.findData(settings.cue_style))
            self.tone_combo.setCurrentIndex(self.tone_combo.findData(settings.tone_follows.value))
            self.volume_slider.setEnabled(settings.sound_on)
            self.cue_style_combo.setEnabled(settings.sound_on)
            self.test_button.setEnabled(settings.sound_on and self._cues.available)
            self.reminder_check.setChecked(settings.reminder_on)
            self.reminder_time.setTime(QTime.fromString(settings.reminder_time, "HH:mm"))
            self.reminder_time.setEnabled(settings.reminder_on)
        finally:
            self._syncing = False

    def _play_test_cue(self) -> None:
        self._cues.play_cue(Cue(t_s=0.0, phase="inhale", breath_index=0))
