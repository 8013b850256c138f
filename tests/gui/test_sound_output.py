"""Cue sounds reach an audio device: a private PulseAudio server with a null sink records them.

Skipped where PulseAudio is not installed. Runs the player in a subprocess, because QtMultimedia
connects to the audio server once per process; both ways to play are tested (the app's, libpulse
on Linux, and QtMultimedia's). A stream of silence keeps the sink running, as a device would be
(an idle null sink starts consuming a new stream only after up to 2 s).

The test measures each cue separately: two loud stretches, each exactly as long as the
synthesised tone is loud, the first rising in pitch, the second falling. Every wait is bounded,
so a stuck audio stack fails within seconds instead of hanging the suite.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from app.breathing.tones import SAMPLE_RATE_HZ, glide_tone
from tests.gui.pulse_server import needs_pulseaudio, private_pulse_server, stop

ROOT = Path(__file__).resolve().parents[2]
RATE_HZ = SAMPLE_RATE_HZ
VOLUME = 0.5
LOUD = 0.005  # of full scale: what counts as sound
CUE_GAP_MS = 3000  # between the two play() calls: a 6 breaths/min pace has 5 s phases
PLAYER_TIMEOUT_S = 20.0
STREAM_TIMEOUT_S = 10.0
SINK_RUNS_US = 100_000  # the sink's latency once it runs at the silent stream's pace

pytestmark = needs_pulseaudio


def _dominant_hz(samples: npt.NDArray[np.float64]) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / RATE_HZ)[np.argmax(spectrum)])


def _loud_stretches(signal: npt.NDArray[np.float64]) -> list[npt.NDArray[np.float64]]:
    """Split at silences longer than 20 ms (a sine dips below LOUD only for microseconds)."""
    loud = np.nonzero(np.abs(signal) > LOUD)[0]
    if loud.size == 0:
        return []
    breaks = np.nonzero(np.diff(loud) > RATE_HZ // 50)[0]
    starts = np.r_[loud[0], loud[breaks + 1]]
    ends = np.r_[loud[breaks], loud[-1]]
    return [signal[s : e + 1] for s, e in zip(starts, ends, strict=True)]


def _pitch_track(cue: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    window = RATE_HZ // 10
    chunks = [cue[i : i + window] for i in range(0, len(cue) - window, window)]
    return np.array([_dominant_hz(c) for c in chunks if np.max(np.abs(c)) > 0.05])


def _wait_until_the_sink_runs(env: dict[str, str], player: subprocess.Popen[bytes]) -> None:
    """Wait (bounded) until the null sink plays at a device's pace: an idle one sleeps in 2-s
    blocks, and a new stream is not consumed until the block under way ends."""
    deadline = time.monotonic() + STREAM_TIMEOUT_S
    while True:
        listed = subprocess.run(
            ["pactl", "list", "sinks"],
            env=env,
            capture_output=True,
            text=True,
            timeout=STREAM_TIMEOUT_S,
            check=False,
        )
        latencies = re.findall(r"Latency: (\d+) usec", listed.stdout)
        if "State: RUNNING" in listed.stdout and latencies and int(latencies[0]) < SINK_RUNS_US:
            return
        assert player.poll() is None, "pacat ended"
        assert time.monotonic() < deadline, f"the null sink never ran: {listed.stdout}"
        time.sleep(0.05)


def _record(tmp_path: Path, steps: str, device: str) -> tuple[npt.NDArray[np.float64], list[str]]:
    """Run a player on `device` (an expression of `app.ui.services.sound`'s names) doing `steps`
    (Python lines using `player`, `wait(ms)` and `Cue`) against a private PulseAudio null sink;
    returns the recorded signal and the player's printed lines."""
    recorded = tmp_path / "rec.raw"
    player_err = tmp_path / "player.err"
    recorder: subprocess.Popen[bytes] | None = None
    keep_running: subprocess.Popen[bytes] | None = None
    timed_out = False
    with private_pulse_server(tmp_path) as env:
        try:
            # An idle null sink takes up to 2 s to start consuming a new stream (with either
            # library): a stream of silence keeps it running, as a device would.
            keep_running = subprocess.Popen(
                [
                    "pacat",
                    "--playback",
                    "--format=s16le",
                    "--channels=1",
                    f"--rate={RATE_HZ}",
                    "--latency-msec=20",
                    "/dev/zero",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait_until_the_sink_runs(env, keep_running)
            with recorded.open("wb") as out, player_err.open("w") as err:
                recorder = subprocess.Popen(
                    [
                        "parec",
                        "-d",
                        "null.monitor",
                        "--format=s16le",
                        "--channels=1",
                        f"--rate={RATE_HZ}",
                        "--latency-msec=20",  # a small buffer: little is left unread at exit
                    ],
                    env=env,
                    stdout=out,
                )
                script = textwrap.dedent(
                    f"""
                    from pathlib import Path
                    from PySide6.QtCore import QEventLoop, QTimer
                    from PySide6.QtWidgets import QApplication
                    from app.breathing import Cue
                    from app.ui.services.sound import CuePlayer, QtAudioDevice, default_audio_device

                    app = QApplication([])
                    def wait(ms):
                        loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()
                    player = CuePlayer({device})
                    print("available=" + str(player.available), flush=True)
                    player.configure(enabled=True, volume={VOLUME}, style="tones")
                    wait(500)
                    """
                ) + textwrap.dedent(steps)
                # stderr goes to a file: a stuck Qt audio stack can write gigabytes of warnings.
                try:
                    result = subprocess.run(
                        [sys.executable, "-c", script],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=err,
                        text=True,
                        timeout=PLAYER_TIMEOUT_S,
                        check=False,
                    )
                except subprocess.TimeoutExpired:
                    timed_out = True
                time.sleep(0.2)  # let the recorder read what the sink still holds
                stop(recorder)
        finally:
            for process in (recorder, keep_running):
                if process is not None:
                    stop(process, signal_first=False)
    with player_err.open() as err:
        stderr = err.read(4000)
    assert not timed_out, f"the player did not finish in {PLAYER_TIMEOUT_S} s: {stderr}"
    assert result.returncode == 0, stderr
    assert "Warning" not in stderr and "PulseAudioService" not in stderr
    assert "QSocketNotifier" not in stderr, stderr

    signal = np.fromfile(recorded, dtype="<i2").astype(np.float64) / 32768.0
    return signal, result.stdout.split()


# The app's way (PulseAudio's client library on Linux) and QtMultimedia's (its fallback).
DEVICES = pytest.mark.parametrize(
    "device", ["default_audio_device()", "QtAudioDevice()"], ids=["default", "qt"]
)


@DEVICES
def test_cues_play_rising_then_falling_on_a_real_sink(tmp_path: Path, device: str) -> None:
    signal, printed = _record(
        tmp_path,
        f"""
        print(player.play_cue(Cue(0.0, "inhale", 0)), flush=True)
        wait({CUE_GAP_MS})
        print(player.play_cue(Cue(5.0, "exhale", 0)), flush=True)
        wait(2500)
        """,
        device,
    )
    assert printed == ["available=True", "inhale", "exhale"]
    cues = _loud_stretches(signal)
    assert len(cues) == 2, [len(c) / RATE_HZ for c in cues]
    # Each cue is as long as the synthesised tone is loud at this volume (its soft attack and
    # release start and end below LOUD): nothing cut off, nothing merged.
    reference = VOLUME * glide_tone(220.0, 330.0, 1.4)
    loud_ref = np.nonzero(np.abs(reference) > LOUD)[0]
    expected_s = (loud_ref[-1] - loud_ref[0] + 1) / RATE_HZ
    for cue in cues:
        assert len(cue) / RATE_HZ == pytest.approx(expected_s, abs=0.02)
        assert np.max(np.abs(cue)) == pytest.approx(np.max(np.abs(reference)), rel=0.03)
    rising, falling = (_pitch_track(c) for c in cues)
    for pitch in rising, falling:
        assert len(pitch) >= 10, pitch
    assert rising[0] == pytest.approx(220.0, abs=15.0) and rising[-1] > 1.3 * rising[0], rising
    assert falling[0] == pytest.approx(330.0, abs=15.0), falling
    assert falling[-1] < 0.77 * falling[0], falling
    assert np.all(np.diff(rising) >= -5.0), rising  # rising (within one FFT bin)
    assert np.all(np.diff(falling) <= 5.0), falling  # falling


def _band_power(x: npt.NDArray[np.float64], lo_hz: float, hi_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / RATE_HZ)
    return float(spectrum[(freqs >= lo_hz) & (freqs <= hi_hz)].sum() / spectrum.sum())


@DEVICES
def test_a_cue_half_a_second_after_another_keeps_its_tail_on_a_real_sink(
    tmp_path: Path, device: str
) -> None:
    """Two rising tones 0.5 s apart: the first one plays to its end under the second."""
    signal, printed = _record(
        tmp_path,
        """
        print(player.play_cue(Cue(0.0, "inhale", 0)), flush=True)
        wait(500)
        print(player.play_cue(Cue(0.5, "inhale", 1)), flush=True)
        wait(3000)
        """,
        device,
    )
    assert printed == ["available=True", "inhale", "inhale"]
    cues = _loud_stretches(signal)
    assert len(cues) == 1, [len(c) / RATE_HZ for c in cues]  # they overlap: one sound
    both = cues[0]
    # 0.9-1.15 s after the first onset the first tone glides through 285-310 Hz and the second
    # (0.4-0.65 s into its own glide) through 250-270 Hz: both must be heard there.
    window = both[int(0.9 * RATE_HZ) : int(1.15 * RATE_HZ)]
    assert _band_power(window, 282.0, 320.0) > 0.15, "the first tone was cut"
    assert _band_power(window, 240.0, 275.0) > 0.15, "the second tone is missing"
    reference = VOLUME * glide_tone(220.0, 330.0, 1.4)
    loud_ref = np.nonzero(np.abs(reference) > LOUD)[0]
    tone_s = (loud_ref[-1] - loud_ref[0] + 1) / RATE_HZ
    assert tone_s + 0.3 < len(both) / RATE_HZ < tone_s + 0.8
