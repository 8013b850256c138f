"""SessionRecorder: what a source delivers ends up in the store, packet by packet."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from app.session.recorder import SessionRecorder
from app.store import open_store
from sensors.hrs import HeartRateMeasurement, encode_measurement, parse_measurement
from sensors.simulated import DemoStrap
from sensors.source import ConnectionEvent, EventKind, Sample


def sample(payload_hex: str, arrival_s: float) -> Sample:
    return Sample(parse_measurement(bytes.fromhex(payload_hex)), arrival_s)


def test_packets_events_and_gaps(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    rec = SessionRecorder(store, sid, clock=lambda: 10.0)
    assert rec.on_sample(sample("0400", 10.5)) == ()  # 0 bpm, no contact: nothing stored
    assert rec.on_sample(sample("0600", 10.6)) == ()  # contact but 0 bpm: settling
    rec.on_sample(sample("16485403", 11.0))  # 72 bpm, RR 852 units
    rec.on_sample(sample("16b4540156015301", 12.0))
    rec.on_sample(sample("1046", 13.0))  # RR flag, no RR: a reading, no beat
    rec.on_sample(sample("092c01d204", 14.0))  # no contact support, energy, no RR
    rec.on_event(ConnectionEvent(EventKind.DISCONNECTED, 14.5, message="drop"))
    rec.on_event(ConnectionEvent(EventKind.RECONNECTING, 14.6, attempt=1, delay_s=0.1))
    rec.on_event(ConnectionEvent(EventKind.CONNECTED, 16.0, name="X", address="AA"))
    rec.on_sample(sample("1041ae03b803", 17.0))

    beats = store.beats(sid)
    assert [b.rr_ms for b in beats] == [
        852 * 1000 / 1024,
        340 * 1000 / 1024,
        342 * 1000 / 1024,
        339 * 1000 / 1024,
        942 * 1000 / 1024,
        952 * 1000 / 1024,
    ]
    assert [b.gap_before for b in beats] == [False, False, False, False, True, False]
    assert beats[0].t_ms == pytest.approx(1000.0)
    assert beats[-1].t_ms == pytest.approx(7000.0)  # anchored at the arrival after the gap
    assert all(b.t_ms <= a.t_ms for b, a in itertools.pairwise(beats))
    readings = store.heart_rate(sid)
    assert [(r.bpm, r.contact) for r in readings] == [
        (72, True),
        (180, True),
        (70, None),
        (65, None),
    ]  # 300 bpm is outside 20-250 bpm: not a heart-rate reading
    assert [r.t_ms for r in readings] == pytest.approx([1000, 2000, 3000, 7000])
    # Intervals outside 200-3000 ms keep their time but are stored as artifacts, not beats.
    assert [b.artifact for b in beats] == [False, False, False, False, False, False]
    marks = store.marks(sid)
    assert [(m.kind, m.t_ms) for m in marks] == [("gap_start", 4500.0), ("gap_end", 6000.0)]
    assert list(rec.beats) == beats
    assert rec.gap_count == 1
    store.close()


def test_every_packet_is_committed_at_once(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    rec = SessionRecorder(store, sid, clock=lambda: 0.0)
    rec.on_sample(Sample(HeartRateMeasurement(60, True, None, (1000.0,)), 1.0))
    other = open_store(db_path)  # a second connection sees it without any close or flush
    assert [b.rr_ms for b in other.beats(sid)] == [1000.0]
    other.close()
    store.close()


@pytest.mark.asyncio
async def test_demo_strap_into_the_store(db_path: Path) -> None:
    store = open_store(db_path)
    strap = DemoStrap(6.0, seed=4, speed=math.inf)
    sid = store.start_session("breathing")
    rec: SessionRecorder | None = None
    sent_rr: list[float] = []
    async for item in strap:
        if isinstance(item, ConnectionEvent):
            if item.kind is EventKind.CONNECTED:
                rec = SessionRecorder(store, sid, strap.now_s, start_s=item.at_s)
            continue
        assert rec is not None
        if item.measurement.contact:
            sent_rr.extend(item.measurement.rr_ms)
        rec.on_sample(item)
        if rec.elapsed_s() > 180:
            strap.stop()
    beats = store.beats(sid)
    assert [b.rr_ms for b in beats] == sent_rr
    assert len(beats) > 150
    assert all(r.bpm > 0 and r.contact for r in store.heart_rate(sid))
    # beat times follow the RR sum; anchoring corrects by less than a packet in total
    t = [b.t_ms for b in beats]
    assert t[-1] - t[0] == pytest.approx(sum(b.rr_ms for b in beats[1:]), abs=1000.0)
    spacing = [b.t_ms - a.t_ms for a, b in itertools.pairwise(beats)]
    exact = [abs(d - b.rr_ms) < 1e-6 for d, b in zip(spacing, beats[1:], strict=True)]
    assert sum(exact) / len(exact) > 0.97
    store.close()


def test_no_contact_packets_with_rr_are_not_stored(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    rec = SessionRecorder(store, sid, clock=lambda: 0.0)
    loose = parse_measurement(encode_measurement(70, contact=False, rr_units=(800,)))
    assert loose.rr_ms and rec.on_sample(Sample(loose, 1.0)) == ()
    assert store.beats(sid) == [] and store.heart_rate(sid) == []
    store.close()


def test_impossible_intervals_are_stored_as_artifacts(db_path: Path) -> None:
    store = open_store(db_path)
    sid = store.start_session("recording")
    rec = SessionRecorder(store, sid, clock=lambda: 10.0)
    # 75 bpm; RR 154, 819 and 3584 units of 1/1024 s: 150.4, 799.8 and 3500 ms
    payload = encode_measurement(75, contact=True, rr_units=(154, 819, 3584))
    rec.on_sample(Sample(parse_measurement(payload), 15.0))
    beats = store.beats(sid)
    assert [round(b.rr_ms) for b in beats] == [150, 800, 3500]
    assert [b.artifact for b in beats] == [True, False, True]
    store.close()
