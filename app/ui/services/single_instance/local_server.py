"""One app per database on Windows: Qt's local server, over a named pipe.

The first app listens from its claim on; a pipe ends with the app that made it, so nothing is
left behind. A later start connects, sends its line and exits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from app.ui.services.single_instance.request_line import (
    MAX_MESSAGE_BYTES,
    SHOW,
    decode_request,
    encode_request,
)

CONNECT_TIMEOUT_MS = 1000
SEND_TIMEOUT_MS = 2000


class SingleInstance(QObject):
    """Claim the database for this app, or hand `message` to the app that has it.

    Signals:
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

    def listen(self) -> None:
        """The claim listens already: a named pipe costs no more before the first paint."""

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
        socket.write(encode_request(message))
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
            self.activated.emit(decode_request(data))
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._pending:
            return
        data = self._pending[socket] + bytes(socket.readAll().data())
        if b"\n" in data:
            del self._pending[socket]
            self.activated.emit(decode_request(data))
        elif len(data) >= MAX_MESSAGE_BYTES:
            del self._pending[socket]
            socket.abort()
        else:
            self._pending[socket] = data
