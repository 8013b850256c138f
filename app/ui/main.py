"""Process start-up of the desktop app: the QApplication, the window's first paint, then the
store's work, the page on show, the asyncio loop and the crash handler.

The window is shown first (`app.ui.shell`: its navigation, menus and theme, no page built) and
painted; only then are NumPy, pyqtgraph, bleak, qasync and the page on show imported and built
(`app.ui.app.build_app`, lazily: every other page is built when it is first shown). Nothing this
module imports before the first paint pulls them in; a test lists the modules of a start to its
first paint.

One asyncio event loop runs on the Qt main thread (qasync); the Bluetooth code shares it.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME
from app.commands.demo_speed import demo_speed
from app.commands.errors import CommandError
from app.store import Store, default_db_path, open_store
from app.store.damaged import damaged_message, is_damage
from app.store.database import DamagedDatabaseError
from app.store.migrations import SchemaTooNewError
from app.ui.pages import names
from app.ui.services.exit_signals import ExitSignals
from app.ui.services.single_instance import SHOW, SingleInstance, instance_key
from app.ui.shell import build_shell
from app.ui.startup.first_paint import FirstPaint
from app.ui.startup.start_screen import StartScreen, open_start_screen
from sensors.demo_breathing import FOLLOW_PACER

if TYPE_CHECKING:
    import asyncio

    from app.session.run_stats import RunStats
    from app.ui.window import MainWindow

# Lines on stderr, with --verbose only. The first: the main window's first paint has been handled.
STARTUP_LOG_LINE = "baseline: main window shown"
# Then, once the start-up's work is done (sessions left open checked, the page on show built):
READY_LOG_LINE = "baseline: ready"
ALREADY_RUNNING_LINE = "baseline: already running on this database; its window was brought forward"
TASKS_END_TIMEOUT_S = 3.0  # at the end, sessions' tasks get this long to finish
WORKERS_END_TIMEOUT_MS = 15_000  # then work on worker threads gets this long
BROUGHT_FORWARD_LINE = "baseline: another start on this database brought the window forward"
APP_ID = "org.baselineapp.Baseline"  # the desktop file and icon name used by the Linux packaging
_SOURCE_ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "baseline.svg"


def _log(verbose: bool, line: str) -> None:
    if verbose:
        print(line, file=sys.stderr, flush=True)


def _open_store_or_explain(db_path: Path | None) -> Store | None:
    try:
        return open_store(db_path)
    except (DamagedDatabaseError, SchemaTooNewError, OSError) as exc:
        where = db_path if db_path is not None else "the default database"
        message = f"Baseline cannot open {where}: {exc}"
        if is_damage(exc):
            damaged = damaged_message(db_path or default_db_path(), exc)
            message = f"Baseline cannot open its database: {damaged}"
        print(f"baseline: {message}", file=sys.stderr)
        QMessageBox.critical(None, APP_NAME, message)
        return None


def _demo_speed() -> float:
    """`$BASELINE_DEMO_SPEED`, as `record` reads it (tests run the demo strap faster); real time
    when it is unset or not a positive number."""
    try:
        return demo_speed()
    except CommandError:
        return 1.0


def run_gui(args: argparse.Namespace) -> int:
    """Start the desktop app and run until the window closes; returns the exit status."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    verbose = bool(getattr(args, "verbose", False))
    start_arg: str | None = getattr(args, "start", None)
    start_screen = StartScreen(start_arg) if start_arg else None
    stats_path: Path | None = getattr(args, "stats", None)
    db_given = getattr(args, "db", None)
    db_arg = Path(db_given) if db_given is not None else None
    instance = SingleInstance(instance_key(db_arg or default_db_path()))
    if not instance.claim(start_request(start_screen)):
        _log(verbose, ALREADY_RUNNING_LINE)
        return 0
    store = _open_store_or_explain(db_arg)
    if store is None:
        instance.close()
        return 1
    demo = bool(getattr(args, "demo", False))
    shell = build_shell(store, demo=demo, first=_opening_page(start_screen))
    window = shell.window
    first_paint = FirstPaint(window)
    first_paint.painted.connect(lambda _s: _log(verbose, STARTUP_LOG_LINE))

    # SIGTERM, SIGHUP, SIGINT: end as a person quitting would, with sessions stored as ended.
    closed: asyncio.Event | None = None  # the loop's, once it exists
    exit_signals = ExitSignals()

    def end_on_signal(signum: int) -> None:
        _log(verbose, f"baseline: {signal.Signals(signum).name}: ending, sessions saved")
        window.quit_without_asking()
        if closed is not None:
            closed.set()

    exit_signals.received.connect(end_on_signal)
    exit_signals.install()
    ended_early: list[bool] = []  # the window closed before the loop ran (a signal, Ctrl+Q)
    window.closed.connect(lambda: ended_early.append(True))

    window.show()
    first_paint.wait()  # the window is on screen before anything heavy is imported or built

    # -- after the first paint: the store's work, the page on show, the loop ---------------------
    # The icon (an SVG drawn at several sizes) reaches the title bar and task bar a moment later.
    fallback = QIcon(str(_SOURCE_ICON)) if _SOURCE_ICON.is_file() else QIcon()
    app.setWindowIcon(QIcon.fromTheme(APP_ID, fallback))
    import asyncio

    import qasync

    from app.session.sources import SourceOptions
    from app.ui.app import build_app
    from app.ui.services.crash_handler import CrashHandler
    from app.ui.services.gui_thread_gc import GuiThreadCollector
    from app.ui.startup.run_stats import collect_run_stats
    from app.ui.tasks import default_runner

    breathing = getattr(args, "demo_breathing", FOLLOW_PACER)
    try:
        interrupted = store.close_unfinished()
        ui = build_app(
            store,
            demo=demo,
            source_options=SourceOptions(demo_breathing=breathing, demo_speed=_demo_speed()),
            shell=shell,
            lazy=True,
        )
    except BaseException:  # the error is told by the caller; the app lets go of what it holds
        exit_signals.uninstall()
        instance.close()
        store.close()
        raise
    window.notify_interrupted(len(interrupted))
    window.notify_unreadable(store.unreadable_rows())

    # Collect garbage only on the GUI thread: a collection that happens to run on a worker
    # thread could destroy Qt objects there ("Timers cannot be stopped from another thread").
    collector = GuiThreadCollector(parent=window)
    collector.start()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # From here on an unexpected error is a calm message box and a local report, not a traceback.
    crash_handler = CrashHandler(store.path)
    previous_excepthook = sys.excepthook
    sys.excepthook = crash_handler.excepthook
    loop.set_exception_handler(crash_handler.loop_handler)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    app.lastWindowClosed.connect(closed.set)
    window.closed.connect(closed.set)  # even while another of its windows is still open
    if ended_early:
        closed.set()
    # --stats: what was measured as the app began to end, before the sessions ended and reset
    at_close: list[RunStats] = []
    if stats_path is not None:
        window.closing.connect(lambda: at_close.append(collect_run_stats(ui, first_paint.seconds)))
    # Logging out: sessions are stored as ended before the desktop ends the app.
    app.commitDataRequest.connect(lambda _manager: window.end_sessions())

    def another_start(request: str) -> None:
        window.bring_forward()
        _log(verbose, BROUGHT_FORWARD_LINE)
        screen = requested_screen(request)
        if screen is not None and not window.busy_pages():
            open_start_screen(ui, screen)

    instance.activated.connect(another_start)
    # Later starts on this database are heard from now on (they wait for it a few seconds): late
    # enough to cost the first paint nothing, and no request comes before `another_start` is
    # there to take it.
    instance.listen()
    if start_screen is not None and not ended_early:
        QTimer.singleShot(0, lambda: open_start_screen(ui, start_screen))
    elif not ended_early:
        ui.show_welcome(store)
    app.setQuitOnLastWindowClosed(False)  # the end below runs first: sessions' tasks finish
    QTimer.singleShot(0, lambda: _log(verbose, READY_LOG_LINE))
    try:
        with loop:
            ending = loop.create_task(_run_until_closed(closed, window, loop))
            try:
                loop.run_until_complete(ending)
            except RuntimeError:
                if ending.done():
                    raise
                # Qt's loop was ended from outside (QApplication.quit): no tasks can finish now
                if window.isVisible():
                    window.quit_without_asking()
    finally:
        exit_signals.uninstall()
        instance.close()
        sys.excepthook = previous_excepthook
        if stats_path is not None:
            stats = at_close[-1] if at_close else collect_run_stats(ui, first_paint.seconds)
            _write_stats(stats_path, stats)
        # Work still running on a worker (a summary of the session just ended, History's
        # figures) finishes before Python shuts down: a worker thread still in Python code while
        # the interpreter ends can crash the process. Work not started yet is dropped.
        workers = default_runner()
        workers.cancel_pending()
        workers.wait(WORKERS_END_TIMEOUT_MS)
        store.purge_deleted()
        store.close()
    return 0


