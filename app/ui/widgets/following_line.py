"""The calm line under the pacer that says whether the heart follows it.

Words only ("Your heart is following the pacer" / "Try to match the pacer"); the numbers behind
them (following 0-1, the breathing rate read from the heart, the pacer's rate) are in its tooltip,
for whoever asks. The line appears with the first read, about a minute into a paced session
(`app.session.following_reads`); until then, and again after a pause or a gap until the next
read, it invites the person to settle in.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.hrv.following import FOLLOWING_THRESHOLD
from app.session.events import FollowingRead

FOLLOWING_TEXT = "Your heart is following the pacer"
NOT_FOLLOWING_TEXT = "Try to match the pacer"
WAITING_TEXT = "Settle in with the pacer; in about a minute this line says how your heart follows."


def following_words(read: FollowingRead | None) -> str:
    """The line's words for the newest read (None: no read yet)."""
    if read is None:
        return WAITING_TEXT
    return FOLLOWING_TEXT if read.is_following else NOT_FOLLOWING_TEXT


def following_details(read: FollowingRead | None) -> str:
    """The numbers behind the words, for the tooltip."""
    if read is None:
        return (
            "Your heart's rhythm over the last minute is compared with the pacer every 5 "
            "seconds, from about a minute in."
        )
    breathing = (
        f"your breathing, read from your heart: about {read.breathing_rate_per_min:.1f}/min"
        if read.breathing_rate_per_min is not None
        else "no clear breathing wave in your heart rate"
    )
    return (
        f"Following {read.following:.2f} (from {FOLLOWING_THRESHOLD:g} up counts as following); "
        f"{breathing}; the pacer: {read.pacer_rate_per_min:g}/min. "
        "Read from your heart's rhythm over the last minute, not from your chest."
    )


class FollowingLine(QLabel):
    """One calm sentence; the numbers in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAccessibleName("Pacer following")
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.read: FollowingRead | None = None
        self.show_read(None)

    def show_read(self, read: FollowingRead | None) -> None:
        """Show the newest read (None: none yet); repaints only when something changed."""
        if read is self.read and self.text():
            return
        self.read = read
        words = following_words(read)
        if self.text() != words:
            self.setText(words)
        details = following_details(read)
        self.setToolTip(details)
        self.setAccessibleDescription(details)
