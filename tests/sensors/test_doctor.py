"""The connection doctor end to end over the real bleak code on bumble, with emulated straps:
a good strap, one that sends heart rate without RR, one that refuses the connection, no strap;
and `baseline doctor` itself (JSON, exit codes) against bumble's TCP controllers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest
from bumble import hci
from bumble.device import Device
from bumble.transport import open_transport

from app.cli import main
from app.commands import record as record_command
from app.commands.errors import CommandError
from app.store import open_store
from app.store.records import SessionKind
from sensors.ble import MSG_NOT_FOUND, BleBackend, BleStrapSource
from sensors.doctor import Check, DoctorLimits, DoctorReport, Finding, HostOS, run_doctor
from sensors.hrs import encode_measurement
from sensors.source import ConnectionEvent, EventKind
from tests.stubs import STRAP_ADDRESS, EmulatedStrap, bounded, bumble_rig, tcp_controllers

FAST = DoctorLimits(
    scan_s=2.0, listen_s=1.0, connect_timeout_s=3.0, connect_attempts=2, choose_s=0.05
)
GOOD = [encode_measurement(0, contact=False)] + [
    encode_measurement(60 + i, contact=True, rr_units=(1000 + i, 990 - i)) for i in range(5)
]
NO_RR = [encode_measurement(72, contact=True) for _ in range(5)]


async def feed(strap: EmulatedStrap, payloads: list[bytes]) -> None:
    """Once the doctor subscribes, send these measurements."""
    await strap.wait_subscribed(10.0)
    for payload in payloads:
        await strap.notify(payload)


async def doctor_with(
    strap_task: Awaitable[None] | None, backend: BleBackend, **kwargs: object
) -> DoctorReport:
    feeder = asyncio.ensure_future(strap_task) if strap_task is not None else None
    try:
        return await bounded(
            run_doctor(backend, limits=FAST, host_os=HostOS.LINUX, **kwargs),  # type: ignore[arg-type]
            "the doctor",
            30.0,
        )
    finally:
        if feeder is not None:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await feeder


def oks(report: DoctorReport) -> dict[str, bool | None]:
    return {f.check.value: f.ok for f in report.findings}


@pytest.mark.asyncio
async def test_good_strap_passes_every_check() -> None:
    async with bumble_rig() as r:
        strap = await r.add_strap(name="Good HRM", battery_pct=81)
        heard: list[Finding] = []
        report = await doctor_with(feed(strap, GOOD), r.backend, on_finding=heard.append)
    assert [f.check for f in report.findings] == list(Check)
    assert heard == list(report.findings)  # told as they were made, in order
    assert oks(report) == dict.fromkeys([c.value for c in Check], True)
    assert report.exit_code == 0 and report.healthy
    assert report.strap is not None and report.strap.address == STRAP_ADDRESS
    found = report.finding(Check.STRAP_FOUND).detail
    assert "Good HRM" in found and STRAP_ADDRESS in found and "dBm" in found
    assert "6 measurements" in report.finding(Check.HEART_RATE).detail
    assert "60-64 bpm" in report.finding(Check.HEART_RATE).detail
    assert "10 beat intervals" in report.finding(Check.BEAT_INTERVALS).detail
    assert report.finding(Check.BATTERY).detail == "battery 81 %"


@pytest.mark.asyncio
async def test_heart_rate_without_rr_is_said_plainly() -> None:
    async with bumble_rig() as r:
        strap = await r.add_strap(name="Cheap HRM")
        report = await doctor_with(feed(strap, NO_RR), r.backend)
    assert oks(report) == {
        "adapter": True, "strap-found": True, "connect": True, "heart-rate": True,
        "beat-intervals": False, "contact": True, "battery": True,
    }  # fmt: skip
    detail = report.finding(Check.BEAT_INTERVALS).detail
    assert "no beat intervals" in detail and "HRV needs them" in detail and "watches" in detail
    assert report.exit_code == 1


@pytest.mark.asyncio
async def test_strap_that_refuses_the_connection() -> None:
    async with bumble_rig() as r:
        strap = await r.add_strap(name="Held HRM", refuse_connections=True)
        report = await doctor_with(None, r.backend)
    assert oks(report) == {
        "adapter": True, "strap-found": True, "connect": False, "heart-rate": None,
        "beat-intervals": None, "contact": None, "battery": None,
    }  # fmt: skip
    assert "another app or phone may hold it" in report.finding(Check.CONNECT).detail
    assert strap.connections == FAST.connect_attempts
    assert report.exit_code == 1


@pytest.mark.asyncio
async def test_no_strap() -> None:
    async with bumble_rig() as r:
        await r.add_strap(advertise_heart_rate=False)  # some other device nearby
        started = time.monotonic()
        report = await doctor_with(None, r.backend)
        elapsed_s = time.monotonic() - started
    assert oks(report)["adapter"] is True and oks(report)["strap-found"] is False
    assert [f.ok for f in report.findings[2:]] == [None] * 5
    assert "no heart-rate strap was advertising" in report.finding(Check.STRAP_FOUND).detail
    assert report.exit_code == 1
    assert elapsed_s < FAST.scan_s + 3.0


@pytest.mark.asyncio
async def test_no_contact_and_lost_contact() -> None:
    async with bumble_rig() as r:
        strap = await r.add_strap()
        payloads = [encode_measurement(0, contact=False)] * 3
        report = await doctor_with(feed(strap, payloads), r.backend)
        assert oks(report)["heart-rate"] is False and oks(report)["contact"] is False
        assert oks(report)["beat-intervals"] is None
        assert "0 bpm" in report.finding(Check.HEART_RATE).detail

        flaky = [
            encode_measurement(70, contact=True, rr_units=(860,)),
            encode_measurement(0, contact=False),
            encode_measurement(71, contact=True, rr_units=(850,)),
        ]
        report = await doctor_with(feed(strap, flaky), r.backend)
    assert oks(report)["contact"] is False and oks(report)["beat-intervals"] is True
    assert "lost once" in report.finding(Check.CONTACT).detail
    assert report.exit_code == 1


@pytest.mark.asyncio
async def test_low_battery_and_address_filter() -> None:
    async with bumble_rig() as r:
        strap = await r.add_strap(battery_pct=4)
        report = await doctor_with(feed(strap, GOOD), r.backend, address=STRAP_ADDRESS.lower())
        assert oks(report)["battery"] is False and "4 %" in report.finding(Check.BATTERY).detail
        assert report.exit_code == 1
        other = await doctor_with(None, r.backend, address="AA:BB:CC:DD:EE:FF")
    assert oks(other)["strap-found"] is False
    assert "AA:BB:CC:DD:EE:FF" in other.finding(Check.STRAP_FOUND).detail


# -- the command, in process, against TCP controllers ---------------------------------------
async def cli_doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = await bounded(asyncio.to_thread(main, ["doctor", *args]), "baseline doctor", 40.0)
    out, err = capsys.readouterr()
    return code, out, err


@contextlib.asynccontextmanager
async def tcp_strap(**kwargs: object) -> AsyncIterator[tuple[str, EmulatedStrap | None]]:
    """A central TCP controller spec and, unless `kwargs` has none=True, a strap on the link."""
    async with tcp_controllers(2) as (central_port, strap_port):
        spec = f"tcp-client:127.0.0.1:{central_port}"
        if kwargs.pop("none", False):
            yield spec, None
            return
        transport = await bounded(
            open_transport(f"tcp-client:127.0.0.1:{strap_port}"), "opening the strap transport"
        )
        try:
            device = Device.with_hci(
                "strap", hci.Address(STRAP_ADDRESS), transport.source, transport.sink
            )
            strap = EmulatedStrap(device, **kwargs)  # type: ignore[arg-type]
            await bounded(strap.start(), "starting the strap")
            yield spec, strap
            await bounded(strap.close(), "closing the strap")
        finally:
            await bounded(transport.close(), "closing the strap transport")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("good", [True] * 7),
        ("no-rr", [True, True, True, True, False, True, True]),
        pytest.param(  # two connection attempts of up to 12 s each
            "refuses", [True, True, False, None, None, None, None], marks=pytest.mark.slow
        ),
        ("none", [True, False, None, None, None, None, None]),
    ],
)
async def test_cli_json_and_exit_codes(
    kind: str, expected: list[bool | None], capsys: pytest.CaptureFixture[str]
) -> None:
    table: dict[str, dict[str, object]] = {
        "good": {}, "no-rr": {}, "refuses": {"refuse_connections": True}, "none": {"none": True},
    }  # fmt: skip
    options = table[kind]
    async with tcp_strap(**options) as (spec, strap):
        feeder = None
        if strap is not None and kind != "refuses":
            feeder = asyncio.ensure_future(feed(strap, GOOD if kind == "good" else NO_RR))
        try:
            code, out, err = await cli_doctor(
                capsys, "--ble-transport", spec, "--seconds", "2", "--json"
            )
        finally:
            if feeder is not None:
                feeder.cancel()
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await feeder
    rows = json.loads(out)
    assert [row["check"] for row in rows] == [c.value for c in Check]
    assert [row["ok"] for row in rows] == expected, rows
    assert all(set(row) == {"check", "ok", "detail"} and row["detail"] for row in rows)
    assert code == (0 if kind == "good" else 1), err


@pytest.mark.asyncio
async def test_cli_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    async with tcp_strap(name="Text HRM") as (spec, strap):
        assert strap is not None
        feeder = asyncio.ensure_future(feed(strap, GOOD))
        try:
            code, out, err = await cli_doctor(capsys, "--ble-transport", spec, "--seconds", "2")
        finally:
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await feeder
    lines = out.splitlines()
    assert [line.split(":")[0].split()[-1] for line in lines] == [c.value for c in Check]
    assert all(line.startswith("ok ") for line in lines)
    assert "Text HRM" in out and code == 0 and "ready for HRV" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["doctor", "--seconds", "0"], "--seconds must be a positive number"),
        (["doctor", "--seconds", "x"], "--seconds must be a number"),
        (["doctor", "--seconds", "1", "--ble-transport", "nonsense:1"], "cannot open Bluetooth"),
    ],
)
def test_doctor_usage_errors_exit_2(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_a_recording_that_cannot_start_points_to_the_doctor(db_path: Path) -> None:
    store = open_store(db_path)
    try:
        recording = record_command._Recording(
            store, BleStrapSource(), kind=SessionKind.RECORDING, clock=time.monotonic,
            duration_s=None, remember_strap=False,
        )  # fmt: skip
        recording.engine.start()
        recording.engine.feed(ConnectionEvent(EventKind.FAILED, 0.0, message=MSG_NOT_FOUND))
        with pytest.raises(CommandError) as raised:
            recording.finish()
        assert str(raised.value).startswith(MSG_NOT_FOUND)
        assert "`baseline doctor` checks the strap step by step" in str(raised.value)
        assert store.sessions() == []
    finally:
        store.close()
