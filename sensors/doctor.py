"""The connection doctor: checks Bluetooth and a heart-rate strap step by step.

`run_doctor` runs, in order, `adapter` (Bluetooth present, on, permitted), `strap-found` (a
device advertising the Heart Rate service), `connect`, `heart-rate` (measurements arrive, at
what rate), `beat-intervals` (they carry RR intervals), `contact` (skin contact reported and
held) and `battery`, and reports each as a `Finding` whose detail says, in plain words, what
was seen and what to do on this operating system. A check that could not run because an
earlier one failed has `ok = None`.

`explain_error` turns the texts bleak raises on Linux (BlueZ over D-Bus), macOS (CoreBluetooth)
and Windows (WinRT) into that advice; it lives in `sensors.bluetooth_advice` (no bleak loaded),
shared with the app's banner, and is re-exported here. This module loads bleak.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from sensors.ble import (
    BATTERY_LEVEL_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    SYSTEM_BACKEND,
    BleBackend,
    FoundStrap,
    _advertises_heart_rate,
    _same_address,
    _scanner,
    allow_sta_on_windows,
)
from sensors.bluetooth_advice import HELD_ADVICE
from sensors.bluetooth_advice import HostOS as HostOS
from sensors.bluetooth_advice import adapter_problem as adapter_problem
from sensors.bluetooth_advice import explain_adapter_problem as explain_adapter_problem
from sensors.bluetooth_advice import explain_connect_problem as explain_connect_problem
from sensors.bluetooth_advice import explain_error as explain_error
from sensors.doctor_findings import Check as Check
from sensors.doctor_findings import DoctorLimits as DoctorLimits
from sensors.doctor_findings import DoctorReport as DoctorReport
from sensors.doctor_findings import Finding as Finding
from sensors.hrs import HeartRateMeasurement, MalformedMeasurement, parse_measurement

DEFAULT_LIMITS = DoctorLimits()
LOW_BATTERY_PCT = 10
WEAK_SIGNAL_DBM = -85
FAIR_SIGNAL_DBM = -70
NOT_REACHED = "not checked: an earlier step failed"


# -- the checks -----------------------------------------------------------------------------
def _signal_words(rssi: int) -> str:
    if rssi >= FAIR_SIGNAL_DBM:
        return "good"
    if rssi >= WEAK_SIGNAL_DBM:
        return "fair"
    return "weak: bring the strap closer to the computer"


def _not_found_detail(address: str | None, scan_s: float, host_os: HostOS) -> str:
    which = f"no heart-rate strap with address {address}" if address else "no heart-rate strap"
    advice = (
        "wear the strap (most sleep until they touch moist skin), keep it within a few metres, "
        "and make sure no phone or other app is connected to it (a connected strap stops "
        "advertising); a watch must have heart-rate broadcast turned on"
    )
    if address and host_os is HostOS.MACOS:
        advice += (
            "; macOS shows a per-computer identifier instead of the strap's address: run "
            "`baseline scan` and use the identifier it lists"
        )
    return f"{which} was advertising within {scan_s:g} s: {advice}"


@dataclass
class _Listening:
    measurements: list[tuple[float, HeartRateMeasurement]]
    malformed: int = 0


def _range(values: list[float], unit: str) -> str:
    low, high = min(values), max(values)
    if round(low) == round(high):
        return f"{low:.0f} {unit}"
    return f"{low:.0f}-{high:.0f} {unit}"


def _heart_rate_finding(heard: _Listening, listened_s: float) -> Finding:
    count = len(heard.measurements)
    if count == 0:
        extra = f" ({heard.malformed} unreadable packets)" if heard.malformed else ""
        return Finding(
            Check.HEART_RATE,
            False,
            f"connected, but no heart-rate measurements arrived in {listened_s:.0f} s{extra}: "
            "wear the strap with moist electrodes; if it stays silent, take its battery out "
            "for 10 s, and close other apps that may hold it",
        )
    rate = count / max(listened_s, 1e-9)
    beating = [float(m.bpm) for _, m in heard.measurements if m.bpm > 0]
    if not beating:
        return Finding(
            Check.HEART_RATE,
            False,
            f"{count} measurements in {listened_s:.0f} s (about {rate:.1f} a second), but all "
            "report 0 bpm: the strap does not feel a heartbeat; moisten the electrodes and "
            "wear it snugly just below the chest muscles",
        )
    return Finding(
        Check.HEART_RATE,
        True,
        f"{count} measurements in {listened_s:.0f} s (about {rate:.1f} a second), heart rate "
        f"{_range(beating, 'bpm')}",
    )


def _beat_interval_finding(heard: _Listening) -> Finding:
    beating = [m for _, m in heard.measurements if m.bpm > 0 and m.contact is not False]
    if not beating:
        return Finding(
            Check.BEAT_INTERVALS, None, "not checked: no heartbeat was measured (see heart-rate)"
        )
    rr_ms = [rr for m in beating for rr in m.rr_ms]
    if not rr_ms:
        return Finding(
            Check.BEAT_INTERVALS,
            False,
            f"the strap sends heart rate but no beat intervals (RR) in {len(beating)} "
            "measurements: HRV needs them. Some straps, and most watches in heart-rate "
            "broadcast mode, send heart rate only; Baseline can show your heart rate but "
            "cannot compute HRV with this device. A chest strap that sends RR intervals "
            "(most do) is needed",
        )
    return Finding(
        Check.BEAT_INTERVALS,
        True,
        f"{len(rr_ms)} beat intervals (RR), {_range(rr_ms, 'ms')}",
    )


def _contact_finding(heard: _Listening) -> Finding:
    states = [m.contact for _, m in heard.measurements if m.contact is not None]
    if not heard.measurements:
        return Finding(Check.CONTACT, None, NOT_REACHED)
    if not states:
        return Finding(
            Check.CONTACT, None, "the strap does not report skin contact (nothing to check)"
        )
    if True not in states:
        return Finding(
            Check.CONTACT,
            False,
            "the strap reports no skin contact: moisten the electrodes (water or gel) and wear "
            "the strap snugly just below the chest muscles",
        )
    since_contact = states[states.index(True) :]
    losses = sum(1 for before, after in itertools.pairwise(since_contact) if before and not after)
    if losses:
        times = "once" if losses == 1 else f"{losses} times"
        return Finding(
            Check.CONTACT,
            False,
            f"skin contact was lost {times} while listening: tighten the strap and moisten the "
            "electrodes; dry skin, a loose strap or worn electrodes cause gaps",
        )
    return Finding(Check.CONTACT, True, "skin contact reported and held")


def _battery_finding(battery: bytes | None) -> Finding:
    if not battery:
        return Finding(Check.BATTERY, None, "the strap does not report its battery level")
    level = battery[0]
    if level < LOW_BATTERY_PCT:
        return Finding(
            Check.BATTERY,
            False,
            f"battery {level} %: low; replace the battery or charge the strap (a weak battery "
            "causes dropped links)",
        )
    return Finding(Check.BATTERY, True, f"battery {level} %")


def _fill(findings: list[Finding], why: str = NOT_REACHED) -> tuple[Finding, ...]:
    done = {f.check for f in findings}
    return tuple(findings) + tuple(Finding(c, None, why) for c in Check if c not in done)


class Doctor:
    """Runs the checks over one backend; `on_finding` hears each finding as it is made."""

    def __init__(
        self,
        backend: BleBackend = SYSTEM_BACKEND,
        *,
        address: str | None = None,
        limits: DoctorLimits = DEFAULT_LIMITS,
        host_os: HostOS | None = None,
        on_finding: Callable[[Finding], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backend = backend
        self._address = address
        self._limits = limits
        self._os = host_os or HostOS.current()
        self._on_finding = on_finding
        self._clock = clock
        self._findings: list[Finding] = []

    def _add(self, finding: Finding) -> None:
        self._findings.append(finding)
        if self._on_finding is not None:
            self._on_finding(finding)

    def _report(self, strap: FoundStrap | None) -> DoctorReport:
        for finding in _fill(self._findings)[len(self._findings) :]:
            self._add(finding)
        return DoctorReport(tuple(self._findings), strap)

    async def run(self) -> DoctorReport:
        allow_sta_on_windows()
        hit = await self._adapter_and_scan()
        if hit is None:
            return self._report(None)
        device, adv = hit
        strap = FoundStrap(adv.local_name or device.name, device.address, adv.rssi)
        await self._connect_and_listen(device, strap)
        return self._report(strap)

    async def _adapter_and_scan(self) -> tuple[BLEDevice, AdvertisementData] | None:
        seen: dict[str, tuple[BLEDevice, AdvertisementData]] = {}
        first = asyncio.Event()

        def on_advertisement(device: BLEDevice, adv: AdvertisementData) -> None:
            if not _advertises_heart_rate(adv):
                return
            if self._address is not None and not _same_address(device.address, self._address):
                return
            seen[device.address] = (device, adv)
            first.set()

        try:
            scanner = _scanner(self._backend, on_advertisement)
            await asyncio.wait_for(scanner.start(), self._limits.adapter_timeout_s)
        except (BleakError, OSError, TimeoutError) as exc:
            detail = explain_adapter_problem(exc, self._os)
            if detail is None:
                detail = f"Bluetooth could not start scanning: {exc or type(exc).__name__}"
            self._add(Finding(Check.ADAPTER, False, detail))
            return None
        self._add(
            Finding(Check.ADAPTER, True, f"Bluetooth is on and usable ({self._backend.label})")
        )
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(first.wait(), self._limits.scan_s)
                if self._address is None:
                    await asyncio.sleep(self._limits.choose_s)  # let stronger straps show up
        finally:
            with contextlib.suppress(BleakError, OSError, TimeoutError):
                await asyncio.wait_for(scanner.stop(), 5.0)
        if not seen:
            self._add(
                Finding(
                    Check.STRAP_FOUND,
                    False,
                    _not_found_detail(self._address, self._limits.scan_s, self._os),
                )
            )
            return None
        device, adv = max(seen.values(), key=lambda hit: hit[1].rssi)
        name = adv.local_name or device.name or "(no name)"
        others = f"; {len(seen) - 1} more heart-rate sensor(s) nearby" if len(seen) > 1 else ""
        self._add(
            Finding(
                Check.STRAP_FOUND,
                True,
                f"{name} ({device.address}), signal {adv.rssi} dBm ({_signal_words(adv.rssi)})"
                f"{others}",
            )
        )
        return device, adv

    async def _connect(
        self, device: BLEDevice, name: str, lost: asyncio.Event
    ) -> BleakClient | None:
        error: BaseException | None = None
        for _ in range(max(self._limits.connect_attempts, 1)):
            lost.clear()
            client = BleakClient(
                device,
                disconnected_callback=lambda _client: lost.set(),
                timeout=self._limits.connect_timeout_s,
                backend=self._backend.client,
                **dict(self._backend.kwargs),
            )
            try:
                await asyncio.wait_for(client.connect(), self._limits.connect_timeout_s)
            except (BleakError, OSError, TimeoutError) as exc:
                error = exc
                with contextlib.suppress(BleakError, OSError, TimeoutError):
                    await asyncio.wait_for(client.disconnect(), 5.0)
                continue
            if lost.is_set() or not client.is_connected:
                error = BleakError("the link was lost right after connecting")
                continue
            return client
        assert error is not None
        self._add(Finding(Check.CONNECT, False, explain_connect_problem(error, name, self._os)))
        return None

    async def _connect_and_listen(self, device: BLEDevice, strap: FoundStrap) -> None:
        name = strap.name or strap.address
        lost = asyncio.Event()
        client = await self._connect(device, name, lost)
        if client is None:
            return
        try:
            measurement_char = client.services.get_characteristic(HEART_RATE_MEASUREMENT_UUID)
            battery_char = client.services.get_characteristic(BATTERY_LEVEL_UUID)
            battery: bytes | None = None
            if battery_char is not None and "read" in battery_char.properties:
                with contextlib.suppress(BleakError, OSError, TimeoutError):
                    battery = bytes(
                        await asyncio.wait_for(client.read_gatt_char(battery_char), 5.0)
                    )
            if measurement_char is None:
                self._add(Finding(Check.CONNECT, True, f"connected to {name}"))
                self._add(
                    Finding(
                        Check.HEART_RATE,
                        False,
                        f"{name} does not offer heart-rate measurements: it is not a heart-rate "
                        "strap, or its firmware hides them",
                    )
                )
                self._add(Finding(Check.BEAT_INTERVALS, None, NOT_REACHED))
                self._add(Finding(Check.CONTACT, None, NOT_REACHED))
                self._add(_battery_finding(battery))
                return
            heard = _Listening([])

            def on_notification(data: bytes) -> None:
                try:
                    heard.measurements.append((self._clock(), parse_measurement(data)))
                except MalformedMeasurement:
                    heard.malformed += 1

            started_s = self._clock()
            try:
                await asyncio.wait_for(
                    client.start_notify(
                        measurement_char, lambda _char, data: on_notification(bytes(data))
                    ),
                    self._limits.connect_timeout_s,
                )
            except (BleakError, OSError, TimeoutError) as exc:
                self._add(
                    Finding(Check.CONNECT, False, explain_connect_problem(exc, name, self._os))
                )
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self._limits.listen_s)
            listened_s = max(self._clock() - started_s, 1e-3)
            if lost.is_set():
                self._add(
                    Finding(
                        Check.CONNECT,
                        False,
                        f"connected to {name}, but the link dropped after {listened_s:.0f} s: "
                        f"keep the strap close; {HELD_ADVICE[self._os]}",
                    )
                )
            else:
                self._add(Finding(Check.CONNECT, True, f"connected to {name} and held the link"))
            self._add(_heart_rate_finding(heard, listened_s))
            self._add(_beat_interval_finding(heard))
            self._add(_contact_finding(heard))
            self._add(_battery_finding(battery))
        finally:
            if client.is_connected:
                with contextlib.suppress(BleakError, OSError, TimeoutError):
                    await asyncio.wait_for(client.disconnect(), 5.0)


async def run_doctor(
    backend: BleBackend = SYSTEM_BACKEND,
    *,
    address: str | None = None,
    limits: DoctorLimits = DEFAULT_LIMITS,
    host_os: HostOS | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> DoctorReport:
    """Run every check once over `backend` and return the report."""
    doctor = Doctor(backend, address=address, limits=limits, host_os=host_os, on_finding=on_finding)
    return await doctor.run()
