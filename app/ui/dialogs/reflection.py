"""The short reflection after a session: stress before and after (1-5, the scale of the daily log)
and a note. All optional."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.store import Store
from app.store.scales import SCALE_MAX, SCALE_MIN

NOTE_MAX_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Reflection:
    """What the user answered; None where they left a field empty."""

    stress_before: int | None
    stress_after: int | None
    note: str | None


def _stress_spin(name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, SCALE_MAX)  # 0 shows as "not answered"
    spin.setSpecialValueText("not answered")
    spin.setAccessibleName(name)
    return spin


class ReflectionDialog(QDialog):
    """Asks how the session felt. Accepted = save the answers; rejected = skip."""

    def __init__(self, duration_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("How do you feel?")
        self.setModal(True)
        intro = QLabel(
            f"You breathed for {duration_text}. If you like, note how stressed you felt before "
            f"and how you feel now ({SCALE_MIN} = calm, {SCALE_MAX} = very stressed). Every answer "
            "is optional."
        )
        intro.setWordWrap(True)
        self.before_spin = _stress_spin("Stress before")
        self.after_spin = _stress_spin("Stress after")
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("A note for yourself (optional)")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setTabChangesFocus(True)
        form = QFormLayout()
        form.addRow("Stress before", self.before_spin)
        form.addRow("Stress now", self.after_spin)
        form.addRow("Note", self.note_edit)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = self.buttons.addButton("Skip", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 60, self.sizeHint().height())

    def reflection(self) -> Reflection:
        note = self.note_edit.toPlainText().strip()[:NOTE_MAX_CHARS]
        return Reflection(
            stress_before=self.before_spin.value() or None,
            stress_after=self.after_spin.value() or None,
            note=note or None,
        )


def save_reflection(store: Store, session_id: int, dialog: ReflectionDialog, result: int) -> bool:
    """Store the dialog's answers on the session if it was accepted; True when stored."""
    if result != QDialog.DialogCode.Accepted:
        return False
    answers = dialog.reflection()
    store.set_reflection(
        session_id,
        stress_before=answers.stress_before,
        stress_after=answers.stress_after,
        note=answers.note,
    )
    return True
