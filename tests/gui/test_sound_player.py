"""The cue player over a fake audio device: cues close together keep their tails, one stream at
a time, the stream closes when idle, and QtMultimedia loads only once sound is on."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.breathing import Cue
from app.breathing.sound_mix import ToneFollows
from app.breathing.tones import SAMPLE_RATE_HZ, cue_sounds
from app.store import open_store
from app.store.settings import AppSettings, save_settings
from app.ui.services.session_tone import SessionTone
from app.ui.services.sound import IDLE_CLOSE_S, CuePlayer
from tests.stubs import FakeAudioDevice, FakeAudioOutput

ROOT = Path(__file__).resolve().parents[2]
STEP = SAMPLE_RATE_HZ // 50  # 20 ms: the device plays this much between two top-ups


def _run(player: CuePlayer, output: FakeAudioOutput, seconds: float) -> None:
    """Let the device play for `seconds`, the player topping the stream up every 20 ms."""
    for _ in range(round(seconds * SAMPLE_RATE_HZ / STEP)):
        output.play(STEP)
        player.pump()


def test_cues_closer_than_the_tone_keep_their_tails(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)
    player.configure(enabled=True, volume=1.0, style="tones")
    assert player.play_cue(Cue(0.0, "inhale", 0)) == "inhale"
    output = device.outputs[0]
    _run(player, output, 0.6)
    at = len(output.pcm) // 2  # where the exhale starts in the stream
    assert player.play_cue(Cue(0.6, "exhale", 0)) == "exhale"
    _run(player, output, 3.0)
    assert len(device.outputs) == 1  # one stream for both cues
    sounds = cue_sounds()
    heard = output.samples()
    expected = np.zeros(heard.size)
    expected[: sounds["inhale"].size] += sounds["inhale"]
    expected[at : at + sounds["exhale"].size] += sounds["exhale"]
    np.testing.assert_allclose(heard, expected, atol=2.0 / 32767.0)
    # the inhale's last half second plays under the exhale instead of stopping at 0.6 s
    tail = slice(sounds["inhale"].size - SAMPLE_RATE_HZ // 2, sounds["inhale"].size)
    inhale_only = heard[tail] - expected[tail] + sounds["inhale"][tail]
    assert np.max(np.abs(inhale_only)) > 0.05


def test_the_stream_closes_when_idle_and_reopens_for_the_next_cue(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)
    player.configure(enabled=True, volume=0.6, style="chime")
    player.play_cue(Cue(0.0, "inhale", 0))
    first = device.outputs[0]
    _run(player, first, cue_sounds()["chime"].size / SAMPLE_RATE_HZ + IDLE_CLOSE_S + 0.3)
    assert first.closed and not player.streaming
    # the whole chime was written before the stream closed, then only silence
    written = first.samples()
    assert written.size >= cue_sounds()["chime"].size + IDLE_CLOSE_S * SAMPLE_RATE_HZ
    player.play_cue(Cue(5.0, "exhale", 0))
    assert len(device.outputs) == 2 and player.streaming


def test_sound_off_plays_nothing_and_opens_nothing(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)
    player.configure(enabled=False, volume=0.6, style="tones")
    assert player.play_cue(Cue(0.0, "inhale", 0)) is None
    assert device.probes == 0 and device.outputs == []


def test_no_device_is_reported_once(qtbot: QtBot) -> None:
    device = FakeAudioDevice(reason="No audio output found, so sound cues are off.")
    player = CuePlayer(device)
    with qtbot.waitSignal(player.problem) as blocker:
        player.report_unavailable()
    assert blocker.args == ["No audio output found, so sound cues are off."]
    with qtbot.assertNotEmitted(player.problem):
        player.report_unavailable()
        assert player.play_cue(Cue(0.0, "inhale", 0)) is None
    assert not player.available


def test_session_tone_follows_coherence_and_fades_at_the_end(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)
    player.configure(enabled=False, volume=1.0, style="tones")  # the tone plays without cues
    tone = SessionTone(player, ToneFollows.COHERENCE)
    tone.start()
    output = device.outputs[0]
    tone.update(None)
    _run(player, output, 3.0)
    thin = output.samples()[-SAMPLE_RATE_HZ // 2 :]
    tone.update(8.0)
    _run(player, output, 4.0)
    full = output.samples()[-SAMPLE_RATE_HZ // 2 :]
    assert tone.fullness == 1.0
    assert np.sqrt(np.mean(full**2)) > 1.3 * np.sqrt(np.mean(thin**2)) > 0.01
    tone.stop()
    _run(player, output, 2.0 + IDLE_CLOSE_S + 0.2)
    assert output.closed


def test_session_tone_can_follow_the_pacer_following_instead(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)
    tone = SessionTone(player, ToneFollows.FOLLOWING)
    tone.start()
    tone.update(9.0, following=0.05)  # a high coherence does not count here
    assert tone.fullness == 0.0
    tone.update(1.0, following=0.9)
    assert tone.fullness == 1.0
    _run(player, device.outputs[0], 4.0)
    assert player.mixer.tone.fullness == 1.0


def test_tone_off_opens_no_stream(qtbot: QtBot) -> None:
    device = FakeAudioDevice()
    tone = SessionTone(CuePlayer(device), ToneFollows.OFF)
    tone.start()
    tone.update(9.0)
    tone.stop()
    assert device.probes == 0 and device.outputs == []


# Where sound is played from: libpulse on Linux, QtMultimedia elsewhere and as the fallback.
AUDIO_MODULES = ("PySide6.QtMultimedia", "app.ui.services.pulse_audio")


def _audio_loaded(store_path: Path, settings: AppSettings, then_sound_on: bool) -> str:
    store = open_store(store_path)
    save_settings(store, settings)
    store.close()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        from app.store import open_store
        from app.ui.app import build_app

        app = QApplication([])
        store = open_store(Path({str(store_path)!r}))
        ui = build_app(store, pages=frozenset())
        ui.window.start()
        def loaded():
            return any(name in sys.modules for name in {AUDIO_MODULES!r})
        print("before", loaded())
        if {then_sound_on!r}:
            ui.settings.sound_check.setChecked(True)
            print("after", loaded())
        store.close()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_audio_library_loads_only_once_sound_is_on(tmp_path: Path) -> None:
    off = AppSettings(sound_on=False, tone_follows=ToneFollows.OFF)
    assert _audio_loaded(tmp_path / "a.db", off, then_sound_on=True).split() == [
        "before",
        "False",
        "after",
        "True",
    ]
    on = AppSettings(sound_on=True)
    assert _audio_loaded(tmp_path / "b.db", on, then_sound_on=False).split() == [
        "before",
        "True",
    ]


@pytest.mark.parametrize("follows", list(ToneFollows))
def test_tone_setting_is_saved_and_restored(tmp_path: Path, follows: ToneFollows) -> None:
    from app.store.settings import load_settings, settings_from_dict

    store = open_store(tmp_path / "s.db")
    save_settings(store, AppSettings(tone_follows=follows))
    assert load_settings(store).tone_follows is follows
    store.close()
    assert settings_from_dict({"tone_follows": "nonsense"}).tone_follows is ToneFollows.OFF
    assert AppSettings().tone_follows is ToneFollows.OFF  # off unless chosen
