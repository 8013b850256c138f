"""`baseline record` and `baseline scan`: in process with the demo strap and bad input, and one
slow end-to-end run of the real program against bumble's TCP controllers and an emulated strap."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bumble import hci
from bumble.device import Device
from bumble.transport import open_transport

from app.cli import main
from app.commands import record as record_command
from app.session.engine import MIN_KEPT_S, SHORT_SESSION_NOTE
from app.store import open_store
from app.store.records import SettingKey
from sensors.hrs import encode_measurement, parse_measurement
from tests.stubs import (
    STEP_TIMEOUT_S,
    STRAP_ADDRESS,
    EmulatedStrap,
    bounded,
    tcp_controllers,
    wait_until,
)

CLI_TIMEOUT_S = 60.0
RECORD_S = 33.0
"""The bumble recording's length: over the 30 s a session needs to be kept."""


def test_record_demo_strap(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(record_command.DEMO_SPEED_ENV, "40")
    started = time.monotonic()
    code = main(["record", "--sensor", "demo", "--minutes", "0.5", "--kind", "breathing",
                 "--db", str(db_path)])  # fmt: skip
    assert code == 0
    assert time.monotonic() - started < 5.0
    out, err = capsys.readouterr()
    assert "connected to Demo strap" in err
    store = open_store(db_path)
    (session,) = store.sessions()
    assert (session.kind, session.status, session.sensor_name) == (
        "breathing",
        "complete",
        "Demo strap",
    )
    assert session.duration_s is not None and 29.0 <= session.duration_s <= 32.0
    beats = store.beats(session.id)
    assert 20 <= len(beats) <= 40
    assert f"session {session.id}:" in out and f"{len(beats)} beats" in out
    assert all(r.bpm > 0 for r in store.heart_rate(session.id))
    assert store.get_setting(SettingKey.LAST_STRAP) is None  # the demo is not remembered as a strap
    store.close()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["record", "--minutes", "abc"], "--minutes must be a number"),
        (["record", "--minutes", "0"], "--minutes must be a positive number"),
        (["record", "--minutes", "0.49"], "Sessions shorter than 30 s are not kept"),
        (["scan", "--seconds", "-2"], "--seconds must be a positive number"),
        (["scan", "--seconds", "0.1", "--ble-transport", "nonsense:1"], "cannot open Bluetooth"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], fragment: str, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_record_too_short_to_keep_is_refused_before_anything_starts(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", "--sensor", "demo", "--minutes", "0.2", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert "--minutes must be at least 0.5" in err and err.count("\n") == 1
    assert not db_path.exists()


def test_record_with_unreachable_transport_leaves_no_session(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    code = main(["record", "--ble-transport", f"tcp-client:127.0.0.1:{port}", "--minutes", "1",
                 "--db", str(db_path)])  # fmt: skip
    assert code == 2
    assert "cannot open Bluetooth transport" in capsys.readouterr().err
    store = open_store(db_path)
    assert store.sessions() == []
    store.close()


async def stop_process(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL if it is still there after a few seconds; always reaped."""
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 5.0)
            return
        except TimeoutError:
            proc.kill()
    await asyncio.wait_for(proc.wait(), 5.0)


async def run_cli(*args: str, env: dict[str, str], runs_for_s: float = 0.0) -> tuple[int, str, str]:
    """Run `baseline ARGS`; it must finish within `CLI_TIMEOUT_S` beyond `runs_for_s`, the time
    it is asked to run for."""
    timeout_s = runs_for_s + CLI_TIMEOUT_S
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        out, err = await asyncio.wait_for(proc.communicate(), 5.0)
        pytest.fail(f"baseline {' '.join(args)} did not finish within {timeout_s:g} s:\n"
                    f"{err.decode()}")  # fmt: skip
    finally:  # also when the test is cancelled: never leave the program running
        if proc.returncode is None:
            proc.kill()
            await asyncio.wait_for(proc.wait(), 5.0)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_record_subprocess_over_bumble_tcp_controllers(tmp_path: Path) -> None:
    db_path = tmp_path / "record.db"
    env = {**os.environ, "BASELINE_DB": str(db_path)}
    recording: asyncio.Task[tuple[int, str, str]] | None = None
    async with tcp_controllers(2) as (central_port, strap_port):
        spec = f"tcp-client:127.0.0.1:{central_port}"
        try:
            # the strap's bumble host attaches to the second controller
            transport = await bounded(
                open_transport(f"tcp-client:127.0.0.1:{strap_port}"),
                "opening the strap's transport",
            )
            try:
                device = Device.with_hci(
                    "strap", hci.Address(STRAP_ADDRESS), transport.source, transport.sink
                )
                strap = EmulatedStrap(device, name="Emulated TCP strap")
                await bounded(strap.start(), "starting the emulated strap")

                code, out, err = await run_cli("scan", "--seconds", "1", "--ble-transport", spec,
                                               env=env)  # fmt: skip
                assert code == 0, err
                assert "Emulated TCP strap" in out and STRAP_ADDRESS in out

                # long enough to be kept (30 s); the packets and the dropped link come first
                recording = asyncio.create_task(
                    run_cli("record", "--ble-transport", spec, "--minutes", f"{RECORD_S / 60:g}",
                            env=env, runs_for_s=RECORD_S)
                )  # fmt: skip
                await strap.wait_subscribed(20.0)
                rr_units = iter(range(800, 2000, 7))
                for i in range(8):
                    if i < 2:
                        await strap.notify(encode_measurement(0, contact=False))
                    else:
                        await strap.notify(
                            encode_measurement(
                                70, contact=True, rr_units=(next(rr_units),) * (i % 3)
                            )
                        )
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.2)
                await bounded(strap.drop_link(), "dropping the link")
                await strap.wait_subscribed(20.0)
                for _ in range(5):
                    await strap.notify(
                        encode_measurement(
                            71, contact=True, rr_units=(next(rr_units), next(rr_units))
                        )
                    )
                    await asyncio.sleep(0.1)
                code, out, err = await recording
                await bounded(strap.close(), "closing the emulated strap")
            finally:
                await bounded(transport.close(), "closing the strap's transport")
        finally:
            if recording is not None and not recording.done():
                recording.cancel()  # run_cli kills the program
                with contextlib.suppress(asyncio.CancelledError):
                    await recording

    assert code == 0, err
    assert "link to the strap lost" in err
    store = open_store(db_path)
    (session,) = store.sessions()
    assert session.status == "complete"
    assert session.duration_s is not None and RECORD_S - 1.0 <= session.duration_s <= RECORD_S + 1.0
    assert session.sensor_address == STRAP_ADDRESS
    sent = [
        rr
        for payload in strap.sent_while_subscribed
        for m in [parse_measurement(payload)]
        if m.contact
        for rr in m.rr_ms
    ]
    beats = store.beats(session.id)
    assert [b.rr_ms for b in beats] == sent and len(sent) == 16
    assert sum(b.gap_before for b in beats) == 1
    assert [m.kind for m in store.marks(session.id)] == ["gap_start", "gap_end"]
    assert store.get_setting(SettingKey.LAST_STRAP) == {
        "address": STRAP_ADDRESS,
        "name": "Emulated TCP strap",
    }
    store.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_ends_the_recording_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    db_path = tmp_path / "signal.db"
    # 100x: the recording passes the shortest session kept within about half a second
    env = {**os.environ, "BASELINE_DB": str(db_path), "BASELINE_DEMO_SPEED": "100"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "record", "--sensor", "demo",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        while True:
            line = await bounded(proc.stderr.readline(), "waiting for the recording to start")
            assert line, "record exited before it started recording"
            if b"recording session" in line:
                break
        reader = open_store(db_path)  # a second connection, as another program would read
        try:
            (running,) = reader.sessions()

            def kept_length_recorded() -> bool:
                beats = reader.beats(running.id)
                return bool(beats) and beats[-1].t_ms >= (MIN_KEPT_S + 5.0) * 1000.0

            await wait_until(
                kept_length_recorded, STEP_TIMEOUT_S, "a recording long enough to keep"
            )
        finally:
            reader.close()
        proc.send_signal(signum)
        out, _ = await bounded(proc.communicate(), "record ending on the signal")
    finally:
        await stop_process(proc)
    assert proc.returncode == 0
    store = open_store(db_path)
    (session,) = store.sessions()
    assert session.status == "complete" and session.ended_at is not None
    assert f"session {session.id}:" in out.decode()
    store.close()


@pytest.mark.asyncio
async def test_a_recording_stopped_before_30_s_is_not_kept(tmp_path: Path) -> None:
    db_path = tmp_path / "short.db"
    env = {**os.environ, "BASELINE_DB": str(db_path), "BASELINE_DEMO_SPEED": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "record", "--sensor", "demo",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        while True:
            line = await bounded(proc.stderr.readline(), "waiting for the recording to start")
            assert line, "record exited before it started recording"
            if b"recording session" in line:
                break
        proc.send_signal(signal.SIGINT)  # a second or two in: far under 30 s
        out, _ = await bounded(proc.communicate(), "record ending on the signal")
    finally:
        await stop_process(proc)
    assert proc.returncode == 0
    assert "not kept" in out.decode() and SHORT_SESSION_NOTE in out.decode()
    store = open_store(db_path)
    assert store.sessions() == []
    store.close()
