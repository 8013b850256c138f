"""A live session over the real bleak code on a bumble-emulated strap, with a dropped link."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QWidget

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import open_store
from app.store.records import SettingKey
from app.store.settings import AppSettings, save_settings
from app.ui.app import strap_scanner
from app.ui.charts.live_plots import SpanKind
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from sensors.bumble_backend import bumble_backend
from sensors.hrs import encode_measurement, parse_measurement
from tests.stubs import (
    STRAP_ADDRESS,
    EmulatedStrap,
    FastForwardClock,
    hosted,
    local_pair,
    run_scenario,
    wait_until,
)

FAST = (
    ("scan_window_s", 1.0),
    ("backoff_initial_s", 0.05),
    ("backoff_max_s", 0.2),
    ("choose_window_s", 0.05),
    ("connect_timeout_s", 3.0),
    ("find_timeout_s", 10.0),
)


def packets(n: int, seed: int) -> list[bytes]:
    """Packets with one or two RR values each (a slow sine plus noise), as raw bytes."""
    rng = np.random.default_rng(seed)
    out: list[bytes] = []
    for i in range(n):
        count = 1 + int(rng.random() < 0.3)
        units = tuple(
            round(1024 * (0.9 + 0.06 * math.sin(i / 3.0) + 0.01 * rng.standard_normal()))
            for _ in range(count)
        )
        bpm = round(60_000 / (units[0] * 1000 / 1024))
        out.append(encode_measurement(bpm, contact=True, rr_units=units))
    return out


async def send(
    strap: EmulatedStrap,
    received: Callable[[], int],
    clock: FastForwardClock,
    payloads: list[bytes],
) -> None:
    """Notify each packet when a strap would: the session clock moves on by the packet's beat
    intervals, and the next one goes once the session has counted this one's."""
    for payload in payloads:
        rr_ms = parse_measurement(payload).rr_ms
        clock.advance(sum(rr_ms) / 1000.0)
        expected = received() + len(rr_ms)
        await strap.notify(payload)
        await wait_until(lambda: received() == expected, 10, "the packet's beats")  # noqa: B023


