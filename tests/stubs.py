"""The shared test doubles: one fake of each kind, used by every test folder.

- `FakeClock`: a monotonic clock the test moves by hand (no real waiting).
- `RecordingCuePlayer`: the real cue player (silent without an audio device) that also records
  every cue it is asked to play.
- `qasync_loop`: a qasync event loop on the Qt main thread, as the app runs it (the `qloop`
  fixture in tests/conftest.py wraps it).
- `run_scenario` / `wait_until`: run one coroutine on that loop; wait inside it for a condition
  with a timeout (the loop keeps running, nothing sleeps for a fixed time).
- `hosted`: a top-level window holding a page whose minimum size does not follow the layout.
- `build_main_window`: a main window built the way the app builds it, on a given store and clock.

The Qt widgets are imported inside the functions that need them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from app.breathing import Cue
from app.ui.services.sound import CuePlayer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from app.store import Store
    from app.ui.services.settings_model import SettingsModel
    from app.ui.window import MainWindow


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

    def __init__(self, sound_dir: Path) -> None:
        super().__init__(sound_dir)
        self.cues: list[Cue] = []

    def play_cue(self, cue: Cue) -> str | None:
        self.cues.append(cue)
        return super().play_cue(cue)

    @property
    def phases(self) -> list[str]:
        return [cue.phase for cue in self.cues]


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


class BuiltWindow(NamedTuple):
    window: MainWindow
    model: SettingsModel
    player: RecordingCuePlayer


def build_main_window(store: Store, clock: Callable[[], float], sound_dir: Path) -> BuiltWindow:
    """A main window (not shown) on `store`, with the settings model and a recording cue player,
    wired the way app.ui.main.build_window wires them."""
    from app.store.settings import load_settings
    from app.ui.services.settings_model import SettingsModel
    from app.ui.window import MainWindow

    model = SettingsModel(store, load_settings(store))
    player = RecordingCuePlayer(sound_dir)
    window = MainWindow(store, model, player, clock)
    model.setParent(window)
    player.setParent(window)
    return BuiltWindow(window, model, player)
