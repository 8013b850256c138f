"""Sound cues with QtMultimedia: a rising tone in, a falling tone out, or a chime at each turn.

The WAV files are synthesised (app.breathing.tones) into a cache folder on first use. Without an
audio device the player stays silent and reports one plain sentence; Qt's own start-up chatter about
missing optional libraries (PipeWire, VA-API) and an absent PulseAudio server is filtered while the
audio system is probed, so it never reaches the console or fails a test that treats Qt warnings as
errors. Any other Qt message is passed on unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)

from app.breathing import Cue
from app.breathing.tones import CUE_FILES, write_cue_files
from app.store.settings import CueStyle

SOUNDS_VERSION = "v1"  # bump when the synthesised sounds change, so caches are rewritten
_EXPECTED_NOISE = (
    ("qt.multimedia.symbolsresolver", ""),
    ("qt.multimedia.ffmpeg", "Using Qt multimedia with FFmpeg"),
    ("default", "PulseAudioService:"),
)
MessageHandler = Callable[[QtMsgType, QMessageLogContext, str], Any]


@contextmanager
def quiet_audio_probe() -> Iterator[list[str]]:
    """Swallow the known, harmless QtMultimedia start-up messages; pass every other one on.

    Yields the list of swallowed messages (for diagnostics).
    """
    swallowed: list[str] = []
    previous: MessageHandler | None = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        category = context.category or "default"
        for noisy_category, prefix in _EXPECTED_NOISE:
            if category == noisy_category and message.startswith(prefix):
                swallowed.append(message)
                return
        if previous is not None:
            previous(kind, context, message)
        elif kind != QtMsgType.QtDebugMsg:
            import sys

            print(f"{category}: {message}", file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield swallowed
    finally:
        qInstallMessageHandler(previous)


def cue_sound_name(cue: Cue, style: CueStyle) -> str | None:
    """Which sound a cue plays: tones on inhale/exhale starts only, the chime at every turn."""
    if style == "chime":
        return "chime"
    if cue.phase == "inhale":
        return "inhale"
    if cue.phase == "exhale":
        return "exhale"
    return None


class CuePlayer(QObject):
    """Plays the cue sounds.

    Signals:
        problem(str): sound cannot be played; sent at most once per player.
    """

    problem = Signal(str)

    def __init__(self, sound_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self.volume = 0.6
        self.style: CueStyle = "tones"
        self.unavailable_reason: str | None = None
        self._effects: dict[str, Any] = {}
        self._problem_sent = False
        with quiet_audio_probe():
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

            if not QMediaDevices.audioOutputs():
                self.unavailable_reason = "No audio output found, so sound cues are off."
                return
            try:
                paths = self._cue_paths(sound_dir)
            except OSError as exc:
                self.unavailable_reason = f"Could not prepare the cue sounds ({exc.strerror})."
                return
            for name, path in paths.items():
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.statusChanged.connect(self._check_status)
                self._effects[name] = effect
        self._apply_volume()

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None

    @staticmethod
    def _cue_paths(sound_dir: Path) -> dict[str, Path]:
        folder = sound_dir / SOUNDS_VERSION
        paths = {name: folder / file for name, file in CUE_FILES.items()}
        if not all(p.is_file() for p in paths.values()):
            paths = write_cue_files(folder)
        return paths

    def configure(self, *, enabled: bool, volume: float, style: CueStyle) -> None:
        self.enabled = enabled
        self.volume = volume
        self.style = style
        self._apply_volume()

    def _apply_volume(self) -> None:
        for effect in self._effects.values():
            effect.setVolume(self.volume)

    def _check_status(self) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        for effect in self._effects.values():
            if effect.status() == QSoundEffect.Status.Error:
                self._report("A cue sound could not be loaded, so sound cues are off.")
                self._effects.clear()
                return

    def _report(self, message: str) -> None:
        self.unavailable_reason = message
        if not self._problem_sent:
            self._problem_sent = True
            self.problem.emit(message)

    def report_unavailable(self) -> None:
        """Send `problem` once if there is no usable audio output."""
        if self.unavailable_reason is not None and not self._problem_sent:
            self._problem_sent = True
            self.problem.emit(self.unavailable_reason)

    def play_cue(self, cue: Cue) -> str | None:
        """Play the sound for this phase start; returns its name, or None if nothing played."""
        if not self.enabled:
            return None
        name = cue_sound_name(cue, self.style)
        if name is None:
            return None
        effect = self._effects.get(name)
        if effect is None:
            return None
        # One cue at a time: with Qt 6.11 on PulseAudio, starting a second QSoundEffect while
        # another one's stream is still open (it stays open ~0.9 s past the sound's end) can
        # leave the event loop spinning on an invalid socket notifier, flooding stderr.
        for other in self._effects.values():
            if other is not effect and other.isPlaying():
                other.stop()
        effect.play()
        return name
