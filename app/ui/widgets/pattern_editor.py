"""Controls for the breathing pattern and session length, bound to the SettingsModel.

Used on the Breathe page and, as the default pattern, on the Settings page: both edit the same
settings, so what you set before a session is remembered for the next run.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from app.breathing.pattern import MAX_RATE_BPM, MIN_RATE_BPM, RATIO_PRESETS
from app.store.settings import SESSION_MINUTES_CHOICES, AppSettings
from app.ui.services.settings_model import SettingsModel

CUSTOM_RATIO = "Custom"


class _SpaceIsForTheSession(QObject):
    """Numbers never contain a space: let Space reach the start/pause shortcut from a spin box."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Space
        ):
            event.ignore()
            return True
        return super().eventFilter(watched, event)


def _spin(
    minimum: float, maximum: float, step: float, suffix: str, decimals: int = 1
) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return spin


def _length_label(minutes: int) -> str:
    return "Open (no end)" if minutes == 0 else f"{minutes} min"


class PatternEditor(QWidget):
    """Rate, inhale:exhale ratio, holds, ramp and session length."""

    def __init__(self, model: SettingsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._syncing = False

        self.rate_spin = _spin(MIN_RATE_BPM, MAX_RATE_BPM, 0.1, " breaths/min")
        self.rate_spin.setAccessibleName("Breathing rate")
        self.ratio_combo = QComboBox()
        self.ratio_combo.addItems([*RATIO_PRESETS, CUSTOM_RATIO])
        self.ratio_combo.setAccessibleName("Inhale to exhale ratio")
        self.exhale_spin = _spin(0.2, 5.0, 0.1, "", decimals=2)
        self.exhale_spin.setPrefix("1 : ")
        self.exhale_spin.setAccessibleName("Custom ratio, exhale per inhale")
        ratio_row = QHBoxLayout()
        ratio_row.setContentsMargins(0, 0, 0, 0)
        ratio_row.addWidget(self.ratio_combo, 1)
        ratio_row.addWidget(self.exhale_spin, 1)
        self.hold_in_spin = _spin(0.0, 10.0, 0.5, " s")
        self.hold_in_spin.setSpecialValueText("none")
        self.hold_in_spin.setAccessibleName("Hold after inhale")
        self.hold_out_spin = _spin(0.0, 10.0, 0.5, " s")
        self.hold_out_spin.setSpecialValueText("none")
        self.hold_out_spin.setAccessibleName("Hold after exhale")
        self.length_combo = QComboBox()
        for minutes in SESSION_MINUTES_CHOICES:
            self.length_combo.addItem(_length_label(minutes), minutes)
        self.length_combo.setAccessibleName("Session length")
        self.ramp_check = QCheckBox("Gentle start: begin faster and ease down")
        self.ramp_start_spin = _spin(MIN_RATE_BPM, MAX_RATE_BPM, 0.1, " breaths/min")
        self.ramp_start_spin.setAccessibleName("Ramp start rate")
        self.ramp_minutes_spin = _spin(0.5, 10.0, 0.5, " min")
        self.ramp_minutes_spin.setAccessibleName("Ramp length")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setProperty("role", "muted")
        self.error_label.hide()

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Rate", self.rate_spin)
        form.addRow("Inhale : exhale", ratio_row)
        form.addRow("Hold after inhale", self.hold_in_spin)
        form.addRow("Hold after exhale", self.hold_out_spin)
        form.addRow("Length", self.length_combo)
        form.addRow(self.ramp_check)
        form.addRow("Start at", self.ramp_start_spin)
        form.addRow("Ease down over", self.ramp_minutes_spin)
        form.addRow(self.error_label)

        self.rate_spin.valueChanged.connect(lambda v: self._edit(rate_bpm=round(v, 1)))
        self.ratio_combo.currentTextChanged.connect(self._ratio_chosen)
        self.exhale_spin.valueChanged.connect(
            lambda v: self._edit(inhale_ratio=1.0, exhale_ratio=round(v, 2))
        )
        self.hold_in_spin.valueChanged.connect(lambda v: self._edit(hold_after_inhale_s=v))
        self.hold_out_spin.valueChanged.connect(lambda v: self._edit(hold_after_exhale_s=v))
        self.length_combo.currentIndexChanged.connect(
            lambda i: self._edit(session_minutes=int(self.length_combo.itemData(i)))
        )
        self.ramp_check.toggled.connect(lambda on: self._edit(ramp_on=on))
        self.ramp_start_spin.valueChanged.connect(
            lambda v: self._edit(ramp_start_rate_bpm=round(v, 1))
        )
        self.ramp_minutes_spin.valueChanged.connect(lambda v: self._edit(ramp_minutes=v))
        self._space_filter = _SpaceIsForTheSession(self)
        for spin in self.findChildren(QAbstractSpinBox):
            spin.installEventFilter(self._space_filter)
        model.changed.connect(self._sync)
        self._sync(model.settings)

    def _ratio_chosen(self, label: str) -> None:
        if self._syncing:
            return
        if label == CUSTOM_RATIO:
            self.exhale_spin.setVisible(True)
            self._edit(inhale_ratio=1.0, exhale_ratio=round(self.exhale_spin.value(), 2))
            return
        inhale, exhale = RATIO_PRESETS[label]
        self._edit(inhale_ratio=inhale, exhale_ratio=exhale)

    def _edit(self, **changes: Any) -> None:
        if self._syncing:
            return
        try:
            self._model.update(**changes)
        except ValueError as exc:
            self.error_label.setText(f"Not changed: {exc}.")
            self.error_label.show()
            self._sync(self._model.settings)
            return
        self.error_label.hide()

    def _sync(self, settings: AppSettings) -> None:
        """Show `settings` in the controls without sending edits back."""
        self._syncing = True
        try:
            self.rate_spin.setValue(settings.rate_bpm)
            ratio = settings.exhale_ratio / settings.inhale_ratio
            preset = next(
                (label for label, (i, e) in RATIO_PRESETS.items() if abs(e / i - ratio) < 1e-9),
                None,
            )
            custom = preset is None or self.ratio_combo.currentText() == CUSTOM_RATIO
            if preset is not None and self.ratio_combo.currentText() != CUSTOM_RATIO:
                self.ratio_combo.setCurrentText(preset)
            elif preset is None:
                self.ratio_combo.setCurrentText(CUSTOM_RATIO)
            self.exhale_spin.setValue(ratio)
            self.exhale_spin.setVisible(custom)
            self.hold_in_spin.setValue(settings.hold_after_inhale_s)
            self.hold_out_spin.setValue(settings.hold_after_exhale_s)
            index = self.length_combo.findData(settings.session_minutes)
            if index < 0:
                self.length_combo.addItem(
                    _length_label(settings.session_minutes), settings.session_minutes
                )
                index = self.length_combo.count() - 1
            self.length_combo.setCurrentIndex(index)
            self.ramp_check.setChecked(settings.ramp_on)
            self.ramp_start_spin.setValue(settings.ramp_start_rate_bpm)
            self.ramp_minutes_spin.setValue(settings.ramp_minutes)
            self.ramp_start_spin.setEnabled(settings.ramp_on)
            self.ramp_minutes_spin.setEnabled(settings.ramp_on)
        finally:
            self._syncing = False
