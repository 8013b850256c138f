"""`baseline record` and `baseline scan`: in process with the demo strap and bad input, and one
slow end-to-end run of the real program against bumble's TCP controllers and an emulated strap."""

from __future__ import annotations

import asyncio
import functools
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
from app.store import open_store
from sensors.hrs import encode_measurement, parse_measurement
from sensors.simulated import DemoStrap
from tests.sensors.emulated_strap import STRAP_ADDRESS, EmulatedStrap


def test_record_demo_strap(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(record_command, "DemoStrap", functools.partial(DemoStrap, speed=40.0))
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
    assert store.get_setting("last_strap") is None  # the demo is not remembered as a strap
    store.close()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["record", "--minutes", "abc"], "--minutes must be a number"),
        (["record", "--minutes", "0"], "--minutes must be a positive number"),
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


def test_record_with_unreachable_transport_leaves_no_session(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    code = main(["record", "--ble-transport", f"tcp-client:127.0.0.1:{port}", "--minutes", "0.1",
                 "--db", str(db_path)])  # fmt: skip
    assert code == 2
    assert "cannot open Bluetooth transport" in capsys.readouterr().err
    store = open_store(db_path)
    assert store.sessions() == []
    store.close()


def free_ports(count: int) -> list[int]:
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


async def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", *args,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60.0)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_record_subprocess_over_bumble_tcp_controllers(tmp_path: Path) -> None:
    central_port, strap_port = free_ports(2)
    controllers = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bumble.apps.controllers",
        f"tcp-server:127.0.0.1:{central_port}", f"tcp-server:127.0.0.1:{strap_port}",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    db_path = tmp_path / "record.db"
    env = {**os.environ, "BASELINE_DB": str(db_path)}
    spec = f"tcp-client:127.0.0.1:{central_port}"
    try:
        await wait_for_port(strap_port)
        # the strap's bumble host attaches to the second controller (a controller keeps its
        # state across TCP clients, so the probe connection above does no harm)
        transport = await open_transport(f"tcp-client:127.0.0.1:{strap_port}")
        try:
            device = Device.with_hci(
                "strap", hci.Address(STRAP_ADDRESS), transport.source, transport.sink
            )
            strap = EmulatedStrap(device, name="Emulated TCP strap")
            await strap.start()

            code, out, err = await run_cli("scan", "--seconds", "1", "--ble-transport", spec,
                                           env=env)  # fmt: skip
            assert code == 0, err
            assert "Emulated TCP strap" in out and STRAP_ADDRESS in out

            recording = asyncio.create_task(
                run_cli("record", "--ble-transport", spec, "--minutes", "0.2", env=env)
            )
            await strap.wait_subscribed(20.0)
            rr_units = iter(range(800, 2000, 7))
            for i in range(8):
                if i < 2:
                    await strap.notify(encode_measurement(0, contact=False))
                else:
                    await strap.notify(
                        encode_measurement(70, contact=True, rr_units=(next(rr_units),) * (i % 3))
                    )
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.2)
            await strap.drop_link()
            await strap.wait_subscribed(20.0)
            for _ in range(5):
                await strap.notify(
                    encode_measurement(71, contact=True, rr_units=(next(rr_units), next(rr_units)))
                )
                await asyncio.sleep(0.1)
            code, out, err = await recording
            await strap.close()
        finally:
            await transport.close()
    finally:
        controllers.terminate()
        await controllers.wait()

    assert code == 0, err
    assert "link to the strap lost" in err
    store = open_store(db_path)
    (session,) = store.sessions()
    assert session.status == "complete"
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
    assert store.get_setting("last_strap") == {
        "address": STRAP_ADDRESS,
        "name": "Emulated TCP strap",
    }
    store.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_signal_ends_the_recording_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    db_path = tmp_path / "signal.db"
    env = {**os.environ, "BASELINE_DB": str(db_path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "record", "--sensor", "demo",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stderr is not None
    while b"recording session" not in await asyncio.wait_for(proc.stderr.readline(), 30.0):
        pass
    await asyncio.sleep(0.5)
    proc.send_signal(signum)
    out, _ = await asyncio.wait_for(proc.communicate(), 30.0)
    assert proc.returncode == 0
    store = open_store(db_path)
    (session,) = store.sessions()
    assert session.status == "complete" and session.ended_at is not None
    assert f"session {session.id}:" in out.decode()
    store.close()
