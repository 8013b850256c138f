"""Sound with QtMultimedia: the breathing cues and the optional background tone, in one stream.

Every sound goes through one `app.breathing.sound_mix.SoundMixer` and one audio stream (a
`QAudioSink` fed every `PUMP_MS`), so cues overlap instead of cutting each other off, and there is
never more than one stream open (two at once upset PulseAudio with Qt 6.11). The stream opens when
there is something to play and closes after `IDLE_CLOSE_S` of silence. The stream is topped up
from the GUI thread, so the device's buffer (`BUFFER_S`) is what bridges a busy moment there: a
stall longer than that is heard as a gap (seen about once in eight runs of the real-sink test on
a machine with a load average of 8 on 2 cores); it is also how late a cue can sound.

On Linux the stream goes to the PulseAudio (or PipeWire) server through its client library
(`app.ui.services.pulse_audio`: QtMultimedia's Linux backend loads FFmpeg and Qt Quick for it, about
14 MB); QtMultimedia plays it where that library or server is missing, and on Windows and macOS.
Either is loaded only once sound is switched on (`configure(enabled=True)`, a cue, or the
background tone): with sound off neither is. Without an audio device the player stays silent
and reports one plain sentence; Qt's own start-up chatter about missing optional libraries
(PipeWire, VA-API) and an absent PulseAudio server is filtered while the audio system is probed,
so it never reaches the console or fails a test that treats Qt warnings as errors. Any other Qt
message is passed on unchanged.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QTimer,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)

from app.breathing import Cue
from app.breathing.sound_mix import SoundMixer, to_pcm16
from app.breathing.tones import SAMPLE_RATE_HZ, cue_sounds
from app.store.settings import CueStyle

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

PUMP_MS = 20  # how often the stream is topped up
BUFFER_S = 0.25  # the device's buffer: a stall of the GUI thread up to this long is not heard
IDLE_CLOSE_S = 1.0  # the stream closes after this long with nothing to play
NO_OUTPUT = "No audio output found, so sound cues are off."
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


class AudioOutput(Protocol):
    """An open mono 16-bit stream at SAMPLE_RATE_HZ."""

    def free_frames(self) -> int:
        """How many samples can be written now without blocking."""
        ...

    def write(self, pcm: bytes) -> None: ...

    def close(self) -> None: ...


class AudioDevice(Protocol):
    """Where the stream goes: probed once, opened whenever there is something to play."""

    def probe(self) -> str | None:
        """None if sound can play, else one plain sentence saying why not."""
        ...

    def open(self) -> AudioOutput | str:
        """A new stream, or the reason it could not be opened."""
        ...


class _QtOutput:
    def __init__(self, sink: Any, io: Any) -> None:
        self._sink = sink
        self._io = io

    def free_frames(self) -> int:
        return int(self._sink.bytesFree()) // 2

    def write(self, pcm: bytes) -> None:
        self._io.write(pcm)

    def close(self) -> None:
        self._sink.stop()
        self._sink.deleteLater()


class QtAudioDevice:
    """The default audio output through QtMultimedia (imported on the first probe)."""

    def __init__(self) -> None:
        self._format: Any = None
        self._device: Any = None

    def probe(self) -> str | None:
        with quiet_audio_probe():
            from PySide6.QtMultimedia import QAudioFormat, QMediaDevices

            device = QMediaDevices.defaultAudioOutput()
            if device.isNull() or not QMediaDevices.audioOutputs():
                return NO_OUTPUT
            audio_format = QAudioFormat()
            audio_format.setSampleRate(SAMPLE_RATE_HZ)
            audio_format.setChannelCount(1)
            audio_format.setSampleFormat(QAudioFormat.SampleFormat.Int16)
            if not device.isFormatSupported(audio_format):
                return "The audio output cannot play the cue sounds, so sound cues are off."
            self._device, self._format = device, audio_format
        return None

    def open(self) -> AudioOutput | str:
        if self._device is None:
            reason = self.probe()
            if reason is not None:
                return reason
        with quiet_audio_probe():
            from PySide6.QtMultimedia import QAudioSink, QtAudio

            sink = QAudioSink(self._device, self._format)
            sink.setBufferSize(2 * round(BUFFER_S * SAMPLE_RATE_HZ))
            io = sink.start()
            if io is None or sink.error() != QtAudio.Error.NoError:
                sink.deleteLater()
                return "The audio output could not be opened, so sound cues are off."
        return _QtOutput(sink, io)


class FirstWorkingDevice:
    """The first of the devices `makers` make whose probe finds it working, made and probed in
    order on the first probe; the next one is tried only while `try_next(reason)` says it may
    play where the last one could not."""

    def __init__(
        self,
        makers: Sequence[Callable[[], AudioDevice]],
        try_next: Callable[[str], bool] = lambda _r: True,
    ) -> None:
        self._makers = tuple(makers)
        self._try_next = try_next
        self._chosen: AudioDevice | None = None

    def probe(self) -> str | None:
        reason = NO_OUTPUT
        for make in self._makers:
            device = make()
            found = device.probe()
            if found is None:
                self._chosen = device
                return None
            reason = found
            if not self._try_next(reason):
                break
        return reason

    def open(self) -> AudioOutput | str:
        if self._chosen is None:
            reason = self.probe()
            if reason is not None:
                return reason
        assert self._chosen is not None  # a probe that found nothing wrong chose one
        return self._chosen.open()


def pipewire_socket_exists() -> bool:
    """A PipeWire server listens for this user (QtMultimedia can play to it without PulseAudio)."""
    folder = os.environ.get("PIPEWIRE_RUNTIME_DIR") or os.environ.get("XDG_RUNTIME_DIR")
    if not folder:
        return False
    name = os.environ.get("PIPEWIRE_REMOTE") or "pipewire-0"
    return os.path.exists(os.path.join(folder, name))


def default_audio_device() -> AudioDevice:
    """On Linux the PulseAudio (or PipeWire) server through libpulse; QtMultimedia where that
    library is missing or a PipeWire server runs without PulseAudio's protocol, and on every other
    system. Without any audio server QtMultimedia is not even loaded: it would find nothing."""
    if not sys.platform.startswith("linux"):
        return QtAudioDevice()
    return FirstWorkingDevice((_pulse_device, QtAudioDevice), try_next=_qt_might_play)


def _pulse_device() -> AudioDevice:
    from app.ui.services.pulse_audio import PulseAudioDevice, PulseStreamSpec

    spec = PulseStreamSpec(
        rate_hz=SAMPLE_RATE_HZ,
        buffer_frames=round(BUFFER_S * SAMPLE_RATE_HZ),
        request_frames=SAMPLE_RATE_HZ * PUMP_MS // 1000,
    )
    return PulseAudioDevice(spec)


def _qt_might_play(pulse_reason: str) -> bool:
    from app.ui.services.pulse_audio import NO_LIBRARY

    return pulse_reason == NO_LIBRARY or pipewire_socket_exists()


class CuePlayer(QObject):
    """Plays the cue sounds and the background tone.

    Signals:
        problem(str): sound cannot be played; sent at most once per player.
    """

    problem = Signal(str)

    def __init__(self, device: AudioDevice | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self.volume = 0.6
        self.style: CueStyle = "tones"
        self.unavailable_reason: str | None = None
        self.mixer = SoundMixer()
        self._device: AudioDevice = device if device is not None else default_audio_device()
        self._probed = False
        self._sounds: dict[str, npt.NDArray[np.float64]] | None = None  # made at the first cue
        self._output: AudioOutput | None = None
        self._idle_frames = 0
        self._problem_sent = False
        self._pump = QTimer(self)
        self._pump.setTimerType(Qt.TimerType.PreciseTimer)
        self._pump.setInterval(PUMP_MS)
        self._pump.timeout.connect(self.pump)
        self._apply_volume()

    @property
    def available(self) -> bool:
        self._probe()
        return self.unavailable_reason is None

    @property
    def streaming(self) -> bool:
        """An audio stream is open."""
        return self._output is not None

    def _probe(self) -> None:
        if not self._probed:
            self._probed = True
            self.unavailable_reason = self._device.probe()

    def configure(self, *, enabled: bool, volume: float, style: CueStyle) -> None:
        self.enabled = enabled
        self.volume = volume
        self.style = style
        self._apply_volume()
        if enabled:
            self._probe()

    def _apply_volume(self) -> None:
        self.mixer.volume = self.volume

    def _report(self, message: str) -> None:
        self.unavailable_reason = message
        if not self._problem_sent:
            self._problem_sent = True
            self.problem.emit(message)

    def report_unavailable(self) -> None:
        """Send `problem` once if there is no usable audio output."""
        self._probe()
        if self.unavailable_reason is not None and not self._problem_sent:
            self._problem_sent = True
            self.problem.emit(self.unavailable_reason)

    def play_cue(self, cue: Cue) -> str | None:
        """Play the sound for this phase start; returns its name, or None if nothing played.

        The sound is added to whatever still plays (an earlier cue keeps its tail)."""
        if not self.enabled:
            return None
        name = cue_sound_name(cue, self.style)
        if name is None or not self._ensure_stream():
            return None
        if self._sounds is None:
            self._sounds = cue_sounds()
        self.mixer.add(self._sounds[name])
        self.pump()
        return name

    # -- the background tone ---------------------------------------------------------------
    def start_tone(self, fullness: float = 0.0) -> bool:
        """Fade the background tone in (whether or not cues are on); False if it cannot play."""
        self.mixer.tone.set_fullness(fullness)
        if not self._ensure_stream():
            return False
        self.mixer.tone.start()
        self.pump()
        return True

    def set_tone_fullness(self, fullness: float) -> None:
        """Let the background tone glide towards `fullness` (0 thin - 1 full)."""
        self.mixer.tone.set_fullness(fullness)

    def stop_tone(self) -> None:
        """Fade the background tone out."""
        self.mixer.tone.stop()

    def silence(self) -> None:
        """Fade every sound out quickly (not a cut: a cut clicks)."""
        self.mixer.stop()

    # -- the stream ------------------------------------------------------------------------
    def _ensure_stream(self) -> bool:
        if self._output is not None:
            return True
        self._probe()
        if self.unavailable_reason is not None:
            return False
        opened = self._device.open()
        if isinstance(opened, str):
            self._report(opened)
            return False
        self._output = opened
        self._idle_frames = 0
        self._pump.start()
        return True

    def pump(self) -> None:
        """Top the stream up with the next samples of the mix; close it once idle long enough."""
        output = self._output
        if output is None:
            return
        n = output.free_frames()
        silent = self.mixer.idle  # before rendering: these n frames are silence only
        if n > 0:
            output.write(to_pcm16(self.mixer.render(n)))
        if not silent:
            self._idle_frames = 0
            return
        self._idle_frames += n
        if self._idle_frames >= IDLE_CLOSE_S * SAMPLE_RATE_HZ:
            self.close_stream()

    def close_stream(self) -> None:
        self._pump.stop()
        if self._output is not None:
            self._output.close()
            self._output = None
