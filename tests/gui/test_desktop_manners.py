"""Desktop manners: quiet unless asked (`--verbose`), Ctrl+Q from any of the app's windows, and
an exit signal that ends the app as quitting would."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.store import Store, open_store
from app.store.records import BeatRecord
from app.ui.services.exit_signals import exit_signal_numbers
from tests.concurrency.procs import app_env, start
from tests.gui.conftest import WindowFactory

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0

# Start the real command, close the window once it has been painted, and tell the status
# through a file.
_START_AND_CLOSE = """
import sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from app import cli
from app.ui.window import MainWindow

app = QApplication(sys.argv[:1])
painted = []

class SeesPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, MainWindow):
            painted.append(True)
        return False

sees_paint = SeesPaint()
app.installEventFilter(sees_paint)

def close():
    if not painted:
        QTimer.singleShot(50, close)
        return
    for widget in app.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.close()

QTimer.singleShot(400, close)
code = cli.main(sys.argv[1:])
Path({status!r}).write_text(str(code))
"""


def _start_and_close(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    status = tmp_path / "status.txt"
    script = textwrap.dedent(_START_AND_CLOSE.format(status=str(status)))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(tmp_path / "app.db"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, status.read_text() if status.exists() else ""


def test_the_app_prints_nothing_unless_asked(tmp_path: Path) -> None:
    quiet, quiet_status = _start_and_close(tmp_path)
    assert quiet_status == "0", quiet.stderr
    assert quiet.stdout == ""
    assert "baseline:" not in quiet.stderr
    verbose, verbose_status = _start_and_close(tmp_path, "--verbose")
    assert verbose_status == "0", verbose.stderr
    assert verbose.stdout == ""
    assert "baseline: main window shown" in verbose.stderr.splitlines()


def test_ctrl_q_quits_from_another_window_of_the_app(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    window = make_window(store).window
    other = QWidget()  # another top-level window of the app, without a parent
    qtbot.addWidget(other)
    field = QLineEdit(other)
    QVBoxLayout(other).addWidget(field)
    with qtbot.waitActive(other):
        other.show()
        other.activateWindow()
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)


def test_ctrl_q_quits_from_a_modal_dialog(
    qtbot: QtBot, store: Store, make_window: WindowFactory
) -> None:
    """Qt gives the window's shortcuts no keys while a modal dialog is open (About, the log
    form, the morning check): Ctrl+Q still quits."""
    window = make_window(store).window
    box = window.show_about()
    qtbot.waitExposed(box)
    box.activateWindow()
    QTest.keyClick(box, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=2000)


_QUIT_WITH_A_DIALOG_OPEN = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app import cli
from app.ui.window import MainWindow

app = QApplication(sys.argv[:1])

def about_then_quit():
    [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    window.show_about()
    QTimer.singleShot(200, window.quit_action.trigger)

QTimer.singleShot(400, about_then_quit)
code = cli.main(sys.argv[1:])
Path({status!r}).write_text(str(code))
"""


def test_quitting_with_a_dialog_open_ends_the_app(tmp_path: Path) -> None:
    status = tmp_path / "status.txt"
    script = textwrap.dedent(_QUIT_WITH_A_DIALOG_OPEN.format(status=str(status)))
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(tmp_path / "app.db")],
        cwd=ROOT,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert status.read_text() == "0", result.stderr


