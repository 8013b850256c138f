"""The shared test doubles: one fake of each kind, used by every test folder.

- `FakeClock`: a monotonic clock the test moves by hand (no real waiting).
- `RecordingCuePlayer`: the real cue player (silent without an audio device) that also records
  every cue it is asked to play; `FakeAudioDevice`: an audio output whose streams keep what they
  are given.
- `qasync_loop`: a qasync event loop on the Qt main thread, as the app runs it (the `qloop`
  fixture in tests/conftest.py wraps it).
- `run_scenario` / `wait_until`: run one coroutine on that loop; wait inside it for a condition
  with a timeout (the loop keeps running, nothing sleeps for a fixed time).
- `hosted`: a top-level window holding a page whose minimum size does not follow the layout.
- `InstantTaskRunner`, `StaticPage`: a synchronous task runner and a minimal Page, for the
  composition root's tests; `ManualClock`, `strap_sample`, `ScriptedSource`: the session engine's.

The Qt widgets are imported inside the functions that need them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from app.breathing import Cue
from app.ui.services.sound import AudioDevice, AudioOutput, CuePlayer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget


class FakeClock:
    """A monotonic clock (seconds) the test moves by hand."""

    def __init__(self, start_s: float = 5000.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds


class RecordingCuePlayer(CuePlayer):
    """The real player (silent without an audio device) that also records every cue asked for."""

    def __init__(self, device: AudioDevice | None = None) -> None:
        super().__init__(device)
        self.cues: list[Cue] = []

    def play_cue(self, cue: Cue) -> str | None:
        self.cues.append(cue)
        return super().play_cue(cue)

    @property
    def phases(self) -> list[str]:
        return [cue.phase for cue in self.cues]


class FakeAudioOutput:
    """An open stream that keeps what is written; the test plays it (frees room) by hand."""

    def __init__(self, buffer_frames: int) -> None:
        self.buffer_frames = buffer_frames
        self.queued_frames = 0
        self.pcm = bytearray()
        self.closed = False

    def free_frames(self) -> int:
        return self.buffer_frames - self.queued_frames

    def write(self, pcm: bytes) -> None:
        assert not self.closed, "written after close"
        frames = len(pcm) // 2
        assert frames <= self.free_frames(), "more written than the buffer holds"
        self.pcm += pcm
        self.queued_frames += frames

    def play(self, frames: int) -> None:
        """The device consumes up to `frames` of what is queued."""
        self.queued_frames = max(0, self.queued_frames - frames)

    def close(self) -> None:
        self.closed = True

    def samples(self) -> npt.NDArray[np.float64]:
        return np.frombuffer(bytes(self.pcm), dtype="<i2").astype(np.float64) / 32767.0


class FakeAudioDevice:
    """An audio output that exists (or not: `reason`); every stream it opens is kept."""

    def __init__(self, buffer_frames: int = 6615, reason: str | None = None) -> None:
        self.buffer_frames = buffer_frames
        self.reason = reason
        self.probes = 0
        self.outputs: list[FakeAudioOutput] = []

    def probe(self) -> str | None:
        self.probes += 1
        return self.reason

    def open(self) -> AudioOutput | str:
        if self.reason is not None:
            return self.reason
        output = FakeAudioOutput(self.buffer_frames)
        self.outputs.append(output)
        return output


@contextmanager
def qasync_loop(app: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the Qt main thread; tasks left running are cancelled at the end."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()  # while the application lives (else closing at exit finds Qt gone)


def run_scenario(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    """Run a test's whole scenario as one coroutine (starting and stopping a qasync loop
    repeatedly can run task steps with no running loop set)."""
    loop.run_until_complete(scenario)


async def wait_until(
    condition: Callable[[], bool], timeout_s: float = 30.0, what: str = "condition"
) -> None:
    """Let the Qt + asyncio loop run until `condition()` holds (fails after `timeout_s`).

    The timeout is only a guard: the wait ends as soon as the condition holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)  # Qt events and loop tasks run in between


def hosted(page: QWidget, size: tuple[int, int] | None = None) -> QWidget:
    """A top-level window holding `page` whose minimum size does not follow the layout.

    The offscreen platform warns ("does not support propagateSizeHints") whenever a top-level
    window's size hints change, and Qt warnings fail tests; a real window has no such issue.
    """
    from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget

    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(page)
    if size is not None:
        host.resize(*size)
    return host


# ---------------------------------------------------------------------------------------------
# Background tasks (app.ui.tasks): a runner that runs every task at once, on the calling thread.
# ---------------------------------------------------------------------------------------------
from typing import TypeVar  # noqa: E402

from PySide6.QtCore import QObject  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

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