def _opening_page(screen: StartScreen | None) -> names.PageEntry | None:
    """The page the window opens on: the one `--start` names (the morning check's is Home)."""
    if screen is StartScreen.LIVE:
        return names.LIVE
    if screen is StartScreen.BREATHE:
        return names.BREATHE
    if screen is StartScreen.MORNING_CHECK:
        return names.HOME
    return None


async def _run_until_closed(
    closed: asyncio.Event, window: MainWindow, loop: asyncio.AbstractEventLoop
) -> None:
    """Run until the app is to end; then end its sessions and let their tasks finish."""
    import asyncio  # after the first paint, as every use here

    await closed.wait()
    if window.isVisible():  # told to quit (a signal, the session manager) with the window open
        window.quit_without_asking()
    if not loop.is_running():
        # Qt's loop ended under it (the display went away): the sessions are stored as ended
        # above, and no task can run any more.
        return
    this = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not this and not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=TASKS_END_TIMEOUT_S)


def start_request(screen: StartScreen | None) -> str:
    """What a later start sends to the app already running on the database."""
    return SHOW if screen is None else f"start {screen.value}"


def requested_screen(request: str) -> StartScreen | None:
    verb, _, value = request.partition(" ")
    if verb != "start":
        return None
    try:
        return StartScreen(value)
    except ValueError:
        return None


def _write_stats(path: Path, stats: RunStats) -> None:
    from app.session.run_stats import write_stats

    try:
        write_stats(path, stats)
    except OSError as exc:
        print(f"baseline: --stats {path}: {exc.strerror or exc}", file=sys.stderr, flush=True)
