"""The doctor over bleak's real BlueZ backend: a private D-Bus daemon with python-dbusmock's
`bluez5` template stands in for the system's Bluetooth service.

Covers what only the system path shows: BlueZ not running, no adapter, adapter off, D-Bus
access refused (a bus policy, as in a sandbox without the Bluetooth permission), and a strap
found in a scan with its name, address and signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sensors.ble import SYSTEM_BACKEND
from sensors.doctor import Check, DoctorLimits, DoctorReport, HostOS, run_doctor
from tests.stubs import bounded

dbus = pytest.importorskip("dbus")
pytest.importorskip("dbusmock")
if sys.platform != "linux":  # pragma: no cover - the BlueZ backend exists on Linux only
    pytest.skip("BlueZ is Linux only", allow_module_level=True)

LIMITS = DoctorLimits(
    scan_s=1.0, listen_s=0.5, connect_timeout_s=1.0, connect_attempts=1, choose_s=0.05,
    adapter_timeout_s=5.0,
)  # fmt: skip
STARTUP_S = 15.0
MOCK_IFACE = "org.bluez.Mock"
HEART_RATE_UUID = "0000180d-0000-1000-8000-00805f9b34fb"
STRAP = "A0:9E:1A:12:34:56"
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
  </policy>
  {extra}
</busconfig>
"""
# What a sandbox without the Bluetooth permission looks like: BlueZ's objects cannot be listed.
DENY_BLUEZ = """<policy context="default">
    <deny send_destination="org.bluez" send_interface="org.freedesktop.DBus.ObjectManager"/>
  </policy>"""


@dataclass
class FakeBluez:
    address: str
    bus: Any
    mock: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.mock = subprocess.Popen(
            [sys.executable, "-m", "dbusmock", "--system", "--template", "bluez5"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_S
        while not self.bus.name_has_owner("org.bluez"):  # poll the mock with a deadline
            assert self.mock.poll() is None, "the BlueZ mock ended"
            assert time.monotonic() < deadline, "the BlueZ mock did not start"
            select.select([], [], [], 0.02)

    def discovering(self) -> bool:
        adapter = self.bus.get_object("org.bluez", "/org/bluez/hci0")
        return bool(
            adapter.Get("org.bluez.Adapter1", "Discovering", dbus_interface=dbus.PROPERTIES_IFACE)
        )

    def control(self) -> Any:
        return dbus.Interface(self.bus.get_object("org.bluez", "/"), MOCK_IFACE)

    def add_adapter(self, *, powered: bool = True) -> str:
        path = str(self.control().AddAdapter("hci0", "baseline-test"))
        if not powered:
            adapter = self.bus.get_object("org.bluez", path)
            adapter.UpdateProperties(
                "org.bluez.Adapter1",
                {"Powered": dbus.Boolean(False)},
                dbus_interface="org.freedesktop.DBus.Mock",
            )
        return path

    def add_strap(self, address: str, name: str, rssi: int) -> None:
        path = str(self.control().AddDevice("hci0", address, name))
        device = self.bus.get_object("org.bluez", path)
        device.UpdateProperties(
            "org.bluez.Device1",
            {
                "UUIDs": dbus.Array([HEART_RATE_UUID], signature="s"),
                "RSSI": dbus.Int16(rssi),
                # (the template starts these two as arrays; BlueZ sends dictionaries)
                "ServiceData": dbus.Dictionary({}, signature="sv"),
                "ManufacturerData": dbus.Dictionary(
                    {dbus.UInt16(0x006B): dbus.Array([dbus.Byte(1)], signature="y")},
                    signature="qv",
                ),
            },
            dbus_interface="org.freedesktop.DBus.Mock",
        )


@contextlib.contextmanager
def private_bus(tmp_path: Path, *, extra: str = "") -> Iterator[FakeBluez]:
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=tmp_path / "bus", extra=extra))
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    fake: FakeBluez | None = None
    try:
        assert daemon.stdout is not None
        ready, _, _ = select.select([daemon.stdout], [], [], STARTUP_S)
        assert ready, "dbus-daemon did not start"
        address = daemon.stdout.readline().decode().strip()
        fake = FakeBluez(address, dbus.bus.BusConnection(address))
        yield fake
    finally:
        if fake is not None:
            fake.bus.close()
            if fake.mock is not None:
                fake.mock.terminate()
                fake.mock.wait(10)
        daemon.terminate()
        daemon.wait(10)
        if daemon.stdout is not None:
            daemon.stdout.close()


