"""One app per database: a second start hands its request to the first and ends.

The first app on a database is found through a local socket whose name is derived from the user
and the database's resolved path (`instance_key`), so another database, or another user, gets
another app. A later start sends one line (what it was asked to do) and exits; the first app
brings its window forward (`SingleInstance.activated`).

On Linux and macOS (`unix_socket`) a lock file decides which app is first and a Unix socket
carries the line, without Qt's network module (its libraries cost start-up time and memory for
the whole session); on Windows (`local_server`) Qt's local server does both over a named pipe.
Either way: `claim()` before the window's first paint, `listen()` after it, `close()` at the end.
"""

from __future__ import annotations

import sys

from app.ui.services.single_instance.key import instance_key
from app.ui.services.single_instance.request_line import MAX_MESSAGE_BYTES, SHOW

if sys.platform == "win32":
    from app.ui.services.single_instance.local_server import SingleInstance
else:
    from app.ui.services.single_instance.unix_socket import SingleInstance

__all__ = ["MAX_MESSAGE_BYTES", "SHOW", "SingleInstance", "instance_key"]
