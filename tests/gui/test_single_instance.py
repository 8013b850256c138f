"""One app per database: a second start brings the first window forward and ends.

On Linux and macOS the claim is a lock file and the request travels over a Unix socket; the
tests below run the real thing, with the lock and socket in a private folder of their own
(`$XDG_RUNTIME_DIR`), and really kill the processes that hold them.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.services.single_instance import (
    MAX_MESSAGE_BYTES,
    SHOW,
    SingleInstance,
    instance_key,
)
from app.ui.services.single_instance.socket_dir import InstancePaths, instance_paths
from tests.concurrency.procs import Child, app_env, start
from tests.gui.conftest import WindowFactory

START_TIMEOUT_S = 90.0
CHILD_TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parents[2]
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="Windows uses named pipes")


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A private folder with a short path (a Unix socket's path has a size limit)."""
    path = Path(tempfile.mkdtemp(prefix="si-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _private_runtime_dir(short_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' locks and sockets stay in their own folder (children started here too)."""
    runtime = short_dir / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))


@pytest.fixture
def key(tmp_path: Path) -> str:
    return instance_key(tmp_path / f"db-{time.monotonic_ns()}.db")


def _paths(key: str) -> InstancePaths:
    paths = instance_paths(key)
    assert paths is not None
    return paths


def _first(key: str) -> SingleInstance:
    first = SingleInstance(key)
    assert first.claim()
    first.listen()
    assert first.listening
    return first


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
    first = _first(key)
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


@posix_only
def test_a_socket_left_by_a_dead_app_is_replaced(qtbot: QtBot, key: str) -> None:
    path = _paths(key).socket
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening, never removed: what a killed app leaves
    stale.close()
    assert Path(path).exists()
    first = _first(key)
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert not SingleInstance(key).claim()
    first.close()
    assert not Path(path).exists()  # the first app took its socket away


_HOLDER = """
import sys
from PySide6.QtCore import QCoreApplication
from app.ui.services.single_instance import SingleInstance

app = QCoreApplication(sys.argv[:1])
instance = SingleInstance(sys.argv[1])
assert instance.claim()
if sys.argv[2] == "listen":
    instance.listen()
print("holding", flush=True)
sys.stdin.read()  # until killed
"""


def _holder(key: str, *, listen: bool) -> subprocess.Popen[str]:
    """A child process that takes the database (and listens, if asked), until killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_HOLDER), key, "listen" if listen else "claim"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "holding\n"
    return child


def _kill(child: subprocess.Popen[str]) -> None:
    child.kill()
    child.communicate(timeout=CHILD_TIMEOUT_S)


@posix_only
def test_the_lock_and_socket_of_a_killed_app_are_taken_over(qtbot: QtBot, key: str) -> None:
    child = _holder(key, listen=True)
    try:
        assert not SingleInstance(key).claim("to the child")  # it is the first, and listens
    finally:
        _kill(child)
    paths = _paths(key)
    assert Path(paths.lock).exists() and Path(paths.socket).exists()  # left behind
    first = _first(key)  # the system let go of the dead app's lock; its socket is replaced
    with qtbot.waitSignal(first.activated, timeout=5000) as received:
        assert not SingleInstance(key).claim("start breathe")
    assert received.args == ["start breathe"]
    first.close()


def _claim_in_thread(
    instance: SingleInstance, message: str, results: list[bool]
) -> threading.Thread:
    """A start on a thread of its own (its own lock file descriptor: it competes as a process
    would), so the test's event loop runs while the claim waits."""
    thread = threading.Thread(target=lambda: results.append(instance.claim(message)))
    thread.start()
    return thread


@posix_only
def test_a_second_start_waits_for_the_first_to_listen(qtbot: QtBot, key: str) -> None:
    first = SingleInstance(key)
    assert first.claim()  # the first app is still painting its window: not listening yet
    second = SingleInstance(key)
    results: list[bool] = []
    thread = _claim_in_thread(second, "start live", results)
    try:
        qtbot.waitUntil(lambda: second.waiting_for_first, timeout=5000)
        assert results == []
        with qtbot.waitSignal(first.activated, timeout=5000) as received:
            first.listen()
        assert received.args == ["start live"]
        qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
        assert results == [False]  # it handed its request over and ends
    finally:
        thread.join()
        first.close()


