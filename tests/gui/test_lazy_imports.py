"""What a start imports: the window is painted before NumPy, pyqtgraph, Bluetooth, the asyncio
loop or any page's module is imported, and a live session loads no other screen's modules (nor
pyqtgraph: its live plots are painted with QPainter).

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
)

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
            QTimer.singleShot(0, list_and_close if moment == "paint" else wait_for_beats)
        return False

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


def _modules_of_a_start(tmp_path: Path, moment: str, *args: str) -> tuple[set[str], set[str]]:
    db = tmp_path / "app.db"
    listed = tmp_path / "modules.json"
    script = textwrap.dedent(_LIST_MODULES)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BASELINE_DEMO_SPEED="20")
    result = subprocess.run(
        [sys.executable, "-c", script, str(listed), moment, "--db", str(db), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
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
