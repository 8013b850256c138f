"""`baseline record`: a headless recording from a heart-rate strap into the database.

- `--sensor ble` (and `auto`, which is the same: a recording never falls back to made-up data)
  scans for a heart-rate strap, preferring `--address` (only that strap) or the last strap used
  (store setting `last_strap`), and reconnects after drops for as long as the recording runs.
  `--sensor demo` records the demo strap.
- The session starts when the strap connects: every packet is committed as it arrives.
- Ctrl-C, SIGTERM or `--minutes N` (fractions allowed) end it cleanly with status `complete`.
  `--minutes` below 0.5 is refused (exit status 2) before anything starts: sessions shorter than
  `MIN_KEPT_S` (30 s) are not kept. A recording stopped earlier says it was not kept.
- A strap that cannot be found within `FIND_TIMEOUT_S`, or Bluetooth that cannot be used,
  ends the command with exit status 2 and one line saying what to do; nothing is stored then.
- Progress goes to stderr (connection changes and a line a minute); the summary to stdout.
- The session belongs to this process (an OS lock beside the database, see
  `app.store.ownership`) until it ends: other commands and the app leave it alone, and if this
  process is killed, the next one marks it `interrupted` with its beats kept. While another
  process holds the database's write lock, packets wait in order in a buffer (never dropped).
- `BASELINE_DEMO_SPEED=N` runs the demo strap N times faster than real time (for tests and
  demonstrations; `--minutes` then counts the strap's time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from app.commands.common import store_from_args
from app.commands.demo_speed import DEMO_SPEED_ENV as DEMO_SPEED_ENV
from app.commands.demo_speed import demo_speed as demo_speed
from app.commands.errors import CommandError
from app.commands.scan import add_transport_option, ble_backend, positive_number
from app.session.durations import elapsed_clock
from app.session.engine import (
    MIN_KEPT_S,
    SHORT_SESSION_NOTE,
    SessionEngine,
    SessionSpec,
    StartAt,
    single_stage,
)
from app.session.events import (
    ConnectionChanged,
    Failed,
    SamplesArrived,
    SessionEvent,
    StateChanged,
)
from app.session.state import SessionState
from app.store import Store
from app.store.records import SessionKind
from app.store.settings import load_last_strap, save_last_strap
from sensors.simulated import DemoStrap
from sensors.source import ConnectionEvent, EventKind, QueuedSource, Sample

FIND_TIMEOUT_S = 30.0
PROGRESS_EVERY_S = 60.0
KINDS = (SessionKind.RECORDING, SessionKind.READINESS, SessionKind.BREATHING)


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "record",
        parents=list(parents),
        help="record from a heart-rate strap without the desktop app",
        description="Record beats and heart rate from a Bluetooth LE heart-rate strap (or the "
        "demo strap) until --minutes pass or Ctrl-C. Every beat is stored as it arrives; a "
        "dropped link is bridged by reconnecting.",
    )
    parser.add_argument(
        "--sensor",
        choices=("auto", "ble", "demo"),
        default="auto",
        help="auto/ble: a Bluetooth strap; demo: the demo strap",
    )
    parser.add_argument("--address", metavar="ADDR", help="connect to this strap only")
    add_transport_option(parser)
    parser.add_argument(
        "--minutes", metavar="N", help="stop after N minutes (0.5 = 30 s); default: Ctrl-C"
    )
    parser.add_argument(
        "--kind",
        choices=[k.value for k in KINDS],
        default=SessionKind.RECORDING.value,
        help="session kind",
    )
    parser.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class _Recording:
    """Runs a session engine that opens the session when the strap connects; says what happens."""

    def __init__(
        self,
        store: Store,
        source: QueuedSource,
        *,
        kind: SessionKind,
        clock: Callable[[], float],
        duration_s: float | None,
        remember_strap: bool,
        simulated: bool = False,
    ) -> None:
        self.store = store
        self.source = source
        self.duration_s = duration_s
        self.remember_strap = remember_strap
        self.simulated = simulated
        self.engine = SessionEngine(
            store,
            SessionSpec(kind, simulated=simulated),
            source=source,
            clock=clock,
            plan=single_stage(duration_s),
            start_at=StartAt.CONNECTED,
        )
        self.engine.subscribe(self._on_event)
        self._next_progress_s = PROGRESS_EVERY_S

    def _on_event(self, event: SessionEvent) -> None:
        if isinstance(event, ConnectionChanged):
            self._on_connection(event.event)
        elif isinstance(event, SamplesArrived):
            self._on_sample(event.sample)
        elif isinstance(event, StateChanged):
            if event.old is SessionState.CONNECTING and event.new is SessionState.RUNNING:
                self._recording_started()
            elif event.new is SessionState.ENDED:
                self.source.stop()  # the time is up (on the source's clock)
        elif isinstance(event, Failed) and self.engine.session_id is not None:
            _say(event.reason)

    def _recording_started(self) -> None:
        engine = self.engine
        recorder = engine.recorder
        assert recorder is not None and engine.session_id is not None
        if self.remember_strap:
            session = self.store.session(engine.session_id)
            if session is not None and session.sensor_address:
                save_last_strap(self.store, session.sensor_name, session.sensor_address)
        if self.duration_s is not None:
            # also ends a recording whose link is down when the time is up
            asyncio.get_running_loop().call_later(self.duration_s, engine.stop)
        _say(f"recording session {engine.session_id}; press Ctrl-C to stop")

    def _on_connection(self, event: ConnectionEvent) -> None:
        recording = self.engine.session_id is not None
        if event.kind is EventKind.CONNECTED:
            battery = f", battery {event.battery_pct}%" if event.battery_pct is not None else ""
            _say(f"connected to {event.name} ({event.address}){battery}")
        elif event.kind is EventKind.DISCONNECTED:
            _say("link to the strap lost; reconnecting (the recording continues)")
        elif event.kind is EventKind.RECONNECTING:
            if event.attempt in (1, 5) or event.attempt % 20 == 0:
                _say(f"reconnect attempt {event.attempt}")
        elif event.kind is EventKind.CONTACT_LOST and recording:
            _say("no skin contact: moisten the strap's electrodes and check its fit")
        elif event.kind is EventKind.CONTACT_REGAINED:
            _say("skin contact regained")
        elif event.kind is EventKind.RR_UNAVAILABLE and event.message:
            _say(event.message)

    def _on_sample(self, sample: Sample) -> None:
        recorder = self.engine.recorder
        if recorder is None:
            return
        elapsed_s = sample.arrival_s - recorder.start_s
        if elapsed_s >= self._next_progress_s:
            self._next_progress_s += PROGRESS_EVERY_S
            bpm = f", {recorder.last_bpm} bpm" if recorder.last_bpm else ""
            _say(f"{elapsed_clock(elapsed_s)} recorded, {len(recorder.beats)} beats{bpm}")

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self.source.stop)
                installed.append(signum)
        try:
            self.engine.start()
            await self.engine.run()
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    def finish(self) -> int:
        engine = self.engine
        recorder = engine.recorder
        if recorder is None:
            if engine.failure is None:
                raise CommandError("stopped before a strap connected")
            raise CommandError(
                f"{engine.failure} (`baseline doctor` checks the strap step by step)"
            )
        beats = recorder.beats
        last_t_ms = beats[-1].t_ms if beats else 0.0
        if engine.state.is_over and engine.state is not SessionState.FAILED:
            duration_s = engine.duration_s or 0.0
        else:
            duration_s = max(recorder.elapsed_s(), last_t_ms / 1000.0)
            engine.stop(duration_s=duration_s)
        mean_hr = ""
        if beats:
            mean_rr_ms = sum(b.rr_ms for b in beats) / len(beats)
            mean_hr = f", mean heart rate {60_000.0 / mean_rr_ms:.0f} bpm"
        gaps = f", {recorder.gap_count} link gap(s)" if recorder.gap_count else ""
        practice = (
            " (demo strap: simulated, never counted in your baseline)" if self.simulated else ""
        )
        if engine.discarded:
            print(f"not kept: {elapsed_clock(duration_s)} recorded. {SHORT_SESSION_NOTE}")
            return 0
        print(
            f"session {recorder.session_id}: {elapsed_clock(duration_s)} recorded, "
            f"{len(beats)} beats{mean_hr}{gaps}{practice}"
        )
        return 0


async def _record(args: argparse.Namespace, store: Store, duration_s: float | None) -> int:
    if args.sensor == "demo":
        demo = DemoStrap(6.0 if args.kind == SessionKind.BREATHING else 12.0, speed=demo_speed())
        recording = _Recording(
            store,
            demo,
            kind=SessionKind(args.kind),
            clock=demo.now_s,
            duration_s=duration_s,
            remember_strap=False,
            simulated=True,
        )
        await recording.run()
        return recording.finish()
    last = load_last_strap(store)
    async with ble_backend(args.ble_transport) as backend:
        from sensors.ble import BleStrapSource  # loads bleak: only for a real strap

        source = BleStrapSource(
            address=args.address,
            preferred_address=last.address if last is not None else None,
            backend=backend,
            find_timeout_s=FIND_TIMEOUT_S,
        )
        _say(f"searching for a heart-rate strap ({backend.label})")
        recording = _Recording(
            store,
            source,
            kind=SessionKind(args.kind),
            clock=time.monotonic,
            duration_s=duration_s,
            remember_strap=True,
        )
        await recording.run()
        return recording.finish()


def recording_duration_s(minutes: str | None) -> float | None:
    """The length `--minutes` asks for, in seconds (None: until stopped). A length that could
    only make a session too short to keep is refused before anything starts."""
    if minutes is None:
        return None
    duration_s = positive_number("--minutes", minutes) * 60.0
    if duration_s < MIN_KEPT_S:
        raise CommandError(
            f"--minutes must be at least {MIN_KEPT_S / 60.0:g}, not {minutes!r}: "
            f"{SHORT_SESSION_NOTE}"
        )
    return duration_s


def run(args: argparse.Namespace) -> int:
    duration_s = recording_duration_s(args.minutes)
    store = store_from_args(args)
    try:
        return asyncio.run(_record(args, store, duration_s))
    finally:
        store.close()