def test_dropped_link_is_bridged_marked_and_recorded(
    qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    store = open_store(db_path)
    settings = AppSettings(session_minutes=0, sound_on=False)
    save_settings(store, settings)
    hosts: list[QWidget] = []
    clock = FastForwardClock()

    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        strap = EmulatedStrap(make_device("strap", STRAP_ADDRESS))
        await strap.start()
        backend = bumble_backend(central)
        page = LiveSessionPage(
            store,
            SettingsModel(store, settings),
            CoreAnalysis(),
            SourceOptions(ble_backend=backend, ble_kwargs=FAST, clock=clock),
            scan=strap_scanner(backend, seconds=0.5),
            initial_source="none",
        )
        host = hosted(page)
        hosts.append(host)
        host.resize(1280, 760)
        host.show()
        try:
            # Choose the strap from a real scan over the emulated radio.
            page.picker.scan_button.setChecked(True)
            await wait_until(lambda: page.picker.scan_list.count() > 0, 15, "the scan list")
            choice = page.picker.choice()
            assert choice.kind == "ble" and choice.address == STRAP_ADDRESS
            assert strap.name in page.picker.scan_list.item(0).text()
            page.start()
            session = page.session
            assert session is not None and session.session_id is not None
            await strap.wait_subscribed(15)
            await wait_until(lambda: session.connection.status == "connected", 10, "connected")
            first = packets(30, seed=1)  # over 30 s of beats: long enough to keep
            await send(strap, lambda: session.beats_received, clock, first)
            await wait_until(lambda: "battery 77%" in page.connection_label.text(), 5)
            assert strap.name in page.connection_label.text()
            assert not page.banner.isVisible()

            # The link drops: a non-blocking banner, the pacer keeps going.
            state_before = page.pacer.state
            await strap.drop_link()
            await wait_until(lambda: page.banner.isVisible(), 10, "the reconnecting banner")
            assert page.banner_label.text().startswith("Reconnecting")
            assert session.running and page.frame_timer.isActive()
            await wait_until(
                lambda: page.pacer.state is not None and page.pacer.state != state_before,
                5,
                "the pacer to keep moving",
            )

            # It comes back by itself; the second half is recorded after a marked gap.
            await strap.wait_subscribed(15)
            await wait_until(lambda: session.connection.status == "connected", 10, "reconnected")
            await wait_until(lambda: not page.banner.isVisible(), 5, "the banner to go")
            second = packets(30, seed=2)
            await send(strap, lambda: session.beats_received, clock, second)
            expected_rr = [
                rr
                for payload in strap.sent_while_subscribed
                for rr in parse_measurement(payload).rr_ms
            ]
            await wait_until(lambda: session.beats_received == len(expected_rr), 10, "beats")

            snap = session.snapshot()
            page.plots.update_from(snap, force=True)
            sid = session.session_id
            beats = store.beats(sid)
            # Every RR sent while subscribed is stored exactly once, in order.
            assert [b.rr_ms for b in beats] == expected_rr
            assert sum(b.gap_before for b in beats) == 1
            gap_index = next(i for i, b in enumerate(beats) if b.gap_before)
            assert gap_index == sum(len(parse_measurement(p).rr_ms) for p in first)
            kinds = [m.kind for m in store.marks(sid)]
            assert kinds.count("gap_start") == 1 and kinds.count("gap_end") == 1
            # The gap is marked on the plots: a shaded span and a break in the lines.
            assert snap.gap_spans
            gap_start, gap_end = snap.gap_spans[0]
            assert gap_start < gap_end
            assert any(span.kind is SpanKind.GAP for span in page.plots.spans())
            _, hr = page.plots.hr_line_data()
            assert int(np.count_nonzero(np.isnan(hr))) == 1
            record = store.session(sid)
            assert record is not None and record.sensor_address == STRAP_ADDRESS

            page.stop(reflect=False)
            await wait_until(lambda: page.summary is not None, 20, "the summary")
            assert page.summary is not None and page.summary.n_beats == len(expected_rr)
            record = store.session(sid)
            assert record is not None and record.status == "complete"
            # The strap is remembered for "my last strap".
            assert store.get_setting(SettingKey.LAST_STRAP)["address"] == STRAP_ADDRESS
            task = page.source_task
            if task is not None:
                await asyncio.wait({task}, timeout=5.0)
                assert task.done()
        finally:
            page.shutdown()
            await strap.close()
            host.close()

    run_scenario(qloop, scenario())
    store.close()


def test_last_strap_auto_connects(qloop: asyncio.AbstractEventLoop, db_path: Path) -> None:
    store = open_store(db_path)
    settings = AppSettings(session_minutes=0, sound_on=False)
    save_settings(store, settings)
    store.set_setting(SettingKey.LAST_STRAP, {"address": STRAP_ADDRESS, "name": "My strap"})
    clock = FastForwardClock()

    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        strap = EmulatedStrap(make_device("strap", STRAP_ADDRESS))
        await strap.start()
        page = LiveSessionPage(
            store,
            SettingsModel(store, settings),
            CoreAnalysis(),
            SourceOptions(ble_backend=bumble_backend(central), ble_kwargs=FAST, clock=clock),
            initial_source="last",
        )
        host = hosted(page)
        host.show()
        try:
            choice = page.picker.choice()
            assert (choice.kind, choice.address) == ("last", STRAP_ADDRESS)
            assert "My strap" in page.picker.last_button.text()
            page.start()  # no scan, no list: it connects to the remembered strap
            session = page.session
            assert session is not None and session.session_id is not None
            await strap.wait_subscribed(15)
            sent = packets(5, seed=3)
            await send(strap, lambda: session.beats_received, clock, sent)
            expected = [rr for p in sent for rr in parse_measurement(p).rr_ms]
            await wait_until(lambda: session.beats_received == len(expected), 10, "beats")
            assert [b.rr_ms for b in store.beats(session.session_id)] == expected
            await wait_until(lambda: strap.name in page.connection_label.text(), 5)
        finally:
            page.shutdown()
            task = page.source_task
            if task is not None:
                await asyncio.wait({task}, timeout=5.0)
            await strap.close()
            host.close()

    run_scenario(qloop, scenario())
    store.close()
