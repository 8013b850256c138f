"""The demo strap: packets like a real strap, plausible RR, heart-rate waves peaked at resonance."""

from __future__ import annotations

import asyncio
import math

import numpy as np
import numpy.typing as npt
import pytest

from app.hrv.following import (
    FOLLOWING_THRESHOLD,
    breathing_rate_per_min,
    following_windows,
    median_following,
)
from sensors.simulated import DemoBreathing, DemoBreathingMode, DemoStrap, rsa_amplitude_ms
from sensors.source import ConnectionEvent, EventKind, HeartRateSource, Sample, SourceItem

STEP_S = 120.0
STEP_RATES = (6.5, 6.0, 5.5, 5.0, 4.5)


async def collect(strap: DemoStrap, seconds: float) -> list[SourceItem]:
    """Items until `seconds` of strap time after the first packet."""
    items: list[SourceItem] = []
    first_s: float | None = None
    async for item in strap:
        items.append(item)
        if isinstance(item, Sample):
            first_s = item.arrival_s if first_s is None else first_s
            if item.arrival_s >= first_s + seconds:
                strap.stop()
    return items


def samples_of(items: list[SourceItem]) -> list[Sample]:
    return [i for i in items if isinstance(i, Sample)]


def test_demo_strap_is_a_heart_rate_source() -> None:
    assert isinstance(DemoStrap(seed=1), HeartRateSource)


@pytest.mark.asyncio
async def test_start_up_packets_then_plausible_rr() -> None:
    items = await collect(DemoStrap(12.0, seed=3, speed=math.inf), 300.0)
    kinds = [i.kind for i in items if isinstance(i, ConnectionEvent)]
    assert kinds[:3] == [EventKind.SCANNING, EventKind.CONNECTED, EventKind.CONTACT_LOST]
    assert EventKind.CONTACT_REGAINED in kinds
    samples = samples_of(items)
    assert samples[0].measurement.bpm == 0 and samples[0].measurement.contact is False
    contact = [s for s in samples if s.measurement.contact]
    rr = np.array([r for s in contact for r in s.measurement.rr_ms])
    assert 60_000 / rr.mean() == pytest.approx(67.5, abs=2.5)
    # about one packet a second
    gaps = np.diff([s.arrival_s for s in samples])
    assert np.median(gaps) == pytest.approx(1.0, abs=0.05)
    # RR arrive in batches like a real strap: zero, one or two per packet at ~67 bpm
    counts = {len(s.measurement.rr_ms) for s in contact}
    assert counts <= {0, 1, 2, 3} and 2 in counts and 1 in counts
    # the RR sum keeps pace with the packet clock (no drift between beats and arrivals)
    span_s = contact[-1].arrival_s - contact[0].arrival_s
    assert rr[1:].sum() / 1000 == pytest.approx(span_s, abs=2.0)
    # every RR is a whole number of 1/1024 s, as a strap sends it
    assert np.allclose(rr * 1.024, np.round(rr * 1.024))


def breath_swing_bpm(times_s: np.ndarray, hr_bpm: np.ndarray, rate_bpm: float) -> float:
    """Mean peak-to-trough heart rate per breath."""
    period_s = 60.0 / rate_bpm
    swings = []
    start = times_s[0]
    while start + period_s <= times_s[-1]:
        mask = (times_s >= start) & (times_s < start + period_s)
        if mask.sum() >= 3:
            swings.append(hr_bpm[mask].max() - hr_bpm[mask].min())
        start += period_s
    return float(np.median(swings))