async def doctor(
    fake: FakeBluez, monkeypatch: pytest.MonkeyPatch, scan_s: float = LIMITS.scan_s
) -> DoctorReport:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", fake.address)
    limits = dataclasses.replace(LIMITS, scan_s=scan_s)
    return await bounded(
        run_doctor(SYSTEM_BACKEND, limits=limits, host_os=HostOS.LINUX), "the doctor", 30.0
    )


def mock_env(fake: FakeBluez, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", fake.address)
    assert os.environ["DBUS_SYSTEM_BUS_ADDRESS"] == fake.address


@pytest.mark.asyncio
async def test_bluez_not_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with private_bus(tmp_path) as fake:
        report = await doctor(fake, monkeypatch)
    adapter = report.finding(Check.ADAPTER)
    assert adapter.ok is False
    assert "BlueZ" in adapter.detail and "systemctl start bluetooth" in adapter.detail
    assert [f.ok for f in report.findings[1:]] == [None] * 6 and report.exit_code == 1


@pytest.mark.asyncio
async def test_no_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with private_bus(tmp_path) as fake:
        mock_env(fake, monkeypatch)
        fake.start()
        report = await doctor(fake, monkeypatch)
    adapter = report.finding(Check.ADAPTER)
    assert adapter.ok is False and "no Bluetooth adapter" in adapter.detail


@pytest.mark.asyncio
async def test_adapter_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with private_bus(tmp_path) as fake:
        mock_env(fake, monkeypatch)
        fake.start()
        fake.add_adapter(powered=False)
        report = await doctor(fake, monkeypatch)
    adapter = report.finding(Check.ADAPTER)
    assert adapter.ok is False
    assert "Bluetooth is off" in adapter.detail and "bluetoothctl power on" in adapter.detail


@pytest.mark.asyncio
async def test_access_not_permitted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with private_bus(tmp_path, extra=DENY_BLUEZ) as fake:
        mock_env(fake, monkeypatch)
        fake.start()
        fake.add_adapter()
        report = await doctor(fake, monkeypatch)
    adapter = report.finding(Check.ADAPTER)
    assert adapter.ok is False
    assert "not permitted" in adapter.detail and "D-Bus" in adapter.detail


@pytest.mark.asyncio
async def test_no_strap_then_strap_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with private_bus(tmp_path) as fake:
        mock_env(fake, monkeypatch)
        fake.start()
        fake.add_adapter()
        report = await doctor(fake, monkeypatch)
        assert report.finding(Check.ADAPTER).ok is True
        assert report.finding(Check.STRAP_FOUND).ok is False

        # BlueZ reports what it hears while discovering: the strap starts advertising then
        scanning = asyncio.ensure_future(doctor(fake, monkeypatch, scan_s=10.0))
        deadline = time.monotonic() + STARTUP_S
        while not fake.discovering():
            assert not scanning.done() and time.monotonic() < deadline, "no discovery started"
            await asyncio.sleep(0.02)
        fake.add_strap(STRAP, "Polar H10 1234ABCD", -61)
        report = await scanning
    found = report.finding(Check.STRAP_FOUND)
    assert found.ok is True, found.detail
    assert "Polar H10 1234ABCD" in found.detail and STRAP in found.detail
    assert "-61 dBm (good)" in found.detail
    assert report.strap is not None and report.strap.rssi == -61
    # the mock connects but never resolves services (no GATT database), like a strap that hangs
    # on connect: the doctor gives up after its time-out and says who may hold the strap
    connect = report.finding(Check.CONNECT)
    assert connect.ok is False
    assert "did not accept a connection in time" in connect.detail
    assert "another app or phone may hold it" in connect.detail
    assert report.finding(Check.HEART_RATE).ok is None
    assert report.exit_code == 1
