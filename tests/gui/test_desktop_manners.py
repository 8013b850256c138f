"""Desktop manners: quiet unless asked (`--verbose`), and Ctrl+Q from any of the app's windows."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.store import Store
from tests.gui.conftest import WindowFactory

ROOT = Path(__file__).resolve().parents[2]

# Start the real command, close the window from a timer, and tell the status through a file.
_START_AND_CLOSE = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app import cli
from app.ui.window import MainWindow

app = QApplication(sys.argv[:1])

def close():
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