@pytest.mark.asyncio
@pytest.mark.parametrize("resonance", [4.5, 5.5, 6.5])
async def test_heart_rate_waves_peak_at_resonance(resonance: float) -> None:
    def rate(t_s: float) -> float:
        return STEP_RATES[min(int(t_s // STEP_S), len(STEP_RATES) - 1)]

    strap = DemoStrap(rate, resonance_bpm=resonance, seed=11, speed=math.inf, no_contact_packets=0)
    items = await collect(strap, STEP_S * len(STEP_RATES))
    rr_ms = np.array([r for s in samples_of(items) for r in s.measurement.rr_ms])
    times_s = np.cumsum(rr_ms) / 1000.0
    hr_bpm = 60_000.0 / rr_ms
    swings = []
    for k, step_rate in enumerate(STEP_RATES):
        mask = (times_s >= k * STEP_S + 20) & (times_s < (k + 1) * STEP_S)
        swings.append(breath_swing_bpm(times_s[mask], hr_bpm[mask], step_rate))
    assert STEP_RATES[int(np.argmax(swings))] == resonance
    assert max(swings) > 1.2 * sorted(swings)[-2]


def test_rsa_amplitude_curve_is_peaked() -> None:
    peak = rsa_amplitude_ms(5.5, 5.5)
    assert rsa_amplitude_ms(5.0, 5.5) < 0.8 * peak
    assert rsa_amplitude_ms(6.5, 5.5) < 0.4 * peak
    assert rsa_amplitude_ms(12.0, 5.5) < 0.2 * peak


@pytest.mark.asyncio
async def test_follows_a_breathing_rate_change() -> None:
    strap = DemoStrap(lambda t: 6.0 if t < 150 else 12.0, seed=5, speed=math.inf)
    items = await collect(strap, 300.0)
    rr_ms = np.array([r for s in samples_of(items) for r in s.measurement.rr_ms])
    times_s = np.cumsum(rr_ms) / 1000.0
    hr = 60_000.0 / rr_ms

    def dominant_rate_bpm(mask: np.ndarray) -> float:
        grid = np.arange(times_s[mask][0], times_s[mask][-1], 0.25)
        series = np.interp(grid, times_s[mask], hr[mask])
        spectrum = np.abs(np.fft.rfft(series - series.mean()))
        freqs = np.fft.rfftfreq(len(series), 0.25)
        band = (freqs > 0.05) & (freqs < 0.4)
        return float(freqs[band][np.argmax(spectrum[band])] * 60)

    assert dominant_rate_bpm((times_s > 20) & (times_s < 145)) == pytest.approx(6.0, abs=0.6)
    assert dominant_rate_bpm((times_s > 170) & (times_s < 295)) == pytest.approx(12.0, abs=0.8)


@pytest.mark.asyncio
async def test_speed_and_stop() -> None:
    strap = DemoStrap(seed=2, speed=50.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    loop.call_later(0.3, strap.stop)
    items = [item async for item in strap]
    elapsed = loop.time() - started
    assert elapsed < 1.0
    samples = samples_of(items)
    # 0.3 s of wall time at 50x is about 15 s of strap time: ~14 packets
    assert 8 <= len(samples) <= 16
    assert strap.now_s() - samples[0].arrival_s == pytest.approx(len(samples), abs=3)


def item_time_s(item: SourceItem) -> float:
    return item.arrival_s if isinstance(item, Sample) else item.at_s


@pytest.mark.asyncio
async def test_the_clock_waits_at_packets_not_read_yet() -> None:
    """A reader that falls behind (a busy loop) holds the strap's clock back: every packet up to
    a session time is read before the clock shows that time, so none is left behind it."""
    clock_s = [100.0]
    strap = DemoStrap(seed=4, clock=lambda: clock_s[0], speed=10.0)
    items = aiter(strap)
    first = await anext(items)
    assert isinstance(first, ConnectionEvent) and first.kind is EventKind.SCANNING
    clock_s[0] += 30.0  # 300 s of strap time pass while nothing is read
    assert strap.now_s() == pytest.approx(100.3)  # the connection, not read yet
    read: list[SourceItem] = []
    while True:
        before_s = strap.now_s()
        item = await anext(items)
        assert before_s <= item_time_s(item)  # the clock never passed an item not yet read
        if item_time_s(item) > 400.0:
            break
        read.append(item)
    # all the overdue packets came at once, and then the clock runs on
    assert len(samples_of(read)) == 299
    assert strap.now_s() == pytest.approx(400.0)
    strap.stop()
    async for _ in items:
        pass


@pytest.mark.asyncio
async def test_seeded_demo_is_reproducible() -> None:
    a = samples_of(await collect(DemoStrap(seed=9, speed=math.inf), 60.0))
    b = samples_of(await collect(DemoStrap(seed=9, speed=math.inf), 60.0))
    assert [s.measurement for s in a] == [s.measurement for s in b]


async def rr_of(strap: DemoStrap, seconds: float) -> npt.NDArray[np.float64]:
    """The RR (ms) the strap sends over `seconds` of its time."""
    items = await collect(strap, seconds)
    return np.array([r for s in samples_of(items) for r in s.measurement.rr_ms])


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", [1, 2])
async def test_a_demo_person_who_follows_breathes_with_the_pacer(seed: int) -> None:
    rr = await rr_of(DemoStrap(6.0, seed=seed, speed=math.inf), 360.0)
    assert breathing_rate_per_min(rr) == pytest.approx(6.0, abs=0.3)
    following = median_following(rr, 6.0)
    assert following is not None and following >= 0.9
    assert median_following(rr, 12.0) == pytest.approx(0.0, abs=0.05)


@pytest.mark.asyncio
@pytest.mark.parametrize("rate", [4.5, 12.0])
async def test_a_demo_person_at_a_fixed_rate_ignores_the_pacer_rate(rate: float) -> None:
    strap = DemoStrap(6.0, seed=3, speed=math.inf, breathing=DemoBreathing.parse(f"{rate:g}"))
    rr = await rr_of(strap, 360.0)
    assert breathing_rate_per_min(rr) == pytest.approx(rate, abs=0.3)
    at_rate = median_following(rr, rate)
    assert at_rate is not None and at_rate >= 0.6
    at_pacer = median_following(rr, 6.0)
    assert at_pacer is not None and at_pacer < FOLLOWING_THRESHOLD


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_demo_person_who_ignores_the_pacer_follows_no_rate(seed: int) -> None:
    strap = DemoStrap(6.0, seed=seed, speed=math.inf, breathing=DemoBreathing.parse("ignore"))
    rr = await rr_of(strap, 360.0)
    for rate in (4.5, 6.0, 9.0, 12.0, 15.0, 18.0):
        windows = following_windows(rr, rate)
        # random breaths now and then run at one rate for a while, but never for long
        assert np.mean([window.is_following for window in windows]) <= 0.25, rate
        assert float(np.median([window.following for window in windows])) < 0.3, rate


@pytest.mark.asyncio
async def test_a_demo_person_at_a_fixed_rate_does_not_take_the_pacers_breath() -> None:
    """The assessment hands the strap its pacer's breath; a fixed rate sets it aside."""
    strap = DemoStrap(
        6.0,
        seed=4,
        speed=math.inf,
        breath_cycles=lambda t_s: t_s * 6.0 / 60.0,
        breathing=DemoBreathing.parse("15"),
    )
    rr = await rr_of(strap, 240.0)
    assert breathing_rate_per_min(rr) == pytest.approx(15.0, abs=0.3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("follow", DemoBreathing()),
        ("IGNORE", DemoBreathing(DemoBreathingMode.IGNORE)),
        ("12", DemoBreathing(DemoBreathingMode.FIXED, 12.0)),
        (" 4.5 ", DemoBreathing(DemoBreathingMode.FIXED, 4.5)),
        ("3", DemoBreathing(DemoBreathingMode.FIXED, 3.0)),
        ("30", DemoBreathing(DemoBreathingMode.FIXED, 30.0)),
    ],
)
def test_demo_breathing_reads_its_words_and_rates(text: str, expected: DemoBreathing) -> None:
    assert DemoBreathing.parse(text) == expected
    assert DemoBreathing.parse(expected.spec) == expected


@pytest.mark.parametrize("text", ["", "fast", "2.9", "31", "nan", "inf", "-6", "fixed"])
def test_demo_breathing_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="follow, ignore or a rate from 3 to 30"):
        DemoBreathing.parse(text)


def test_demo_breathing_values_are_consistent() -> None:
    with pytest.raises(ValueError):
        DemoBreathing(DemoBreathingMode.FIXED)
    with pytest.raises(ValueError):
        DemoBreathing(DemoBreathingMode.IGNORE, 6.0)
