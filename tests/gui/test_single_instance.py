"""One app per database: a second start brings the first window forward and ends."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.services.single_instance import SHOW, SingleInstance, instance_key
from tests.concurrency.procs import Child, app_env, start
from tests.gui.conftest import WindowFactory

START_TIMEOUT_S = 90.0


@pytest.fixture
def key(tmp_path: Path) -> str:
    return instance_key(tmp_path / f"db-{time.monotonic_ns()}.db")


def test_the_key_follows_the_database_not_its_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "one.db"
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(db)
    monkeypatch.chdir(tmp_path / "sub")
    assert instance_key(db) == instance_key(Path("../one.db")) == instance_key(tmp_path / "link.db")
    assert instance_key(db) != instance_key(tmp_path / "two.db")


def test_a_second_claim_hands_its_request_to_the_first(qtbot: QtBot, key: str) -> None:
    first = SingleInstance(key)
    assert first.claim()
    second = SingleInstance(key)
    with qtbot.waitSignal(first.activated, timeout=5000) as received:
        assert not second.claim("start live")
    assert received.args == ["start live"]
    assert not second.listening
    with qtbot.waitSignal(first.activated, timeout=5000) as again:
        assert not SingleInstance(key).claim()
    assert again.args == [SHOW]
    first.close()
    third = SingleInstance(key)
    assert third.claim()  # the first ended: the next start is the first
    third.close()


def test_a_socket_left_by_a_dead_app_is_replaced(qtbot: QtBot, key: str) -> None:
    probe = QLocalServer()
    assert probe.listen(key)
    path = probe.fullServerName()
    probe.close()
    if sys.platform == "win32":
        pytest.skip("named pipes leave nothing behind")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening, never removed: what a killed app leaves
    stale.close()
    assert Path(path).exists()
    first = SingleInstance(key)
    assert first.claim()
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert not SingleInstance(key).claim()
    first.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_the_window_comes_forward(qtbot: QtBot, store: Store, make_window: WindowFactory) -> None:
    window = make_window(store).window
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    window.bring_forward()
    qtbot.waitUntil(lambda: not window.isMinimized() and window.isVisible())


def _second_start(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        env=app_env(),
        check=False,
    )


def _sessions(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return [(str(k), str(s)) for k, s in conn.execute("SELECT kind, status FROM sessions")]
    finally:
        conn.close()


def test_a_second_start_on_the_same_database_ends_and_brings_the_first_forward(
    tmp_path: Path,
) -> None:
    db = tmp_path / "app.db"
    first: Child = start(tmp_path, "first", db, "--verbose")
    try:
        first.wait_for("main window shown", START_TIMEOUT_S)
        second = _second_start(db, "--verbose")
        assert second.returncode == 0, second.stderr
        assert "already running on this database" in second.stderr
        assert "main window shown" not in second.stderr
        first.wait_for("another start on this database brought the window forward", 30.0)
        quiet = _second_start(db)
        assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
        # a second start with --start: the first app opens that screen and starts it
        breathe = _second_start(db, "--start", "breathe")
        assert (breathe.returncode, breathe.stdout, breathe.stderr) == (0, "", "")
        first.wait_until(lambda: _sessions(db) == [("breathing", "active")], 30.0)
    finally:
        assert first.stop() == 0  # SIGTERM ends it cleanly
    assert first.stdout == ""
