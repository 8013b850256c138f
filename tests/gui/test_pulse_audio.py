"""The audio output on Linux: PulseAudio's client library, QtMultimedia only where it could play.

The streams are opened on a private PulseAudio server (skipped where PulseAudio is not
installed); the choice between the two ways is tested with fake devices.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui.services import pulse_audio
from app.ui.services.pulse_audio import NO_LIBRARY, PulseAudioDevice, PulseStreamSpec
from app.ui.services.sound import (
    NO_OUTPUT,
    FirstWorkingDevice,
    pipewire_socket_exists,
)
from tests.gui.pulse_server import needs_pulseaudio, private_pulse_server
from tests.stubs import FakeAudioDevice

ROOT = Path(__file__).resolve().parents[2]
SPEC = PulseStreamSpec(rate_hz=44_100, buffer_frames=11_025, request_frames=882)
CHILD_TIMEOUT_S = 30.0


@needs_pulseaudio
def test_a_stream_takes_a_buffer_then_more_as_it_plays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    with private_pulse_server(tmp_path) as env:
        monkeypatch.setenv("PULSE_SERVER", env["PULSE_SERVER"])
        device = PulseAudioDevice(SPEC)
        assert device.probe() is None
        output = device.open()
        assert not isinstance(output, str), output
        try:
            room = output.free_frames()
            assert 0 < room <= SPEC.buffer_frames
            output.write(b"\0\0" * room)
            assert output.free_frames() < room  # nothing blocks, nothing more fits yet
            qtbot.waitUntil(lambda: output.free_frames() > 0, timeout=5000)  # it plays
            assert not output.failed
        finally:
            output.close()
            device.close()


@needs_pulseaudio
def test_a_stream_on_a_server_that_ended_goes_quiet_without_blocking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    with private_pulse_server(tmp_path) as env:
        monkeypatch.setenv("PULSE_SERVER", env["PULSE_SERVER"])
        device = PulseAudioDevice(SPEC)
        output = device.open()
        assert not isinstance(output, str), output
    # the server is gone
    qtbot.waitUntil(lambda: output.free_frames() == 0 and output.failed, timeout=5000)
    output.write(b"\0\0" * 100)  # ignored
    output.close()
    assert device.probe() == NO_OUTPUT
    device.close()


def test_without_a_server_or_a_library_it_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULSE_SERVER", "unix:/nonexistent/pulse/native")
    assert PulseAudioDevice(SPEC).probe() == NO_OUTPUT  # the sentence QtMultimedia's way says
    assert PulseAudioDevice(SPEC).open() == NO_OUTPUT
    monkeypatch.setattr(pulse_audio, "LIBRARY", "libpulse-not-here.so.0")
    assert PulseAudioDevice(SPEC).probe() == NO_LIBRARY


def test_the_first_working_device_plays() -> None:
    broken, working, spare = FakeAudioDevice(reason="broken"), FakeAudioDevice(), FakeAudioDevice()
    chooser = FirstWorkingDevice((lambda: broken, lambda: working, lambda: spare))
    assert chooser.probe() is None
    assert not isinstance(chooser.open(), str)
    assert working.outputs and not spare.outputs and spare.probes == 0


def test_the_next_device_is_tried_only_where_it_could_play() -> None:
    quiet, fallback = FakeAudioDevice(reason="no server"), FakeAudioDevice()
    chooser = FirstWorkingDevice(
        (lambda: quiet, lambda: fallback), try_next=lambda reason: reason != "no server"
    )
    assert chooser.probe() == "no server"
    assert chooser.open() == "no server"
    assert fallback.probes == 0  # never loaded: it would find no server either
    missing, fallback = FakeAudioDevice(reason="no library"), FakeAudioDevice()
    chooser = FirstWorkingDevice(
        (lambda: missing, lambda: fallback), try_next=lambda reason: reason != "no server"
    )
    assert chooser.probe() is None
    assert not isinstance(chooser.open(), str) and fallback.outputs


def test_a_pipewire_server_is_found_by_its_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PIPEWIRE_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("PIPEWIRE_REMOTE", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert not pipewire_socket_exists()
    (tmp_path / "pipewire-0").touch()
    assert pipewire_socket_exists()
    monkeypatch.setenv("PIPEWIRE_REMOTE", "other")
    assert not pipewire_socket_exists()
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert not pipewire_socket_exists()


@needs_pulseaudio
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux way")
def test_cues_play_without_loading_qtmultimedia(tmp_path: Path) -> None:
    """QtMultimedia (its FFmpeg backend, Qt Quick, QML) stays unloaded while cues play."""
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QEventLoop, QTimer
        from PySide6.QtWidgets import QApplication
        from app.breathing import Cue
        from app.ui.services.sound import CuePlayer

        app = QApplication([])
        player = CuePlayer()
        player.configure(enabled=True, volume=0.5, style="tones")
        print(player.available, player.play_cue(Cue(0.0, "inhale", 0)), player.streaming)
        loop = QEventLoop(); QTimer.singleShot(300, loop.quit); loop.exec()
        print(sorted(m for m in sys.modules if "QtMultimedia" in m or "QtQuick" in m))
        """
    )
    with private_pulse_server(tmp_path) as env:
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True inhale True", "[]"], result.stderr
