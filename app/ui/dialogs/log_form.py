"""The manual log form: one entry per date, its moments of ease, and the weekly check-in.

Choosing a date that already has an entry loads it; saving replaces it (the same rule as
`baseline log`). On a day with a measured morning check the check counts; a tick box lets the
person count their own RMSSD for that day instead (`app.store.daily.set_day_source`). Values are
checked by `app.recovery.manual_log` and a problem is shown inline, in one plain sentence, with
nothing stored. Clearing every field of an existing day removes it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.recovery.daily_values import morning_check_rmssd_ms
from app.recovery.manual_log import (
    WEEKLY_QUESTIONS,
    LogValueError,
    is_empty,
    validate_log_entry,
    validate_moments,
    validate_weekly_checkin,
    week_start,
)
from app.store import Store
from app.store.daily import (
    day_sources,
    delete_day,
    log_entry,
    moments_of_ease,
    save_day,
    save_weekly_checkin,
    set_day_source,
    weekly_checkins,
)
from app.store.records import DaySource, LogEntry
from app.store.validation import EARLIEST_DATE

SCALE_HINTS = {
    "sleep": ("poor", "good"),
    "stress": ("low", "high"),
    "mood": ("low", "good"),
    "weekly": ("not really", "clearly"),
}
MOMENT_PLACEHOLDER = "e.g. warm tea, sunlight, a kind message"


def _scale_box(kind: str) -> QComboBox:
    low, high = SCALE_HINTS[kind]
    box = QComboBox()
    box.addItem("\u2013", None)
    for value in range(1, 6):
        label = str(value)
        if value == 1:
            label += f" ({low})"
        elif value == 5:
            label += f" ({high})"
        box.addItem(label, value)
    return box


def _set_scale(box: QComboBox, value: int | None) -> None:
    index = box.findData(value) if value is not None else 0
    box.setCurrentIndex(max(index, 0))


def _scale(box: QComboBox) -> int | None:
    data = box.currentData()
    return int(data) if isinstance(data, int) else None


def _number(name: str, field: QLineEdit) -> float | None:
    text = field.text().strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise LogValueError(f"{name} must be a number, not {field.text().strip()!r}") from None


def _text(field: QLineEdit) -> str | None:
    return field.text().strip() or None


class LogFormDialog(QDialog):
    """Add or edit the log of a day. Emits `saved(str)` with the ISO date after a save."""

    saved = Signal(str)

    def __init__(
        self,
        store: Store,
        today: Callable[[], date],
        *,
        day: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log a day")
        self._store = store
        self._today = today
        layout = QVBoxLayout(self)

        form = QFormLayout()
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        now = today()
        self.date_edit.setMaximumDate(QDate(now.year, now.month, now.day))
        self.date_edit.setMinimumDate(
            QDate(EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day)
        )
        form.addRow("Date", self.date_edit)
        self.rmssd_edit = QLineEdit()
        self.rmssd_edit.setPlaceholderText("ms, from another device or app")
        self.rmssd_edit.setToolTip("Your resting HRV in ms (RMSSD), as your watch or app shows it")
        self.rmssd_edit.setAccessibleName("HRV (ms)")
        form.addRow("HRV (ms)", self.rmssd_edit)
        self.count_manual_box = QCheckBox()
        self.count_manual_box.hide()
        form.addRow("", self.count_manual_box)
        self._check_rmssd_ms: float | None = None
        self.resting_hr_edit = QLineEdit()
        self.resting_hr_edit.setPlaceholderText("bpm")
        form.addRow("Resting heart rate", self.resting_hr_edit)
        self.sleep_box = _scale_box("sleep")
        self.stress_box = _scale_box("stress")
        self.mood_box = _scale_box("mood")
        form.addRow("Sleep quality", self.sleep_box)
        form.addRow("Stress", self.stress_box)
        form.addRow("Mood", self.mood_box)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("a short note (optional)")
        form.addRow("Note", self.note_edit)
        layout.addLayout(form)

        ease = QGroupBox("Moments of ease: small things that felt safe today")
        ease_layout = QVBoxLayout(ease)
        self.moments_list = QListWidget()
        self.moments_list.setMaximumHeight(110)
        ease_layout.addWidget(self.moments_list)
        row = QHBoxLayout()
        self.moment_edit = QLineEdit()
        self.moment_edit.setPlaceholderText(MOMENT_PLACEHOLDER)
        self.moment_edit.returnPressed.connect(self.add_moment)
        self.add_moment_button = QPushButton("Add")
        self.add_moment_button.clicked.connect(self.add_moment)
        self.remove_moment_button = QPushButton("Remove")
        self.remove_moment_button.clicked.connect(self.remove_moment)
        row.addWidget(self.moment_edit, 1)
        row.addWidget(self.add_moment_button)
        row.addWidget(self.remove_moment_button)
        ease_layout.addLayout(row)
        layout.addWidget(ease)

        weekly = QGroupBox("This week (optional)")
        weekly_form = QFormLayout(weekly)
        self.weekly_boxes = (_scale_box("weekly"), _scale_box("weekly"))
        self.weekly_notes = (QLineEdit(), QLineEdit())
        for question, box, note in zip(
            WEEKLY_QUESTIONS, self.weekly_boxes, self.weekly_notes, strict=True
        ):
            label = QLabel(question)
            label.setWordWrap(True)
            weekly_form.addRow(label)
            note.setPlaceholderText("a note (optional)")
            pair = QHBoxLayout()
            pair.addWidget(box)
            pair.addWidget(note, 1)
            weekly_form.addRow(pair)
        layout.addWidget(weekly)

        self.error_label = QLabel()
        self.error_label.setObjectName("formProblem")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Problem with the entry")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        start = day or now
        self.date_edit.setDate(QDate(start.year, start.month, start.day))
        self.date_edit.dateChanged.connect(lambda _d: self.load_day(self.day()))
        self.load_day(start)

    # -- reading -----------------------------------------------------------------------------
    def day(self) -> date:
        d = self.date_edit.date()
        return date(d.year(), d.month(), d.day())

    def load_day(self, day: date) -> None:
        """Fill the form with the stored entry of `day` (empty fields when there is none)."""
        entry = log_entry(self._store, day.isoformat()) or LogEntry(day.isoformat())
        self.rmssd_edit.setText("" if entry.rmssd_ms is None else f"{entry.rmssd_ms:g}")
        self._check_rmssd_ms = morning_check_rmssd_ms(self._store, day)
        if self._check_rmssd_ms is None:
            self.count_manual_box.hide()
            self.count_manual_box.setChecked(False)
        else:
            self.count_manual_box.setText(
                f"This day has a morning check ({self._check_rmssd_ms:.0f} ms), which counts; "
                "count my HRV value instead"
            )
            chosen = day_sources(self._store).get(day.isoformat())
            self.count_manual_box.setChecked(chosen is DaySource.MANUAL)
            self.count_manual_box.show()
        self.resting_hr_edit.setText(
            "" if entry.resting_hr_bpm is None else f"{entry.resting_hr_bpm:g}"
        )
        _set_scale(self.sleep_box, entry.sleep)
        _set_scale(self.stress_box, entry.stress)
        _set_scale(self.mood_box, entry.mood)
        self.note_edit.setText(entry.note or "")
        self.moments_list.clear()
        for text in moments_of_ease(self._store, day.isoformat()):
            self._append_moment(text)
        monday = week_start(day).isoformat()
        checkin = next((c for c in weekly_checkins(self._store) if c.week_start == monday), None)
        scores = (
            (None, None) if checkin is None else (checkin.steadier_score, checkin.recovery_score)
        )
        notes = (None, None) if checkin is None else (checkin.steadier_note, checkin.recovery_note)
        for box, note_edit, score, note in zip(
            self.weekly_boxes, self.weekly_notes, scores, notes, strict=True
        ):
            _set_scale(box, score)
            note_edit.setText(note or "")
        self.show_problem(None)

    def _append_moment(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.moments_list.addItem(item)

    def add_moment(self) -> None:
        text = self.moment_edit.text().strip()
        if text:
            self._append_moment(text)
            self.moment_edit.clear()

    def remove_moment(self) -> None:
        row = self.moments_list.currentRow()
        if row >= 0:
            self.moments_list.takeItem(row)

    def moments(self) -> list[str]:
        items = [self.moments_list.item(i) for i in range(self.moments_list.count())]
        texts = [item.text() for item in items if item is not None]
        pending = self.moment_edit.text().strip()
        return [*texts, pending] if pending else texts

    def show_problem(self, text: str | None) -> None:
        self.error_label.setText(text or "")
        self.error_label.setVisible(bool(text))

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        """Validate and store; on a problem show it inline and keep the dialog open."""
        today = self._today()
        iso = self.day().isoformat()
        try:
            entry = validate_log_entry(
                iso,
                today=today,
                rmssd_ms=_number("RMSSD", self.rmssd_edit),
                resting_hr_bpm=_number("resting heart rate", self.resting_hr_edit),
                sleep=_scale(self.sleep_box),
                stress=_scale(self.stress_box),
                mood=_scale(self.mood_box),
                note=_text(self.note_edit),
            )
            moments = validate_moments(self.moments())
            scores = [_scale(b) for b in self.weekly_boxes]
            notes = [_text(n) for n in self.weekly_notes]
            weekly = None
            if any(s is not None for s in scores) or any(n is not None for n in notes):
                weekly = validate_weekly_checkin(
                    iso,
                    today=today,
                    steadier_score=scores[0],
                    steadier_note=notes[0],
                    recovery_score=scores[1],
                    recovery_note=notes[1],
                )
        except LogValueError as exc:
            message = str(exc)
            self.show_problem(message[:1].upper() + message[1:] + ".")
            return False
        existed = log_entry(self._store, iso) is not None or bool(moments_of_ease(self._store, iso))
        if is_empty(entry) and not moments:
            if existed:
                delete_day(self._store, iso)
            elif weekly is None:
                self.show_problem("Nothing to save yet: fill in at least one field.")
                return False
        else:
            save_day(self._store, entry, moments)
            if self._check_rmssd_ms is not None:
                manual = self.count_manual_box.isChecked() and entry.rmssd_ms is not None
                set_day_source(self._store, iso, DaySource.MANUAL if manual else None)
        if weekly is not None:
            save_weekly_checkin(self._store, weekly)
        self.show_problem(None)
        self.saved.emit(iso)
        self.accept()
        return True