def _read(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    """Rows read without creating the database (the app has not made it yet: no rows)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    except sqlite3.OperationalError:  # the app is still creating its tables
        return []
    finally:
        conn.close()


def _newest_session(db: Path) -> tuple[int, str, int] | None:
    """(id, status, stored beats) of the newest session."""
    rows = _read(db, "SELECT id, status FROM sessions ORDER BY id DESC LIMIT 1")
    if not rows:
        return None
    session_id, status = int(str(rows[0][0])), str(rows[0][1])
    beats = _read(db, "SELECT count(*) FROM beats WHERE session_id = ?", session_id)
    return session_id, status, int(str(beats[0][0])) if beats else 0


@pytest.mark.parametrize(
    "signum",
    [
        pytest.param(signum, marks=() if signum == signal.SIGTERM else pytest.mark.slow)
        for signum in exit_signal_numbers()
    ],
)
def test_an_exit_signal_saves_the_session_as_ended_and_exits_0(tmp_path: Path, signum: int) -> None:
    """`--start live --demo` streams the demo strap at once; SIGTERM (or SIGHUP, SIGINT) ends
    the app as quitting would: the session stored as ended (complete), never `interrupted`,
    exit status 0, nothing on stdout, and the `--stats` file written."""
    db = tmp_path / "app.db"
    stats = tmp_path / "stats.json"
    app = start(tmp_path, "app", db, "--demo", "--start", "live", "--stats", str(stats))
    try:
        # the demo strap runs at the test speed: 45 beats are over 30 s, long enough to keep
        app.wait_until(lambda: (_newest_session(db) or (0, "", 0))[2] >= 45, START_TIMEOUT_S)
        app.proc.send_signal(signum)
        assert app.proc.wait(timeout=60) == 0, app.stderr
    finally:
        app.kill()
    found = _newest_session(db)
    assert found is not None
    session_id, status, beats = found
    assert status == "complete"
    assert beats >= 45
    assert app.stdout == ""
    assert "Traceback" not in app.stderr
    document = json.loads(stats.read_text(encoding="utf-8"))
    assert 0 < document["first_window_s"] < START_TIMEOUT_S
    assert document["seconds"] > 0
    assert document["pacer_frames"] > 0
    assert document["frame_interval_ms"]["p50"] > 0
    assert set(document["beat_to_screen_ms"]) == {"p50", "p95", "p99"}
    duration = _read(db, "SELECT duration_s FROM sessions WHERE id = ?", session_id)[0][0]
    assert isinstance(duration, float) and duration > 0


_START_SHOW_EVERY_PAGE_AND_CLOSE = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app import cli
from app.ui.window import MainWindow

app = QApplication(sys.argv[:1])
notices = []

def visit_and_close():
    [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    notices.append(window.statusBar().currentMessage())
    for name in window.page_names():
        window.show_page(name)
        app.processEvents()
    window.close()

QTimer.singleShot(1500, visit_and_close)
code = cli.main(sys.argv[1:])
Path({status!r}).write_text(str(code) + "\\n" + "\\n".join(notices))
"""


def test_the_app_starts_and_shows_what_it_can_despite_unreadable_rows(tmp_path: Path) -> None:
    """Text in number columns, an impossible log date and a settings value that is not JSON:
    the app starts, shows every page, says once how many entries it left out, and exits 0."""
    db = tmp_path / "app.db"
    store = open_store(db)
    started = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    ids = []
    for minute in range(3):
        session_id = store.start_session("readiness", started.replace(minute=minute))
        store.add_beats(session_id, [BeatRecord(800.0 * (i + 1), 800.0) for i in range(200)])
        store.finish_session(session_id, duration_s=160.0)
        ids.append(session_id)
    conn = store.conn
    conn.execute("UPDATE sessions SET duration_s = 'long' WHERE id = ?", (ids[0],))
    conn.execute("UPDATE beats SET rr_ms = 'abc' WHERE session_id = ? AND seq = 7", (ids[1],))
    conn.execute("UPDATE beats SET t_ms = 'x' WHERE session_id = ? AND seq = 9", (ids[2],))
    conn.execute(
        "INSERT INTO daily_log (date, rmssd_ms, updated_at) VALUES ('2026-13-45', 40, 'x')"
    )
    conn.execute("INSERT INTO marks VALUES (?, 'later', 'pause', NULL)", (ids[2],))
    conn.execute("INSERT OR REPLACE INTO settings VALUES ('app_settings', '{not json')")
    conn.commit()
    store.close()
    status = tmp_path / "status.txt"
    script = textwrap.dedent(_START_SHOW_EVERY_PAGE_AND_CLOSE.format(status=str(status)))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert status.exists(), result.stderr
    code, notice = status.read_text().split("\n", 1)
    assert code == "0", result.stderr
    assert "2 entries in your data could not be read; they are left out." in notice
    assert "unexpected error" not in result.stderr
    assert not list((tmp_path / "state").rglob("crash-*"))


def test_stats_hold_the_session_time_of_a_session_too_short_to_keep(tmp_path: Path) -> None:
    """`--stats` takes its numbers as the app begins to end: a breathing session cut short by
    SIGTERM (too short to keep) still shows its time and the pacer's frames."""
    db = tmp_path / "app.db"
    stats = tmp_path / "stats.json"
    app = start(tmp_path, "app", db, "--start", "breathe", "--stats", str(stats))
    try:
        app.wait_until(
            lambda: _read(db, "SELECT kind, status FROM sessions") == [("breathing", "active")],
            START_TIMEOUT_S,
        )
        app.proc.send_signal(signal.SIGTERM)
        assert app.proc.wait(timeout=60) == 0, app.stderr
    finally:
        app.kill()
    document = json.loads(stats.read_text(encoding="utf-8"))
    assert document["seconds"] > 0
    assert document["pacer_frames"] > 0
    assert document["frame_interval_ms"] == {"p50": None, "p95": None, "p99": None}
    assert _read(db, "SELECT count(*) FROM sessions WHERE deleted_at IS NULL") == [(0,)]


_START_RUN_WORK_AND_CLOSE = """
import sys
import time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app import cli
from app.ui.tasks import run_task
from app.ui.window import MainWindow

app = QApplication(sys.argv[:1])
done = Path({done!r})

def work():
    time.sleep(5.0)  # the work itself (a long summary), not a wait of the test
    done.write_text("finished")

def start_work_and_close():
    [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    run_task(work, lambda _result: None, lambda _exc: None)
    window.close()

QTimer.singleShot(500, start_work_and_close)
code = cli.main(sys.argv[1:])
# what had happened by the time the app returned, before Python begins to shut down
Path({status!r}).write_text(f"{{code}} {{done.exists()}}")
"""


@pytest.mark.slow  # a subprocess app with 5 s of work on a worker
def test_work_still_running_on_a_worker_at_the_end_finishes_before_the_app_exits(
    tmp_path: Path,
) -> None:
    """Closing the app while a worker thread runs (a session's summary, History's figures):
    the work finishes, then the app exits 0 (a worker in Python while the interpreter ends can
    crash the process)."""
    done = tmp_path / "done.txt"
    status = tmp_path / "status.txt"
    script = textwrap.dedent(_START_RUN_WORK_AND_CLOSE.format(done=str(done), status=str(status)))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(tmp_path / "app.db")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert status.read_text() == "0 True", result.stderr  # the work had finished by then
    assert done.read_text() == "finished"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb")
def test_the_display_going_away_ends_a_live_session_calmly(tmp_path: Path) -> None:
    """The X server dies under a live session (a crash of the desktop, a remote display lost):
    the session is stored as ended, no crash report, no traceback."""
    db = tmp_path / "app.db"
    display = f":{90 + os.getpid() % 500}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state = tmp_path / "state"
    env = app_env(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_STATE_HOME=str(state))
    app = start(tmp_path, "app", db, "--demo", "--start", "live", env=env)
    try:
        app.wait_until(lambda: (_newest_session(db) or (0, "", 0))[2] >= 45, START_TIMEOUT_S)
        xvfb.kill()
        xvfb.wait(timeout=30)
        app.proc.wait(timeout=60)
    finally:
        app.kill()
        if xvfb.poll() is None:
            xvfb.kill()
            xvfb.wait(timeout=30)
    found = _newest_session(db)
    assert found is not None and found[1] == "complete", (found, app.stderr)
    assert "Traceback" not in app.stderr and "unexpected error" not in app.stderr, app.stderr
    assert not list(state.rglob("crash-*.txt")), app.stderr
