"""Cue sounds reach an audio device: a private PulseAudio server with a null sink records them.

Skipped where PulseAudio is not installed. Runs the player in a subprocess, because QtMultimedia
connects to the audio server once per process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

ROOT = Path(__file__).resolve().parents[2]
RATE_HZ = 44_100

pytestmark = pytest.mark.skipif(
    shutil.which("pulseaudio") is None or shutil.which("parec") is None,
    reason="needs pulseaudio and parec (Debian pulseaudio, pulseaudio-utils)",
)


def _dominant_hz(samples: npt.NDArray[np.float64]) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / RATE_HZ)[np.argmax(spectrum)])


def test_cues_play_rising_then_falling_on_a_real_sink(tmp_path: Path) -> None:
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    env = dict(
        os.environ,
        XDG_RUNTIME_DIR=str(runtime),
        HOME=str(runtime),
        PULSE_SERVER=f"unix:{runtime}/pulse/native",
        QT_QPA_PLATFORM="offscreen",
    )
    server = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--load=module-null-sink sink_name=null",
            "--load=module-native-protocol-unix",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    recorded = tmp_path / "rec.raw"
    recorder: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 10.0
        while not (runtime / "pulse" / "native").exists():
            assert time.monotonic() < deadline, "PulseAudio did not start"
            time.sleep(0.05)
        with recorded.open("wb") as out:
            recorder = subprocess.Popen(
                [
                    "parec",
                    "-d",
                    "null.monitor",
                    "--format=s16le",
                    "--channels=1",
                    f"--rate={RATE_HZ}",
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
                from app.ui.sound import CuePlayer

                app = QApplication([])
                def wait(ms):
                    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()
                player = CuePlayer(Path({str(tmp_path / "sounds")!r}))
                print("available=" + str(player.available))
                player.configure(enabled=True, volume=0.5, style="tones")
                wait(500)
                print(player.play_cue(Cue(0.0, "inhale", 0)))
                wait(2000)
                print(player.play_cue(Cue(5.0, "exhale", 0)))
                wait(2000)
                """
            )
            result = subprocess.run(
                [sys.executable, "-c", script],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            recorder.terminate()
            recorder.wait(timeout=10)
    finally:
        if recorder is not None and recorder.poll() is None:
            recorder.kill()
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["available=True", "inhale", "exhale"]
    assert "Warning" not in result.stderr and "PulseAudioService" not in result.stderr

    # The null sink's monitor may drop idle time, so the gap between the cues varies: expect about
    # 2 x 1.4 s of sound whose pitch first rises (inhale) and then falls (exhale).
    signal = np.fromfile(recorded, dtype="<i2").astype(np.float64) / 32768.0
    loud = np.nonzero(np.abs(signal) > 0.005)[0]
    assert loud.size > 0, "nothing was played"
    sound = signal[loud[0] : loud[-1] + 1]
    assert 2.3 < len(sound) / RATE_HZ < 3.6
    assert np.max(np.abs(sound)) == pytest.approx(0.5 * 0.35, rel=0.15)  # volume x peak
    window = RATE_HZ // 10
    chunks = [sound[i : i + window] for i in range(0, len(sound) - window, window)]
    pitch = np.array([_dominant_hz(c) for c in chunks if np.max(np.abs(c)) > 0.05])
    top = int(np.argmax(pitch))
    assert 5 <= top <= len(pitch) - 5, pitch  # the turn comes between the two cues
    assert pitch[0] < 0.8 * pitch[top]
    assert pitch[-1] < 0.8 * pitch[top]
    assert np.all(np.diff(pitch[: top - 1]) >= -5.0), pitch  # rising (within one FFT bin)
    assert np.all(np.diff(pitch[top + 2 :]) <= 5.0), pitch  # falling