@posix_only
def test_a_start_waiting_for_a_first_app_that_dies_takes_its_place(qtbot: QtBot, key: str) -> None:
    child = _holder(key, listen=False)  # holds the database, never listens
    waiting = SingleInstance(key)
    results: list[bool] = []
    thread = _claim_in_thread(waiting, SHOW, results)
    try:
        qtbot.waitUntil(lambda: waiting.waiting_for_first, timeout=5000)
    finally:
        _kill(child)
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=5000)
    assert results == [True] and waiting.first
    waiting.listen()
    with qtbot.waitSignal(waiting.activated, timeout=5000):
        assert not SingleInstance(key).claim()
    waiting.close()


_RACER = """
import json, sys
from PySide6.QtCore import QCoreApplication
from app.ui.services.single_instance import SingleInstance

app = QCoreApplication(sys.argv[:1])
key, name, others = sys.argv[1], sys.argv[2], int(sys.argv[3]) - 1
instance = SingleInstance(key)
print("ready", flush=True)
sys.stdin.readline()  # every racer claims at this moment
if not instance.claim(name):
    print(json.dumps({"handed": name}), flush=True)
    sys.exit(0)
received = []

def take(request):
    received.append(request)
    if len(received) == others:
        app.quit()

instance.activated.connect(take)
instance.listen()
app.exec()
instance.close()
print(json.dumps({"first": name, "received": sorted(received)}), flush=True)
"""


@posix_only
def test_starts_at_the_same_moment_make_exactly_one_first(key: str) -> None:
    names = [f"racer {n}" for n in range(3)]
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(_RACER), key, name, str(len(names))],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    try:
        for racer in racers:
            assert racer.stdout is not None and racer.stdout.readline() == "ready\n"
        for racer in racers:  # told together: the "go"s are written first, then sent
            assert racer.stdin is not None
            racer.stdin.write("go\n")
        for racer in racers:
            assert racer.stdin is not None
            racer.stdin.flush()
        ends = [racer.communicate(timeout=CHILD_TIMEOUT_S)[0] for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                _kill(racer)
    assert [racer.returncode for racer in racers] == [0, 0, 0]
    told = [json.loads(end) for end in ends]
    firsts = [t for t in told if "first" in t]
    assert len(firsts) == 1, told
    others = sorted(t["handed"] for t in told if "handed" in t)
    assert firsts[0]["received"] == others == sorted(set(names) - {firsts[0]["first"]})


def _connect(key: str) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(_paths(key).socket)
    return client


def _closed_by_peer(client: socket.socket) -> bool:
    try:
        return client.recv(1) == b""
    except BlockingIOError:
        return False


@posix_only
def test_a_line_too_long_is_dropped(qtbot: QtBot, key: str) -> None:
    first = _first(key)
    received: list[str] = []
    first.activated.connect(received.append)
    with _connect(key) as client:
        client.sendall(b"x" * MAX_MESSAGE_BYTES)  # no newline within the limit
        client.setblocking(False)
        qtbot.waitUntil(lambda: _closed_by_peer(client), timeout=5000)
    assert received == []
    with _connect(key) as client, qtbot.waitSignal(first.activated, timeout=5000) as longest:
        client.sendall(b"y" * (MAX_MESSAGE_BYTES - 1) + b"\n")  # the longest line taken
    assert longest.args == ["y" * (MAX_MESSAGE_BYTES - 1)]
    with qtbot.waitSignal(first.activated, timeout=5000) as cut:
        assert not SingleInstance(key).claim("z" * 2 * MAX_MESSAGE_BYTES)
    assert cut.args == ["z" * (MAX_MESSAGE_BYTES - 1)]  # a later start cuts its own to fit
    first.close()


@posix_only
def test_a_sender_that_ends_before_its_newline_still_delivers(qtbot: QtBot, key: str) -> None:
    first = _first(key)
    with qtbot.waitSignal(first.activated, timeout=5000) as partial, _connect(key) as client:
        client.sendall(b"start breathe")
    assert partial.args == ["start breathe"]
    with qtbot.waitSignal(first.activated, timeout=5000) as empty:
        _connect(key).close()  # nothing at all: bring the window forward
    assert empty.args == [SHOW]
    first.close()


@posix_only
def test_the_socket_lives_in_the_runtime_folder_when_it_is_private(
    short_dir: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = os.environ["XDG_RUNTIME_DIR"]
    monkeypatch.setenv("TMPDIR", str(short_dir))
    assert _paths(key) == InstancePaths(
        lock=f"{runtime}/{key}.lock", socket=f"{runtime}/{key}.sock"
    )
    in_temp = InstancePaths(
        lock=f"{short_dir}/baseline-{os.getuid()}/{key}.lock",
        socket=f"{short_dir}/baseline-{os.getuid()}/{key}.sock",
    )
    os.chmod(runtime, 0o755)  # others may look in: the temp folder is used instead
    assert _paths(key) == in_temp
    assert (os.stat(short_dir / f"baseline-{os.getuid()}").st_mode & 0o777) == 0o700
    deep = short_dir / ("d" * 90)
    deep.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))  # too deep for a socket's path
    assert _paths(key) == in_temp
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert _paths(key) == in_temp


