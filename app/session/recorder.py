"""Writes what a heart-rate source delivers into a stored session, one packet at a time.

`SessionRecorder` is synchronous and cheap: the caller (the `record` command, the live GUI
session) iterates a `HeartRateSource` and hands each item to `on_sample` / `on_event`. Every
packet is committed at once, so a crash loses at most the packet in flight.

When another process holds the database's write lock (an import's last step, a restore check),
the recorder does not block the caller for long nor fail: after `RECORD_WAIT_MS` the store keeps the
packet's beats, readings and marks in an ordered buffer and writes the buffer, oldest first and
in one transaction, with the next packet (or `flush`). Nothing is dropped or reordered.

What is stored:
- beats: `t_ms` from the session start (see `app.session.beat_timing`), `rr_ms` as sent,
  `gap_before=True` on the first beat after a link drop (or after a shift that means beats
  were lost); an interval outside 200-3000 ms (`app.store.validation`) is kept for its time but
  stored flagged as an artifact, never as a normal beat;
- heart-rate readings (`t_ms`, `bpm`, `contact`) of packets with contact; packets reporting
  0 bpm or no contact are neither readings nor beats (straps send them while settling), and a
  heart rate outside 20-250 bpm is not stored as a reading;
- marks `gap_start` (link lost) and `gap_end` (reconnected) with the strap's address.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import overload

from app.session.beat_timing import BeatClock
from app.store import Store
from app.store.database import RECORD_WAIT_MS, RecordedItem
from app.store.records import BeatRecord, HeartRateRecord, MarkRecord
from app.store.validation import heart_rate_ok, rr_is_beat
from sensors.source import ConnectionEvent, EventKind, Sample

LOST_BEATS_SHIFT_MS = 1000.0
"""A forward shift this large means beats were lost inside the link: mark a gap."""


class BeatsView(Sequence[BeatRecord]):
    """A read-only view of the beats recorded so far (no copy)."""

    def __init__(self, beats: list[BeatRecord]) -> None:
        self._beats = beats

    @overload
    def __getitem__(self, index: int) -> BeatRecord: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[BeatRecord]: ...
    def __getitem__(self, index: int | slice) -> BeatRecord | Sequence[BeatRecord]:
        if isinstance(index, slice):
            return tuple(self._beats[index])
        return self._beats[index]

    def __len__(self) -> int:
        return len(self._beats)

    def __iter__(self) -> Iterator[BeatRecord]:
        return iter(tuple(self._beats))


class SessionRecorder:
    """Stores samples and link events of one session as they arrive.

    Args:
        store: the open database.
        session_id: a session created with `store.start_session`.
        clock: the monotonic clock of the source's `arrival_s` values (`time.monotonic` for
            real straps, `DemoStrap.now_s` for a sped-up demo strap). The session's zero is
            `clock()` at construction unless `start_s` is given.
    """

    def __init__(
        self,
        store: Store,
        session_id: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        start_s: float | None = None,
    ) -> None:
        self._store = store
        self._session_id = session_id
        self._clock = clock
        self._start_s = clock() if start_s is None else start_s
        self._beat_clock = BeatClock(self._start_s)
        self._beats: list[BeatRecord] = []
        self._gap_pending = False
        self._in_gap = False
        self._connected_once = False
        self._last_bpm: int | None = None
        self._gaps = 0

    @property
    def pending_count(self) -> int:
        """Items waiting for the database (0 unless another writer held it too long)."""
        return self._store.pending_count(self._session_id)

    def flush(self, *, wait: bool = False) -> bool:
        """Write buffered items now; `wait` waits the full busy timeout (raising after it).
        True when nothing is left waiting. `Store.finish_session` flushes too."""
        return self._store.flush_recorded(
            self._session_id, wait_ms=None if wait else RECORD_WAIT_MS
        )

    def _store_items(self, items: Sequence[RecordedItem]) -> None:
        self._store.record_items(self._session_id, items)

    @property
    def session_id(self) -> int:
        return self._session_id

    @property
    def start_s(self) -> float:
        return self._start_s

    @property
    def beats(self) -> BeatsView:
        return BeatsView(self._beats)

    @property
    def last_bpm(self) -> int | None:
        return self._last_bpm

    @property
    def gap_count(self) -> int:
        return self._gaps

    def elapsed_s(self) -> float:
        return self._clock() - self._start_s

    def _t_ms(self, at_s: float) -> float:
        return (at_s - self._start_s) * 1000.0

    def on_sample(self, sample: Sample) -> tuple[BeatRecord, ...]:
        """Store one packet; returns the beats it added (empty for no-contact packets)."""
        m = sample.measurement
        if not sample.is_reading:
            self._beat_clock.place((), sample.arrival_s)
            return ()
        t_ms = self._t_ms(sample.arrival_s)
        readings: list[RecordedItem] = []
        if heart_rate_ok(m.bpm):
            readings.append(HeartRateRecord(t_ms, m.bpm, m.contact))
            self._last_bpm = m.bpm
        placed = self._beat_clock.place(m.rr_ms, sample.arrival_s)
        if not placed.t_ms:
            self._store_items(readings)
            return ()
        gap = self._gap_pending or placed.shift_ms > LOST_BEATS_SHIFT_MS
        self._gap_pending = False
        records = tuple(
            BeatRecord(t_ms=t, rr_ms=rr, artifact=not rr_is_beat(rr), gap_before=gap and i == 0)
            for i, (t, rr) in enumerate(zip(placed.t_ms, m.rr_ms, strict=True))
        )
        self._store_items([*readings, *records])
        self._beats.extend(records)
        return records

    def on_event(self, event: ConnectionEvent) -> None:
        """Record link gaps as marks; other events need no storage."""
        if event.kind is EventKind.DISCONNECTED and not self._in_gap:
            self._in_gap = True
            self._gaps += 1
            self._gap_pending = True
            self._beat_clock.reset()
            self._store_items([MarkRecord(self._t_ms(event.at_s), "gap_start", event.message)])
        elif event.kind is EventKind.CONNECTED:
            if self._in_gap:
                self._in_gap = False
                self._store_items([MarkRecord(self._t_ms(event.at_s), "gap_end", event.address)])
            self._connected_once = True
