"""One app per database on Linux and macOS: a lock file decides, a Unix socket carries the request.

The claim, before the window's first paint, costs a few system calls and no Qt network module:
an exclusive non-blocking `flock` on the lock file decides which app is first, race-free. The
first app keeps the lock for its whole life; the system lets go of it when the app ends, however
it ends, so a killed app never blocks the next start. After its first paint the first app
listens on the socket beside the lock (`listen`), on the Qt event loop through a
`QSocketNotifier`: nothing here ever blocks the GUI thread. A later start, refused the lock,
connects and sends its one line; the first app may still be starting, so it tries again for a
few seconds (`HANDOFF_TIMEOUT_S`) and then runs anyway, as it would with no socket at all.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.ui.services.single_instance.request_line import (
    MAX_MESSAGE_BYTES,
    SHOW,
    decode_request,
    encode_request,
)
from app.ui.services.single_instance.socket_dir import InstancePaths, instance_paths

HANDOFF_TIMEOUT_S = 5.0  # a later start tries this long to reach a first app still starting
FIRST_PAUSE_S = 0.01  # between its tries: doubling from this ...
LONGEST_PAUSE_S = 0.1  # ... up to this
SEND_TIMEOUT_S = 2.0  # connecting and sending one line, once the first app listens
LISTEN_BACKLOG = 8
ACCEPT_RETRY_MS = 500  # after accept() failed for want of file descriptors
_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
_LOCK_FILE_MODE = 0o600


class _Incoming:
    """A later start's connection, with what it has sent so far."""

    __slots__ = ("connection", "received")

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.received = b""


def _lock(fd: int) -> bool | None:
    """True: this process now holds the lock; False: another app does; None: no lock here."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None  # a file system without locks
    return True


def _send(path: str, line: bytes) -> bool:
    """Hand `line` to the app listening at `path`; False when none listens there (yet)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(SEND_TIMEOUT_S)
        try:
            connection.connect(path)
            connection.sendall(line)
        except OSError:
            return False
    return True


class SingleInstance(QObject):
    """Claim the database for this app, or hand `message` to the app that has it.

    `claim` before the first paint, `listen` after it, `close` at the end.

    Signals:
        activated(str): a later start on the same database sent its request (one line).
    """

    activated = Signal(str)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.waiting_for_first = False  # a claim waits for the first app to listen
        self._paths: InstancePaths | None = None
        self._lock_fd: int | None = None
        self._server: socket.socket | None = None
        self._server_notifier: QSocketNotifier | None = None
        self._incoming: dict[QSocketNotifier, _Incoming] = {}

    @property
    def listening(self) -> bool:
        return self._server is not None

    @property
    def first(self) -> bool:
        """This app holds the database's lock: it is the one app on it."""
        return self._lock_fd is not None

    def claim(self, message: str = SHOW) -> bool:
        """True when this app is now the one on the database (or there is no safe place to
        tell: then it runs anyway); False when another one runs and got `message` (then this
        app should end). Blocks for at most about `HANDOFF_TIMEOUT_S`, only when another app
        holds the database but does not listen yet."""
        paths = instance_paths(self.key)
        if paths is None:
            return True  # no private folder for the socket: run without the check
        try:
            fd = os.open(paths.lock, _LOCK_FLAGS, _LOCK_FILE_MODE)
        except OSError:
            return True  # no lock to be had: run anyway, as with no socket
        line = encode_request(message)
        deadline_s = time.monotonic() + HANDOFF_TIMEOUT_S
        pause_s = FIRST_PAUSE_S
        try:
            while True:
                locked = _lock(fd)
                if locked:  # the first, or the first ended before it listened
                    self._paths, self._lock_fd = paths, fd
                    fd = -1  # kept open: the lock lasts as long as it
                    return True
                if locked is None:
                    return True
                if _send(paths.socket, line):
                    return False
                if time.monotonic() >= deadline_s:
                    return True  # the first never answered: run anyway
                self.waiting_for_first = True
                time.sleep(pause_s)
                pause_s = min(pause_s * 2, LONGEST_PAUSE_S)
        finally:
            self.waiting_for_first = False
            if fd >= 0:
                os.close(fd)

    def listen(self) -> None:
        """Take later starts' requests from now on (the first app, once its window is painted).
        A socket left at the path by an app that died is replaced."""
        paths = self._paths
        if paths is None or self._lock_fd is None or self._server is not None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(paths.socket)  # the lock is ours: whatever is there is left over
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(paths.socket)
            server.listen(LISTEN_BACKLOG)
            server.setblocking(False)
        except OSError:
            server.close()
            return  # no socket to be found by: run anyway, as before this existed
        self._server = server
        notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(self._accept)
        self._server_notifier = notifier

    def close(self) -> None:
        """Stop listening and let go of the database (the app is ending): the next start
        becomes the first."""
        for notifier in list(self._incoming):
            self._drop(notifier)
        if self._server_notifier is not None:
            self._server_notifier.setEnabled(False)
            self._server_notifier.deleteLater()
            self._server_notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
            if self._paths is not None:  # still ours: the lock is released only below
                with contextlib.suppress(OSError):
                    os.unlink(self._paths.socket)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # the lock goes with its file descriptor
            self._lock_fd = None

    # The notifiers' signals reach bound methods of this object (never lambdas): Qt cuts those
    # connections when this object goes, before its notifiers are destroyed.
    def _accept(self) -> None:
        while self._server is not None:
            try:
                connection, _address = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return  # none waiting
            except OSError:  # out of file descriptors or the like: the request stays queued
                self._rest_from_accepting()
                return
            connection.setblocking(False)
            notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
            self._incoming[notifier] = _Incoming(connection)
            notifier.activated.connect(self._ready_read)
            self._read(notifier)

    def _rest_from_accepting(self) -> None:
        """Stop being woken for the queued request for ACCEPT_RETRY_MS: the notifier fires as
        long as it waits, and trying again at once would keep the GUI thread busy."""
        notifier = self._server_notifier
        if notifier is None:
            return
        notifier.setEnabled(False)
        QTimer.singleShot(ACCEPT_RETRY_MS, notifier, lambda: notifier.setEnabled(True))

    def _ready_read(self) -> None:
        notifier = self.sender()
        if isinstance(notifier, QSocketNotifier):
            self._read(notifier)

    def _read(self, notifier: QSocketNotifier) -> None:
        incoming = self._incoming.get(notifier)
        while incoming is not None:
            try:
                chunk = incoming.connection.recv(MAX_MESSAGE_BYTES)
            except (BlockingIOError, InterruptedError):
                return  # all read for now
            except OSError:
                chunk = b""  # reset by the sender: it is gone
            incoming.received += chunk
            # a whole line, or the sender ended before its newline was read: take what came
            if not chunk or b"\n" in incoming.received[:MAX_MESSAGE_BYTES]:
                self._drop(notifier)
                self.activated.emit(decode_request(incoming.received))
                return
            if len(incoming.received) >= MAX_MESSAGE_BYTES:
                self._drop(notifier)  # a line too long: not a request of a start
                return

    def _drop(self, notifier: QSocketNotifier) -> None:
        incoming = self._incoming.pop(notifier, None)
        notifier.setEnabled(False)
        notifier.deleteLater()
        if incoming is not None:
            incoming.connection.close()