@posix_only
@pytest.mark.parametrize("unsafe", ["open to others", "a link"])
def test_an_unsafe_temp_folder_is_refused(
    unsafe: str, short_dir: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("TMPDIR", str(short_dir))
    folder = short_dir / f"baseline-{os.getuid()}"
    if unsafe == "open to others":
        folder.mkdir()
        folder.chmod(0o777)
    else:
        (short_dir / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(short_dir / "elsewhere")
    assert instance_paths(key) is None
    first = SingleInstance(key)
    assert first.claim()
    first.listen()
    assert not first.listening  # no check: every start runs
    assert SingleInstance(key).claim()
    assert list(folder.iterdir()) == []
    first.close()


@posix_only
def test_a_temp_folder_of_another_owner_is_refused(
    short_dir: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("TMPDIR", str(short_dir))
    uid = os.getuid()
    folder = short_dir / f"baseline-{uid}"
    folder.mkdir(mode=0o700)
    assert instance_paths(key) is not None  # private and this user's: used
    other_uid = uid + 1
    folder.rename(short_dir / f"baseline-{other_uid}")  # where that user looks; not theirs
    assert instance_paths(key, other_uid) is None
    if uid == 0:  # the same seen from this user, where it can give the folder away
        folder.mkdir(mode=0o700)
        os.chown(folder, 65534, 65534)
        assert instance_paths(key) is None
        assert SingleInstance(key).claim() and SingleInstance(key).claim()


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


class _OutOfDescriptors:
    """The first app's listening socket while the process has no file descriptor left."""

    def __init__(self, server: socket.socket) -> None:
        self.server = server
        self.accepts = 0

    def accept(self) -> tuple[socket.socket, object]:
        self.accepts += 1
        raise OSError(errno.EMFILE, "Too many open files")

    def close(self) -> None:
        self.server.close()


@posix_only
def test_out_of_file_descriptors_the_first_app_rests_then_takes_the_request(
    qtbot: QtBot, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _first(key)
    real = first._server
    assert real is not None
    failing = _OutOfDescriptors(real)
    monkeypatch.setattr(first, "_server", failing)
    received: list[str] = []
    first.activated.connect(received.append)
    with _connect(key) as client:
        client.sendall(b"start live\n")
        qtbot.waitUntil(lambda: failing.accepts > 0, timeout=5000)
        # the request stays queued; the app is not woken for it again and again meanwhile
        qtbot.waitUntil(
            lambda: not first._server_notifier or not first._server_notifier.isEnabled(),
            timeout=1000,
        )
        monkeypatch.setattr(first, "_server", real)  # descriptors free again
        with qtbot.waitSignal(first.activated, timeout=5000) as later:
            pass
    assert later.args == ["start live"]
    assert failing.accepts == 1
    first.close()
