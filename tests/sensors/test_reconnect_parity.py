"""Reconnects as people meet them, over the real bleak code on bumble: the link dropping again
and again (BlueZ's ~150 s drops, compressed), a strap out of range for a while, a strap held by
another device after a drop. The session keeps going, each gap is marked, and each drop is told
once (one DISCONNECTED event with a plain message; never FAILED once connected)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store import open_store
from sensors.ble import BleStrapSource
from sensors.hrs import encode_measurement
from sensors.source import EventKind
from tests.sensors.test_ble_bumble import FAST, STRAP_A, Recorded, expected_rr, run_with
from tests.stubs import EmulatedStrap, bumble_rig, wait_until

STEP_S = 15.0


async def send_beats(
    strap: EmulatedStrap, recorded: Recorded, first_units: int, count: int = 3
) -> None:
    """Send `count` packets and wait until the source has handed every one on."""
    await strap.wait_subscribed(STEP_S)
    expected = recorded.samples + count
    for i in range(count):
        await strap.notify(encode_measurement(70, contact=True, rr_units=(first_units + i,)))
    await wait_until(lambda: recorded.samples == expected, STEP_S, "the packets to arrive")


def check_session(recorded: Recorded, strap: EmulatedStrap, drops: int, db_path: Path) -> None:
    store = open_store(db_path)
    try:
        assert recorded.session_id is not None
        beats = store.beats(recorded.session_id)
        assert [b.rr_ms for b in beats] == expected_rr(strap.sent_while_subscribed)
        assert sum(b.gap_before for b in beats) == drops
        kinds = [m.kind for m in store.marks(recorded.session_id)]
        assert kinds == ["gap_start", "gap_end"] * drops
    finally:
        store.close()
    disconnected = recorded.events(EventKind.DISCONNECTED)
    assert len(disconnected) == drops  # told once per drop
    assert all(e.message and "reconnecting" in e.message for e in disconnected)
    assert len(recorded.events(EventKind.CONNECTED)) == drops + 1
    assert not recorded.events(EventKind.FAILED)


@pytest.mark.asyncio
async def test_link_drops_again_and_again(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        strap = await r.add_strap(STRAP_A)
        source = BleStrapSource(backend=r.backend, **FAST)  # type: ignore[arg-type]

        recorded = Recorded()

        async def script() -> None:
            for drop in range(4):
                await send_beats(strap, recorded, 800 + 10 * drop)
                await strap.drop_link()
            await send_beats(strap, recorded, 900)

        await run_with(store, source, script, recorded)
    store.close()
    check_session(recorded, strap, 4, db_path)


@pytest.mark.asyncio
async def test_strap_out_of_range_for_a_while(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        strap = await r.add_strap(STRAP_A)
        quick = {**FAST, "scan_window_s": 0.3, "find_timeout_s": 0.5}
        source = BleStrapSource(backend=r.backend, **quick)  # type: ignore[arg-type]

        recorded = Recorded()

        async def script() -> None:
            await send_beats(strap, recorded, 800)
            await strap.drop_link()
            # out of range: it stops being heard for many scan windows (and longer than the
            # time the source waits for a strap before its first connection)
            await wait_until(
                lambda: strap.device.is_advertising, STEP_S, "the strap to advertise again"
            )
            await strap.device.stop_advertising()
            scans_before = sum(1 for i in recorded_items if i == EventKind.RECONNECTING)
            await wait_until(
                lambda: (
                    sum(1 for i in recorded_items if i == EventKind.RECONNECTING)
                    >= scans_before + 3
                ),
                STEP_S,
                "several reconnect attempts while out of range",
            )
            assert strap.connection is None
            await strap.advertise()  # back in range
            await send_beats(strap, recorded, 850)

        recorded_items: list[EventKind] = []
        original_emit = source._emit

        def spy(item: object) -> None:
            kind = getattr(item, "kind", None)
            if isinstance(kind, EventKind):
                recorded_items.append(kind)
            original_emit(item)  # type: ignore[arg-type]

        source._emit = spy  # type: ignore[method-assign]
        await run_with(store, source, script, recorded)
    store.close()
    check_session(recorded, strap, 1, db_path)
    assert len(recorded.events(EventKind.RECONNECTING)) >= 3


@pytest.mark.asyncio
async def test_strap_held_by_another_device_after_a_drop(db_path: Path) -> None:
    store = open_store(db_path)
    async with bumble_rig() as r:
        strap = await r.add_strap(STRAP_A)
        source = BleStrapSource(backend=r.backend, **{**FAST, "connect_attempts": 2})  # type: ignore[arg-type]

        recorded = Recorded()

        async def script() -> None:
            await send_beats(strap, recorded, 800)
            # a phone grabs the strap: it turns our connections away, more often than the
            # attempts allowed before a first connection
            strap.refuse_connections = True
            before = strap.connections
            await strap.drop_link()
            await wait_until(
                lambda: strap.connections >= before + 3, STEP_S, "refused reconnections"
            )
            strap.refuse_connections = False  # the phone lets go
            await send_beats(strap, recorded, 850)

        await run_with(store, source, script, recorded)
    store.close()
    check_session(recorded, strap, 1, db_path)
