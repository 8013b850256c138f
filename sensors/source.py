"""The one interface every heart-rate source implements, and the values it yields.

A source is an async iterable of `Sample` and `ConnectionEvent` values:

    source = DemoStrap()              # or BleStrapSource(...)
    async for item in source:         # iterating starts it (scan, connect, notify, reconnect)
        if isinstance(item, Sample): ...
        else: ...                     # a ConnectionEvent
    # elsewhere, on the same event loop: source.stop()

`stop()` is synchronous and safe to call at any time (from a signal handler, a timer, a
callback): the source disconnects cleanly and the `async for` ends after the items already
queued. A source ends by itself only after a `FAILED` event (a reason the user must fix).
Every well-formed packet is yielded as a `Sample`, also the 0 bpm / no-contact packets that
straps send while settling; `Sample.is_reading` tells them apart (contact changes also come as
events). Malformed packets are dropped (and counted by the BLE source).
Breaking out of the loop also stops the source. A source can be iterated once.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sensors.hrs import HeartRateMeasurement

logger = logging.getLogger(__name__)

RR_MISSING_PACKETS = 8
"""Packets with contact but without RR before a source says that HRV is unavailable."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One notification: the decoded measurement and its monotonic arrival time in seconds."""

    measurement: HeartRateMeasurement
    arrival_s: float

    @property
    def is_reading(self) -> bool:
        """False for the 0 bpm / no-contact packets straps send while settling: never plot or
        store those as heart-rate readings (their contact state still counts)."""
        return self.measurement.bpm > 0 and self.measurement.contact is not False


class EventKind(enum.Enum):
    SCANNING = "scanning"
    CONNECTED = "connected"
    CONTACT_LOST = "contact_lost"
    CONTACT_REGAINED = "contact_regained"
    RR_UNAVAILABLE = "rr_unavailable"
    DISCONNECTED = "disconnected"
    RECONNECTING = "reconnecting"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ConnectionEvent:
    """A change in the link or the strap's state.

    Fields used by kind: CONNECTED sets `name`, `address`, `battery_pct`, `body_location`;
    RECONNECTING sets `attempt` (1, 2, ...) and `delay_s`; FAILED, DISCONNECTED and
    RR_UNAVAILABLE set `message` (plain words for the user). `at_s` is the monotonic time.
    """

    kind: EventKind
    at_s: float
    name: str | None = None
    address: str | None = None
    battery_pct: int | None = None
    body_location: str | None = None
    attempt: int = 0
    delay_s: float = 0.0
    message: str | None = None


SourceItem = Sample | ConnectionEvent


@runtime_checkable
class HeartRateSource(Protocol):
    """Anything that yields samples and connection events; see the module docstring."""

    def __aiter__(self) -> AsyncIterator[SourceItem]: ...

    def stop(self) -> None: ...


class PacketWatcher:
    """Turns the contact and RR fields of successive packets into events.

    Contact lost / regained are reported on transitions (the first packet without contact
    counts as a loss). After `RR_MISSING_PACKETS` packets with contact but without RR, one
    RR_UNAVAILABLE event says that HRV cannot be computed; it re-arms when RR appears.
    """

    def __init__(self, rr_missing_packets: int = RR_MISSING_PACKETS) -> None:
        self._rr_missing_packets = rr_missing_packets
        self._contact: bool | None = None
        self._without_rr = 0
        self._rr_reported = False

    def reset(self) -> None:
        """Forget the contact state (after a reconnect the strap starts over)."""
        self._contact = None
        self._without_rr = 0

    def events(self, measurement: HeartRateMeasurement, at_s: float) -> list[ConnectionEvent]:
        out: list[ConnectionEvent] = []
        contact = measurement.contact
        has_contact = contact is not False and measurement.bpm > 0
        if contact is not None:
            if not contact and self._contact is not False:
                out.append(ConnectionEvent(EventKind.CONTACT_LOST, at_s))
            elif contact and self._contact is False:
                out.append(ConnectionEvent(EventKind.CONTACT_REGAINED, at_s))
            self._contact = contact
        if measurement.rr_ms:
            self._without_rr = 0
            self._rr_reported = False
        elif has_contact:
            self._without_rr += 1
            if self._without_rr >= self._rr_missing_packets and not self._rr_reported:
                self._rr_reported = True
                out.append(
                    ConnectionEvent(
                        EventKind.RR_UNAVAILABLE,
                        at_s,
                        message="this strap sends heart rate without beat-to-beat (RR) "
                        "intervals: heart rate is shown, HRV is unavailable",
                    )
                )
        return out


_END = object()


class QueuedSource:
    """Base for sources: a producer coroutine `_run()` feeds a queue that iteration drains."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._stopping = asyncio.Event()
        self._started = False

    def is_stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        self._stopping.set()

    def _emit(self, item: SourceItem) -> None:
        self._queue.put_nowait(item)

    def _taken(self) -> None:
        """Called as the reader takes the oldest emitted item off the queue."""

    def _reading_ended(self) -> None:
        """Called when iteration ends: items still queued will never be read."""

    async def _sleep(self, delay_s: float) -> bool:
        """Wait `delay_s` unless stopped first; returns True when the source is stopping."""
        if self._stopping.is_set():
            return True
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=max(0.0, delay_s))
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        raise NotImplementedError

    async def _produce(self) -> None:
        try:
            await self._run()
        except Exception as exc:
            # the contract: a source ends by itself only after FAILED, never silently
            logger.exception("heart-rate source stopped by an unexpected error")
            self._emit(
                ConnectionEvent(
                    EventKind.FAILED,
                    time.monotonic(),
                    message=f"the heart-rate source stopped unexpectedly: {exc}",
                )
            )
        finally:
            self._queue.put_nowait(_END)

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        if self._started:
            raise RuntimeError("a heart-rate source can be iterated only once")
        self._started = True
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SourceItem]:
        producer = asyncio.create_task(self._produce())
        try:
            while True:
                item = await self._queue.get()
                if item is _END:
                    break
                self._taken()
                assert isinstance(item, Sample | ConnectionEvent)
                yield item
        finally:
            self._stopping.set()
            self._reading_ended()
            if not producer.done():
                try:
                    await asyncio.wait_for(asyncio.shield(producer), timeout=5.0)
                except TimeoutError:
                    producer.cancel()
                    await asyncio.wait({producer}, timeout=1.0)
            if producer.done() and not producer.cancelled():
                exc = producer.exception()
                if exc is not None:
                    raise exc
