"""Background work for the desktop app: the one way to leave the GUI thread.

`run_task(fn, on_done, on_error)` runs `fn` on a worker thread of a `QThreadPool` and hands its
result (`on_done(result)`) or its exception (`on_error(exc)`) back on the GUI thread, through a
queued signal. `fn` must work on immutable inputs only (frozen records, tuples): the store's
connection belongs to the GUI thread and is never used on a worker. No exception is swallowed:
every failure reaches `on_error`, and `plain_error` turns it into words for the person.

Pages and dialogs receive a `TaskRunner` from the composition root (`app.ui.app`); tests give them
a runner that runs tasks at once (`tests/stubs.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

T = TypeVar("T")

DoneFn = Callable[[T], None]
ErrorFn = Callable[[Exception], None]


class Tasks(Protocol):
    """What pages and dialogs need for background work (a `TaskRunner`, or a test fake)."""

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: DoneFn[T],
        on_error: ErrorFn,
        *,
        owner: QObject | None = None,
    ) -> None: ...

    def cancel_pending(self) -> None: ...

    def wait(self, timeout_ms: int) -> bool: ...


class _Relay(QObject):
    """Lives on the GUI thread: the worker emits, the GUI thread calls back (once)."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: ErrorFn,
        owner: QObject | None,
        forget: Callable[[_Relay], None],
    ) -> None:
        super().__init__()
        self._on_done: Callable[[Any], None] | None = on_done
        self._on_error: ErrorFn | None = on_error
        self._forget = forget
        self._owner_gone = False
        if owner is not None:
            owner.destroyed.connect(self._mark_owner_gone)
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._fail, Qt.ConnectionType.QueuedConnection)

    def _mark_owner_gone(self, *_: object) -> None:
        self._owner_gone = True

    def _take(self) -> tuple[Callable[[Any], None] | None, ErrorFn | None]:
        """The callbacks, once; afterwards nothing here refers to the waiting page or dialog."""
        callbacks = (self._on_done, self._on_error)
        self._on_done = self._on_error = None
        self._forget(self)
        if self._owner_gone:
            return None, None
        return callbacks

    def _deliver(self, result: object) -> None:
        on_done, _ = self._take()
        if on_done is not None:
            on_done(result)

    def _fail(self, exc: object) -> None:
        _, on_error = self._take()
        if on_error is not None:
            on_error(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))


class _Job(QRunnable, Generic[T]):
    def __init__(self, fn: Callable[[], T], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to on_error on the GUI thread, never dropped
            self._emit(self._relay.failed, exc)
            return
        self._emit(self._relay.done, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the app is closing: nobody waits for it
            signal.emit(value)


class TaskRunner:
    """Runs tasks on `pool` (the application's global pool unless given one)."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self._pool = pool if pool is not None else QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: DoneFn[T],
        on_error: ErrorFn,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Run `fn` on a worker; `on_done(result)` or `on_error(exc)` follow on the GUI thread.

        With an `owner` (the page or dialog that waits), nothing is delivered once it is gone.
        """
        relay = _Relay(on_done, on_error, owner, self._relays.discard)
        self._relays.add(relay)
        self._pool.start(_Job(fn, relay))

    def cancel_pending(self) -> None:
        """Drop tasks that have not started yet (the ones running finish)."""
        self._pool.clear()

    def wait(self, timeout_ms: int) -> bool:
        """Wait for the running tasks (shutdown, tests); False when they did not finish."""
        return bool(self._pool.waitForDone(timeout_ms))


_default: TaskRunner | None = None


def default_runner() -> TaskRunner:
    """The runner on the application's global thread pool."""
    global _default
    if _default is None:
        _default = TaskRunner()
    return _default


def run_task(
    fn: Callable[[], T], on_done: DoneFn[T], on_error: ErrorFn, *, owner: QObject | None = None
) -> None:
    """Run `fn` on the global pool; the result or the exception comes back on the GUI thread."""
    default_runner().run_task(fn, on_done, on_error, owner=owner)


def plain_error(exc: Exception) -> str:
    """An exception in words a person can read (no traceback, no class names unless needed)."""
    text = str(exc).strip()
    if isinstance(exc, MemoryError):
        return "the computer ran out of memory"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror.lower()}{where}"
    if not text:
        return f"an unexpected problem ({type(exc).__name__})"
    return text
