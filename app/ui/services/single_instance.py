"""One app per database: a second start hands its request to the first and ends.

The first app on a database listens on a local socket (a Unix socket, a named pipe on Windows)
whose name is derived from the user and the database's resolved path, so another database, or
another user, gets another app. A later start connects, sends one line (what it was asked to
do) and exits; the first app brings its window forward (`activated`). A socket left behind by
an app that died is found by the failed connection and replaced.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 1000
SEND_TIMEOUT_MS = 2000
MAX_MESSAGE_BYTES = 4096
SHOW = "show"  # the request of a plain second start: bring the window forward


def instance_key(db_path: Path) -> str:
    """The socket name of the app on `db_path` for this user (the same for every spelling)."""
    try:
        resolved = db_path.expanduser().resolve()
    except OSError:
        resolved = db_path.expanduser().absolute()
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    # A name, not a secret: two checksums (zlib is loaded already, where hashlib would load
    # OpenSSL before the first paint, about 10 ms); different databases of one user differ.
    data = f"{user}\0{resolved}".encode("utf-8", "surrogateescape")
    return f"baseline-{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


class SingleInstance(QObject):
    """Claim the database for this app, or hand `message` to the app that has it.

    activated(str): a later start on the same database sent its request (one line).
    """

    activated = Signal(str)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self._server: QLocalServer | None = None
        self._pending: dict[QLocalSocket, bytes] = {}

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.isListening()

    def claim(self, message: str = SHOW) -> bool:
        """True when this app is now the one on the database; False when another one runs and
        got `message` (then this app should end)."""
        if self._send(message):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            if server.serverError() == QAbstractSocket.SocketError.AddressInUseError and (
                self._send(message)
            ):
                return False  # another app started at the same moment and won
            QLocalServer.removeServer(self.key)  # left behind by an app that died
            if not server.listen(self.key):
                return True  # no socket to be found by: run anyway, as before this existed
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def close(self) -> None:
        """Stop listening (the app is ending): the next start becomes the first."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self._pending.clear()

    def _send(self, message: str) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        line = message.replace("\n", " ").encode("utf-8", "replace")[: MAX_MESSAGE_BYTES - 1]
        socket.write(line + b"\n")
        sent = socket.waitForBytesWritten(SEND_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(SEND_TIMEOUT_MS)
        return sent

    # The sockets' signals reach bound methods of this object (never lambdas): Qt cuts those
    # connections when this object goes, before its server and sockets are destroyed.
    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            socket = server.nextPendingConnection()
            self._pending[socket] = b""
            socket.readyRead.connect(self._ready_read)
            socket.disconnected.connect(self._disconnected)
            self._read(socket)

    def _ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _disconnected(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        data = self._pending.pop(socket, None)
        if data is not None:  # the sender ended before its line was read here: take what came
            data += bytes(socket.readAll().data())
            self.activated.emit(data.split(b"\n", 1)[0].decode("utf-8", "replace").strip() or SHOW)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._pending:
            return
        data = self._pending[socket] + bytes(socket.readAll().data())
        if b"\n" in data:
            del self._pending[socket]
            self.activated.emit(data.split(b"\n", 1)[0].decode("utf-8", "replace").strip() or SHOW)
        elif len(data) >= MAX_MESSAGE_BYTES:
            del self._pending[socket]
            socket.abort()
        else:
            self._pending[socket] = data
