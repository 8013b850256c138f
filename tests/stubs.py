"""Shared fakes for the tests."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Background tasks (app.ui.tasks): a runner that runs every task at once, on the calling thread.
# ---------------------------------------------------------------------------------------------
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QVBoxLayout, QWidget

T = TypeVar("T")


class InstantTaskRunner:
    """`app.ui.tasks.Tasks` for tests: runs `fn` synchronously and calls back at once.

    The result or the exception goes to `on_done` / `on_error` exactly as the real runner hands
    it over (no exception is swallowed); `ran` counts the tasks.
    """

    def __init__(self) -> None:
        self.ran = 0

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
        *,
        owner: QObject | None = None,
    ) -> None:
        self.ran += 1
        try:
            result = fn()
        except Exception as exc:
            on_error(exc)
            return
        on_done(result)

    def cancel_pending(self) -> None:
        """Nothing is ever pending."""

    def wait(self, timeout_ms: int) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# Pages (app.ui.pages.page.Page): a page that only shows a widget.
# ---------------------------------------------------------------------------------------------
class StaticPage(QWidget):
    """A page that only shows `content`: never busy, nothing to do on enter, leave or shutdown."""

    def __init__(self, title: str, content: QWidget | None = None) -> None:
        super().__init__()
        self._title = title
        if content is not None:
            QVBoxLayout(self).addWidget(content)

    @property
    def title(self) -> str:
        return self._title

    @property
    def icon(self) -> QIcon:
        return QIcon()

    @property
    def busy(self) -> bool:
        return False

    def enter(self) -> None:
        pass

    def leave(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Session engine fakes: a hand-driven clock and a hand-fed heart-rate source.
# ---------------------------------------------------------------------------------------------
import asyncio  # noqa: E402
from collections.abc import AsyncIterator  # noqa: E402

from sensors.hrs import encode_measurement, parse_measurement  # noqa: E402
from sensors.source import ConnectionEvent, EventKind, Sample, SourceItem  # noqa: E402


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
