"""Shared fakes for the tests."""

from __future__ import annotations

# ------------------------------------------------------------------------------------------------
# Session engine fakes: a hand-driven clock and a hand-fed heart-rate source.
# ------------------------------------------------------------------------------------------------
import asyncio
from collections.abc import AsyncIterator

from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import ConnectionEvent, EventKind, Sample, SourceItem


class ManualClock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self, now_s: float = 1000.0) -> None:
        self.now = now_s

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def strap_sample(at_s: float, bpm: int, rr_units: tuple[int, ...] = ()) -> Sample:
    """One packet with contact, `rr_units` in 1/1024 s."""
    payload = encode_measurement(bpm, contact=True, rr_units=rr_units or None)
    return Sample(parse_measurement(payload), at_s)


class ScriptedSource:
    """A heart-rate source that yields what the test puts in, until `stop()` or `end()`.

    `fail_with` makes iteration raise (a source broken by a bug, not by a FAILED event)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[SourceItem | None] = asyncio.Queue()
        self.stopped = False
        self.fail_with: Exception | None = None

    def put(self, item: SourceItem) -> None:
        self._queue.put_nowait(item)

    def connect(self, at_s: float, name: str = "Strap", address: str = "AA:BB") -> None:
        self.put(ConnectionEvent(EventKind.CONNECTED, at_s, name=name, address=address))

    def end(self) -> None:
        self._queue.put_nowait(None)

    def stop(self) -> None:
        self.stopped = True
        self.end()

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SourceItem]:
        while True:
            item = await self._queue.get()
            if item is None:
                if self.fail_with is not None:
                    raise self.fail_with
                return
            yield item
