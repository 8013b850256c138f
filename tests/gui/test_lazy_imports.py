"""What a start imports: the window is painted before NumPy, pyqtgraph, Bluetooth, the asyncio
loop or any page's module is imported, and a live session loads no other screen's modules (nor
pyqtgraph: its live plots are painted with QPainter), nor Bluetooth unless it uses a real strap.

Each start runs the real command (`app.cli.main`) in its own process, offscreen, and lists
`sys.modules` at the main window's first paint (or, for the live session, once it streams).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

from app.store import open_store
from app.store.settings import load_settings, save_settings

ROOT = Path(__file__).resolve().parents[2]
# Qt's network module (importing it took 5-9 ms of the start here, and its libraries about 3 MB of
# a live session's memory): on Linux and macOS the single-instance check uses a lock file and a
# plain Unix socket instead. Windows keeps Qt's local server (named pipes).
QT_NETWORK = () if sys.platform == "win32" else ("PySide6.QtNetwork",)

# Modules a start must not have imported by its first paint (the names and what is under them).
LAZY_AT_FIRST_PAINT = (
    "numpy",
    "pyqtgraph",
    "bleak",
    "bumble",
    "scipy",
    "qasync",
    "asyncio",
    "filelock",
    "fitdecode",
    "PySide6.QtMultimedia",
    "PySide6.QtSvg",
    "PySide6.QtOpenGL",
    "app.ui.pages.home",
    "app.ui.pages.breathe",
    "app.ui.pages.live_session",
    "app.ui.pages.assessment",
    "app.ui.pages.history",
    "app.ui.pages.settings",
    "app.ui.charts",
    "app.ui.app",
    "app.hrv",
    "app.session",
    "app.formats",
    "app.recovery",
    "app.commands.record",
    "sensors.ble",
    "sensors.simulated",
    *QT_NETWORK,
)
# Modules a live session (`--demo --start live`, sound off) must not have imported.
LAZY_IN_LIVE_SESSION = (
    "pyqtgraph",
    "app.ui.dialogs.session_summary",
    "app.ui.dialogs.session_detail",
    "bumble",
    "scipy",
    "fitdecode",
    "PySide6.QtMultimedia",
    "app.ui.pages.home",
    "app.ui.pages.assessment",
    "app.ui.pages.history",
    "app.ui.charts.baseline",
    "app.ui.charts.assessment",
    "app.ui.dialogs.report",
    "app.ui.dialogs.import_files",
    "app.ui.dialogs.export",
    "app.formats",
    "app.recovery.baseline",
    *QT_NETWORK,  # with sound on, QtMultimedia imports it (Qt's own dependency)
)
# Bluetooth: only scanning or a real strap loads it, never a session on the demo strap or none.
BLUETOOTH = ("bleak", "dbus_fast", "sensors.ble", "sensors.doctor", "sensors.bumble_backend")

_LIST_MODULES = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])
out, moment = Path(sys.argv[1]), sys.argv[2]
imported_before = sorted(sys.modules)

def list_and_close():
    out.write_text(json.dumps({"before": imported_before, "modules": sorted(sys.modules)}))
    for widget in app.topLevelWidgets():
        if type(widget).__name__ == "MainWindow":
            widget.quit_without_asking()  # a live session may run: no question

class AtFirstPaint(QObject):
    seen = False

    def eventFilter(self, watched, event):
        if not self.seen and event.type() == QEvent.Type.Paint and (
            type(watched).__name__ == "MainWindow"
        ):
            self.seen = True
            QTimer.singleShot(0, {
                "paint": list_and_close, "beats": wait_for_beats, "running": wait_until_running
            }[moment])
        return False

def wait_until_running(ticks=[0]):
    live = [w for w in app.allWidgets() if type(w).__name__ == "LiveSessionPage"]
    if live and live[0].is_active:
        ticks[0] += 1
    if ticks[0] >= 5:  # the session ran for a few turns of the event loop
        list_and_close()
    else:
        QTimer.singleShot(100, wait_until_running)

def wait_for_beats():
    live = [w for w in app.allWidgets() if type(w).__name__ == "LiveSessionPage"]
    if live and live[0].session is not None and live[0].session.beats_received > 0:
        list_and_close()
    else:
        QTimer.singleShot(100, wait_for_beats)

at_first_paint = AtFirstPaint()
app.installEventFilter(at_first_paint)
from app import cli

sys.exit(cli.main(sys.argv[3:]))
"""


