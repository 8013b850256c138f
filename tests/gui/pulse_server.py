"""A private PulseAudio server with one null sink (`null`), for the tests that play sound."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0

needs_pulseaudio = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pulseaudio", "parec", "pacat", "pactl")),
    reason="needs pulseaudio, parec, pacat and pactl (Debian pulseaudio, pulseaudio-utils)",
)


@contextlib.contextmanager
def private_pulse_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Start the server in `tmp_path`; yields the environment its clients use (nothing of the
    user's own audio). It is stopped at the end of the block."""
    runtime = tmp_path / "rt"
    runtime.mkdir(mode=0o700)
    env = dict(
        os.environ,
        XDG_RUNTIME_DIR=str(runtime),
        HOME=str(runtime),
        PULSE_SERVER=f"unix:{runtime}/pulse/native",
        QT_QPA_PLATFORM="offscreen",
    )
    server = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--load=module-null-sink sink_name=null",
            "--load=module-native-protocol-unix",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (runtime / "pulse" / "native").exists():
            assert server.poll() is None, "PulseAudio exited at start-up"
            assert time.monotonic() < deadline, "PulseAudio did not start"
            time.sleep(0.05)
        yield env
    finally:
        stop(server)


def stop(process: subprocess.Popen[bytes], signal_first: bool = True) -> None:
    """End `process` (SIGTERM first, unless told not to, then SIGKILL), never waiting long."""
    if process.poll() is None and signal_first:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_TIMEOUT_S)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
