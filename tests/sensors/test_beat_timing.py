"""Beat times from RR sums, anchored to arrivals: exact when consistent, bounded when not."""

from __future__ import annotations

import numpy as np
import pytest

from app.session.beat_timing import BeatClock


def strap_packets(
    rr_ms: np.ndarray, *, clock_scale: float = 1.0, latency_s: float = 0.05
) -> list[tuple[list[float], float, list[float]]]:
    """Packets a strap sends once a second: (rr values, arrival_s, true beat times in s).

    `clock_scale` > 1 means the strap's RR are measured by a clock that runs slow (the true
    beat spacing is longer than the RR values say).
    """
    true_times_s = np.cumsum(rr_ms * clock_scale) / 1000.0
    packets = []
    t_packet = 1.0
    i = 0
    while i < len(rr_ms):
        batch = []
        times = []
        while i < len(rr_ms) and true_times_s[i] <= t_packet:
            batch.append(float(rr_ms[i]))
            times.append(float(true_times_s[i]))
            i += 1
        packets.append((batch, t_packet + latency_s, times))
        t_packet += 1.0
    return packets


def place_all(
    packets: list[tuple[list[float], float, list[float]]], clock: BeatClock
) -> tuple[np.ndarray, np.ndarray]:
    placed: list[float] = []
    truth: list[float] = []
    for rr, arrival_s, times in packets:
        placed.extend(clock.place(rr, arrival_s).t_ms)
        truth.extend(times)
    return np.array(placed) / 1000.0, np.array(truth)


def test_consistent_stream_keeps_rr_spacing_exactly() -> None:
    rng = np.random.default_rng(1)
    rr = rng.normal(850, 60, 600)
    placed, truth = place_all(strap_packets(rr), BeatClock(0.0))
    # the first packet is anchored at its arrival (up to a packet late); the first packets
    # whose last beat came just before the arrival pull the timeline back, then the RR sum
    # is followed exactly
    assert np.max(np.abs(placed - truth)) < 1.0
    exact = np.isclose(np.diff(placed), rr[1:] / 1000.0, atol=1e-9)
    assert exact.mean() > 0.98
    assert exact[100:].all()


@pytest.mark.parametrize("clock_scale", [0.99, 1.01])
def test_strap_clock_drift_never_accumulates(clock_scale: float) -> None:
    rng = np.random.default_rng(2)
    rr = rng.normal(900, 50, 4000)  # an hour
    placed, truth = place_all(strap_packets(rr, clock_scale=clock_scale), BeatClock(0.0))
    error_s = np.abs(placed - truth)
    # 1% drift is 36 s over the hour; anchoring keeps every beat within about a packet
    assert error_s.max() < 1.5
    assert error_s[-500:].max() < 1.5
    assert np.all(np.diff(placed) >= 0)


def test_lost_packet_is_bridged_by_a_shift() -> None:
    rr = np.full(120, 800.0)
    packets = strap_packets(rr)
    del packets[40:43]  # three packets lost in the air
    clock = BeatClock(0.0)
    shifts: list[float] = []
    placed: list[float] = []
    truth: list[float] = []
    for rr_batch, arrival_s, times in packets:
        result = clock.place(rr_batch, arrival_s)
        shifts.append(result.shift_ms)
        placed.extend(result.t_ms)
        truth.extend(times)
    assert max(shifts) > 1000  # the lost beats show up as a forward shift
    assert np.max(np.abs(np.array(placed) / 1000 - np.array(truth))) < 1.0


def test_reset_anchors_the_next_packet_at_its_arrival() -> None:
    clock = BeatClock(100.0)
    first = clock.place([800.0, 810.0], 101.0)
    assert first.anchored
    assert first.t_ms == (190.0, 1000.0)
    clock.reset()
    after = clock.place([700.0], 130.0)
    assert after.anchored and after.t_ms == (30_000.0,)


def test_packets_without_rr_still_narrow_the_window() -> None:
    clock = BeatClock(0.0)
    clock.place([1000.0], 1.0)
    for k in range(2, 6):
        assert clock.place([], float(k)).t_ms == ()
    # a beat of 1000 ms after 4 silent packets cannot have ended at 2.0 s
    result = clock.place([1000.0], 6.0)
    assert result.t_ms[0] >= 5000.0 - 300.0