def _python(
    code: str, *args: str, demo_speed: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new Python process from the checkout, Qt offscreen."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if demo_speed is not None:
        env["BASELINE_DEMO_SPEED"] = demo_speed
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _modules_of_a_start(tmp_path: Path, moment: str, *args: str) -> tuple[set[str], set[str]]:
    db = tmp_path / "app.db"
    listed = tmp_path / "modules.json"
    script = textwrap.dedent(_LIST_MODULES)
    result = _python(script, str(listed), moment, "--db", str(db), *args, demo_speed="20")
    assert result.returncode == 0, result.stderr
    found = json.loads(listed.read_text())
    return set(found["before"]), set(found["modules"])


def _under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_the_window_is_painted_before_the_heavy_modules_are_imported(tmp_path: Path) -> None:
    before, at_paint = _modules_of_a_start(tmp_path, "paint")
    assert _under(before, LAZY_AT_FIRST_PAINT) == []  # the listing script imported none
    assert {"app.ui.window", "app.ui.shell", "app.store"} <= at_paint  # the start got that far
    assert _under(at_paint, LAZY_AT_FIRST_PAINT) == []


def test_a_live_session_loads_no_other_screen(tmp_path: Path) -> None:
    store = open_store(tmp_path / "app.db")
    save_settings(store, replace(load_settings(store), sound_on=False))
    store.close()
    _, live = _modules_of_a_start(tmp_path, "beats", "--demo", "--start", "live")
    assert {
        "app.ui.pages.live_session",
        "app.ui.charts.live_plots",
        "numpy",
    } <= live  # it did stream
    assert _under(live, LAZY_IN_LIVE_SESSION) == []


def _live_session_modules(tmp_path: Path, *args: str) -> set[str]:
    store = open_store(tmp_path / "app.db")
    save_settings(store, replace(load_settings(store), sound_on=False))
    store.close()
    _, live = _modules_of_a_start(tmp_path, *args, "--start", "live")
    return live


def test_a_live_session_on_the_demo_strap_loads_no_bluetooth(tmp_path: Path) -> None:
    live = _live_session_modules(tmp_path, "beats", "--demo")
    assert {"app.ui.pages.live_session", "sensors.simulated"} <= live  # it did stream
    assert _under(live, BLUETOOTH) == []
    assert {"asyncio", "qasync"} <= live
    assert "_ssl" not in live  # no network, no TLS: asyncio runs without OpenSSL


def test_a_live_session_without_a_strap_loads_no_bluetooth(tmp_path: Path) -> None:
    # no strap remembered and no --demo: the live session starts with the pacer alone
    live = _live_session_modules(tmp_path, "running")
    assert {"app.ui.pages.live_session", "app.session"} <= live  # it did start
    assert _under(live, BLUETOOTH) == []


_SCAN_AND_CONNECT = """
import asyncio, sys
from app.session.sources import SourceOptions, build_source
from app.ui.app import strap_scanner
from sensors.ble_errors import BluetoothUnavailableError

def loaded():
    return sorted(m for m in sys.modules if m == "bleak" or m.startswith("bleak."))

for kind in ("none", "demo"):
    build_source(kind, None, lambda t_s: 6.0, SourceOptions())
print("built", loaded())
scan = strap_scanner(seconds=0.01)
print("scanner", loaded())
try:
    asyncio.run(scan())
except BluetoothUnavailableError:
    pass  # no Bluetooth here: the scan still had to load the stack to find that out
print("scanned", bool(loaded()))
"""


def test_scanning_and_a_strap_source_load_bluetooth() -> None:
    scanning = _python(_SCAN_AND_CONNECT)
    assert scanning.returncode == 0, scanning.stderr
    assert scanning.stdout.splitlines() == ["built []", "scanner []", "scanned True"]
    connecting = _python(
        "import sys\n"
        "from app.session.sources import SourceOptions, build_source\n"
        "assert 'bleak' not in sys.modules\n"
        "built = build_source('ble', 'C4:11:22:33:44:55', lambda t_s: 6.0, SourceOptions())\n"
        "print(type(built.source).__name__, 'bleak' in sys.modules)\n"
    )
    assert connecting.returncode == 0, connecting.stderr
    assert connecting.stdout.split() == ["BleStrapSource", "True"]
