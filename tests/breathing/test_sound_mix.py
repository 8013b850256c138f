"""The sound mixer: cues close together keep their tails; the background tone never clicks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from app.breathing.sound_mix import (
    COHERENCE_FULL,
    COHERENCE_THIN,
    FOLLOWING_FULL,
    FOLLOWING_THIN,
    TONE_PEAK,
    SoundMixer,
    fullness_from_coherence,
    fullness_from_following,
    to_pcm16,
)
from app.breathing.tones import SAMPLE_RATE_HZ, cue_sounds

FloatArray = npt.NDArray[np.float64]
BLOCK = 882  # 20 ms, as the player tops the stream up


def _render(mixer: SoundMixer, frames: int, block: int = BLOCK) -> FloatArray:
    parts = [mixer.render(min(block, frames - i)) for i in range(0, frames, block)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _placed(sound: FloatArray, start: int, total: int) -> FloatArray:
    out = np.zeros(total)
    out[start : start + sound.size] = sound
    return out


@pytest.mark.parametrize("gap_s", [0.3, 1.0, 2.0, 2.4])
def test_cues_closer_than_their_length_both_play_whole(gap_s: float) -> None:
    sounds = cue_sounds()
    inhale, exhale = sounds["inhale"], sounds["exhale"]
    gap = round(gap_s * SAMPLE_RATE_HZ)
    total = gap + exhale.size + SAMPLE_RATE_HZ // 2
    mixer = SoundMixer()
    mixer.add(inhale)
    head = _render(mixer, gap)
    mixer.add(exhale)
    tail = _render(mixer, total - gap)
    out = np.concatenate([head, tail])
    expected = _placed(inhale, 0, total) + _placed(exhale, gap, total)
    np.testing.assert_allclose(out, expected, atol=1e-12)
    assert mixer.idle and mixer.voices == 0
    # the first cue's tail is in the stream, under the second cue
    if gap < inhale.size:
        overlap = out[gap : inhale.size] - exhale[: inhale.size - gap]
        np.testing.assert_allclose(overlap, inhale[gap:], atol=1e-12)


def test_the_same_cue_again_does_not_restart_the_first() -> None:
    chime = cue_sounds()["chime"]
    mixer = SoundMixer()
    mixer.add(chime)
    mixer.add(chime, delay_frames=SAMPLE_RATE_HZ // 2)
    total = chime.size + SAMPLE_RATE_HZ
    out = _render(mixer, total)
    expected = _placed(chime, 0, total) + _placed(chime, SAMPLE_RATE_HZ // 2, total)
    np.testing.assert_allclose(out, expected, atol=1e-12)


def test_block_size_does_not_change_the_mix() -> None:
    sounds = cue_sounds()
    outs = []
    for block in (1, 441, 882, 10_000):
        mixer = SoundMixer()
        mixer.tone.start()
        mixer.tone.set_fullness(0.7)
        mixer.add(sounds["inhale"], delay_frames=1000)
        mixer.add(sounds["exhale"], delay_frames=30_000)
        outs.append(_render(mixer, 3 * SAMPLE_RATE_HZ, block))
    for out in outs[1:]:
        np.testing.assert_allclose(out, outs[0], atol=1e-9)


def test_stop_fades_out_instead_of_cutting() -> None:
    inhale = cue_sounds()["inhale"]
    mixer = SoundMixer()
    mixer.add(inhale)
    mixer.add(inhale, delay_frames=SAMPLE_RATE_HZ)  # not started yet: dropped
    mixer.tone.start()
    before = _render(mixer, SAMPLE_RATE_HZ // 2)
    mixer.stop(fade_s=0.05)
    after = _render(mixer, SAMPLE_RATE_HZ)
    fade = round(0.05 * SAMPLE_RATE_HZ)
    assert np.max(np.abs(before[-100:])) > 0.1  # it was loud when stopped
    steps = np.abs(np.diff(np.concatenate([before[-1:], after])))
    assert np.max(steps) < 0.05  # no jump (a cut would drop ~0.3 at once)
    assert np.all(after[fade + 1 :] == 0.0)
    assert mixer.idle


def test_volume_scales_and_the_mix_is_clipped() -> None:
    loud = np.full(1000, 0.8)
    mixer = SoundMixer()
    mixer.volume = 0.5
    mixer.add(loud)
    np.testing.assert_allclose(mixer.render(1000), 0.4)
    mixer.volume = 1.0
    mixer.add(loud)
    mixer.add(loud)
    assert np.max(mixer.render(1000)) == 1.0
    pcm = np.frombuffer(to_pcm16(np.array([-2.0, 0.0, 0.5, 2.0])), dtype="<i2")
    assert pcm.tolist() == [-32767, 0, 16384, 32767]


def test_bad_sounds_are_refused() -> None:
    mixer = SoundMixer()
    with pytest.raises(ValueError):
        mixer.add(np.array([0.0, np.nan]))
    with pytest.raises(ValueError):
        mixer.add(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        mixer.add(np.zeros(3), delay_frames=-1)


def _rms(x: FloatArray) -> float:
    return float(np.sqrt(np.mean(x * x)))


def _partials_above_fundamental(x: FloatArray) -> float:
    """Share of the power above 140 Hz (the tone's fundamental is 110 Hz)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    freqs = np.fft.rfftfreq(x.size, 1.0 / SAMPLE_RATE_HZ)
    return float(spectrum[freqs > 140.0].sum() / spectrum.sum())


def test_background_tone_is_fuller_as_the_heart_follows() -> None:
    second = SAMPLE_RATE_HZ
    thin, full = SoundMixer(), SoundMixer()
    for mixer, fullness in ((thin, 0.0), (full, 1.0)):
        mixer.tone.set_fullness(fullness)
        mixer.tone.start()
        _render(mixer, 4 * second)  # past the fade-in and the glide
    thin_s, full_s = _render(thin, second), _render(full, second)
    assert _rms(full_s) > 1.3 * _rms(thin_s) > 0.0
    assert _partials_above_fundamental(full_s) > 0.1
    assert _partials_above_fundamental(thin_s) < 0.01
    assert np.max(np.abs(full_s)) <= TONE_PEAK + 1e-9


def test_background_tone_fades_and_glides_without_steps() -> None:
    mixer = SoundMixer()
    mixer.tone.start()
    first = _render(mixer, SAMPLE_RATE_HZ // 10)
    assert first[0] == 0.0 or abs(first[0]) < 1e-6  # starts from silence
    mixer.tone.set_fullness(1.0)
    rising = _render(mixer, 4 * SAMPLE_RATE_HZ)
    mixer.tone.set_fullness(0.0)
    falling = _render(mixer, SAMPLE_RATE_HZ)
    mixer.tone.stop()
    ending = _render(mixer, 3 * SAMPLE_RATE_HZ)
    out = np.concatenate([first, rising, falling, ending])
    # the largest sample-to-sample step is that of the fullest steady tone: no clicks anywhere
    steady = SoundMixer()
    steady.tone.set_fullness(1.0)
    steady.tone.start()
    _render(steady, 4 * SAMPLE_RATE_HZ)
    limit = np.max(np.abs(np.diff(_render(steady, SAMPLE_RATE_HZ))))
    assert np.max(np.abs(np.diff(out))) <= limit * 1.001
    assert np.all(ending[-SAMPLE_RATE_HZ:] == 0.0)
    assert mixer.idle


def test_fullness_from_coherence() -> None:
    assert fullness_from_coherence(None) == 0.0
    assert fullness_from_coherence(0.0) == 0.0
    assert fullness_from_coherence(COHERENCE_THIN) == 0.0
    assert fullness_from_coherence(COHERENCE_FULL) == 1.0
    assert fullness_from_coherence(10.0) == 1.0
    mid = (COHERENCE_THIN + COHERENCE_FULL) / 2
    assert fullness_from_coherence(mid) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        fullness_from_coherence(11.0)


def test_fullness_from_following() -> None:
    from app.hrv.following import FOLLOWING_THRESHOLD

    assert fullness_from_following(None) == 0.0
    assert fullness_from_following(0.0) == 0.0
    assert fullness_from_following(FOLLOWING_THIN) == 0.0
    assert fullness_from_following(FOLLOWING_FULL) == 1.0
    assert fullness_from_following(1.0) == 1.0
    assert fullness_from_following(FOLLOWING_THRESHOLD) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        fullness_from_following(1.5)
