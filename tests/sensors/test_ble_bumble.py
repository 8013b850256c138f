"""End to end over the real bleak code: BleStrapSource on the bumble backend, emulated straps.

Central and straps are bumble devices whose controllers share a LocalLink in this process.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.session.recorder import SessionRecorder
from app.store import Store, open_store
from sensors.ble import MSG_NOT_FOUND, BleStrapSource, scan
from sensors.hrs import MalformedMeasurement, encode_measurement, parse_measurement
from sensors.source import ConnectionEvent, EventKind, HeartRateSource, Sample, SourceItem
from tests.stubs import bumble_rig, wait_until

FAST = {
    "scan_window_s": 1.0,
    "backoff_initial_s": 0.05,
    "backoff_max_s": 0.2,
    "choose_window_s": 0.05,
    "connect_timeout_s": 3.0,
    "find_timeout_s": 5.0,
}
STRAP_A = "C4:11:22:33:44:55"
STRAP_B = "D5:66:77:88:99:AA"


@dataclass
class Recorded:
    items: list[SourceItem] = field(default_factory=list)
    session_id: int | None = None

    def events(self, kind: EventKind) -> list[ConnectionEvent]:
        return [i for i in self.items if isinstance(i, ConnectionEvent) and i.kind is kind]

    @property
    def samples(self) -> int:
        return sum(isinstance(i, Sample) for i in self.items)


def well_formed(payloads: list[bytes]) -> int:
    """How many of these packets the source hands on as samples."""
    count = 0
    for payload in payloads:
        try:
            parse_measurement(payload)
        except MalformedMeasurement:
            continue
        count += 1
    return count


async def record(
    store: Store, source: HeartRateSource, recorded: Recorded | None = None
) -> Recorded:
    """What `baseline record` does: a session from the first connection, every item stored.

    Items are added to `recorded` as they come (a test's script can wait on them)."""
    recorded = recorded if recorded is not None else Recorded()
    items = recorded.items
    recorder: SessionRecorder | None = None
    async for item in source:
        items.append(item)
        if isinstance(item, ConnectionEvent):
            if item.kind is EventKind.CONNECTED and recorder is None:
                sid = store.start_session("recording", sensor_address=item.address)
                recorder = SessionRecorder(store, sid, start_s=item.at_s)
            if recorder is not None:
                recorder.on_event(item)
        elif recorder is not None:
            recorder.on_sample(item)
    recorded.session_id = recorder.session_id if recorder else None
    return recorded


async def run_with(
    store: Store,
    source: BleStrapSource,
    script: Callable[[], Awaitable[None]],
    recorded: Recorded | None = None,
) -> Recorded:
    async def drive() -> None:
        try:
            await script()
        finally:
            source.stop()

    driver = asyncio.create_task(drive())
    recorded = await asyncio.wait_for(record(store, source, recorded), 30.0)
    await driver
    return recorded


def expected_rr(payloads: list[bytes]) -> list[float]:
    """RR of every well-formed packet with contact (the recorder's rule)."""
    out: list[float] = []
    for payload in payloads:
        try:
            m = parse_measurement(payload)
        except MalformedMeasurement:
            continue
        if m.bpm > 0 and m.contact is not False:
            out.extend(m.rr_ms)
    return out


@pytest.mark.asyncio
async def test_session_across_a_dropped_link(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        strap = await r.add_strap(STRAP_A)
        source = BleStrapSource(backend=r.backend, **FAST)  # type: ignore[arg-type]
        first_link = [
            bytes.fromhex("0400"),  # start-up: 0 bpm, contact supported but not detected
            bytes.fromhex("0400"),
            bytes.fromhex("0600"),  # contact, still 0 bpm
            encode_measurement(72, contact=True, rr_units=(852,)),
            encode_measurement(71, contact=True, rr_units=(840, 845, 850)),  # several RR
            encode_measurement(311, contact=True, rr_units=(700,), force_uint16=True),
            encode_measurement(75, contact=True, energy_kj=1234, rr_units=(801, 805)),
            encode_measurement(70, contact=True, rr_units=()),  # RR flag without RR
            bytes.fromhex("104854"),  # malformed: odd trailing byte
            bytes.fromhex("01"),  # malformed: 16-bit HR cut short
            encode_measurement(69, contact=True, rr_units=(810, 812)),
        ]
        second_link = [
            bytes.fromhex("0400"),
            encode_measurement(68, contact=True, rr_units=(900, 901)),
            encode_measurement(66, energy_kj=2, rr_units=(905,)),  # no contact support
            encode_measurement(67, contact=True, rr_units=(910,)),
        ]

        recorded = Recorded()

        async def script() -> None:
            await strap.wait_subscribed()
            for payload in first_link:
                await strap.notify(payload)
            first = well_formed(first_link)
            await wait_until(lambda: recorded.samples == first, 10, "the first link's packets")
            await strap.drop_link()
            await strap.wait_subscribed()
            for payload in second_link:
                await strap.notify(payload)
            both = first + well_formed(second_link)
            await wait_until(lambda: recorded.samples == both, 10, "the second link's packets")

        await run_with(store, source, script, recorded)

    assert recorded.session_id is not None
    beats = store.beats(recorded.session_id)
    sent_rr = expected_rr(strap.sent_while_subscribed)
    assert [b.rr_ms for b in beats] == sent_rr
    units = [852, 840, 845, 850, 700, 801, 805, 810, 812, 900, 901, 905, 910]
    assert sent_rr == [u * 1000 / 1024 for u in units]
    assert len(strap.sent_while_subscribed) == len(first_link) + len(second_link)
    # the first beat after the drop carries the gap flag, no other does
    assert [b.gap_before for b in beats] == [i == 9 for i in range(len(units))]
    assert all(a.t_ms <= b.t_ms for a, b in itertools.pairwise(beats))
    readings = store.heart_rate(recorded.session_id)
    # 311 bpm (16-bit) is parsed, its beat kept, but outside 20-250 bpm it is no reading
    assert [r.bpm for r in readings] == [72, 71, 75, 70, 69, 68, 66, 67]
    assert readings[6].contact is None and readings[0].contact is True
    assert [m.kind for m in store.marks(recorded.session_id)] == ["gap_start", "gap_end"]

    connected = recorded.events(EventKind.CONNECTED)
    assert len(connected) == 2
    assert {(c.address, c.battery_pct, c.body_location, c.name) for c in connected} == {
        (STRAP_A, 77, "chest", strap.name)
    }
    assert len(recorded.events(EventKind.DISCONNECTED)) == 1
    assert recorded.events(EventKind.RECONNECTING)[0].attempt == 1
    assert recorded.events(EventKind.CONTACT_LOST) and recorded.events(EventKind.CONTACT_REGAINED)
    assert not recorded.events(EventKind.FAILED)
    assert source.malformed_packets == 2
    store.close()


@pytest.mark.asyncio
async def test_strap_that_never_appears(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        source = BleStrapSource(backend=r.backend, **{**FAST, "find_timeout_s": 0.6})  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        started = loop.time()
        recorded = await asyncio.wait_for(record(store, source), 10.0)
        assert loop.time() - started < 3.0
    failed = recorded.events(EventKind.FAILED)
    assert [f.message for f in failed] == [MSG_NOT_FOUND]
    assert recorded.session_id is None
    assert store.sessions() == []
    store.close()


@pytest.mark.asyncio
async def test_scan_filters_by_service_not_by_name() -> None:
    async with bumble_rig() as r:
        await r.add_strap(STRAP_A, name="Emulated HRM A")
        await r.add_strap(STRAP_B, name="Polar H10 lookalike", advertise_heart_rate=False)
        found = await scan(0.5, r.backend)
    assert [(s.name, s.address) for s in found] == [("Emulated HRM A", STRAP_A)]
    assert isinstance(found[0].rssi, int)


@pytest.mark.asyncio
async def test_prefers_the_last_strap_and_honours_a_fixed_address(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        await r.add_strap(STRAP_A, name="A")
        await r.add_strap(STRAP_B, name="B")
        source = BleStrapSource(backend=r.backend, preferred_address=STRAP_B, **FAST)  # type: ignore[arg-type]

        async def first_connection() -> None:
            await r.straps[1].wait_subscribed()

        recorded = await run_with(store, source, first_connection)
        assert recorded.events(EventKind.CONNECTED)[0].address == STRAP_B

        missing = BleStrapSource(
            backend=r.backend,
            address="C0:00:00:00:00:01",
            **{**FAST, "find_timeout_s": 0.5},  # type: ignore[arg-type]
        )
        recorded = await asyncio.wait_for(record(store, missing), 10.0)
    failed = recorded.events(EventKind.FAILED)
    assert len(failed) == 1 and failed[0].message is not None
    assert "C0:00:00:00:00:01 not found" in failed[0].message
    store.close()


@pytest.mark.asyncio
async def test_heart_rate_without_rr_is_reported(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        strap = await r.add_strap(STRAP_A)
        source = BleStrapSource(backend=r.backend, **FAST)  # type: ignore[arg-type]

        recorded = Recorded()

        async def script() -> None:
            await strap.wait_subscribed()
            for bpm in range(60, 72):
                await strap.notify(encode_measurement(bpm, contact=True))
            await wait_until(lambda: recorded.samples == 12, 10, "the 12 packets")

        await run_with(store, source, script, recorded)
    notes = recorded.events(EventKind.RR_UNAVAILABLE)
    assert len(notes) == 1 and notes[0].message is not None and "HRV" in notes[0].message
    assert recorded.session_id is not None
    assert store.beats(recorded.session_id) == []
    assert [r.bpm for r in store.heart_rate(recorded.session_id)] == list(range(60, 72))
    samples = [i for i in recorded.items if isinstance(i, Sample)]
    assert len(samples) == 12
    store.close()


@pytest.mark.asyncio
async def test_strap_busy_with_another_app(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        await r.add_strap(STRAP_A, refuse_connections=True)
        source = BleStrapSource(backend=r.backend, **{**FAST, "connect_attempts": 2})  # type: ignore[arg-type]
        recorded = await asyncio.wait_for(record(store, source), 15.0)
    failed = recorded.events(EventKind.FAILED)
    assert len(failed) == 1 and failed[0].message is not None
    assert "could not connect" in failed[0].message and "another app" in failed[0].message
    assert recorded.session_id is None
    store.close()


@pytest.mark.asyncio
async def test_stop_while_searching_ends_cleanly() -> None:
    async with bumble_rig() as r:
        source = BleStrapSource(backend=r.backend, **{**FAST, "find_timeout_s": None})  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        loop.call_later(0.3, source.stop)
        started = loop.time()
        items = [item async for item in source]
        assert loop.time() - started < 2.0
    assert next(i.kind for i in items if isinstance(i, ConnectionEvent)) is EventKind.SCANNING
    assert not any(isinstance(i, ConnectionEvent) and i.kind is EventKind.FAILED for i in items)


@pytest.mark.asyncio
async def test_device_without_heart_rate_measurements_fails_clearly(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        await r.add_strap(STRAP_A, name="Odd sensor", serve_heart_rate=False)
        source = BleStrapSource(backend=r.backend, **FAST)  # type: ignore[arg-type]
        recorded = await asyncio.wait_for(record(store, source), 15.0)
    assert [f.message for f in recorded.events(EventKind.FAILED)] == [
        "Odd sensor does not offer heart-rate measurements"
    ]
    store.close()
