"""Bluetooth LE heart-rate straps through bleak: scan, connect, notify, reconnect.

- Scans are filtered by the Heart Rate service UUID (0x180D), never by device name, and the
  connection uses the `BLEDevice` from the scan. Every reconnect starts with a fresh scan
  (BlueZ forgets devices that stop advertising).
- After connecting: battery level (0x2A19) and body sensor location (0x2A38) are read when the
  strap has them, then Heart Rate Measurement (0x2A37) notifications are parsed and yielded.
- On a drop the source emits DISCONNECTED, then rescans and reconnects to the same strap with
  exponential backoff for as long as it runs, emitting RECONNECTING events.
- Problems the user must fix end the source with a FAILED event whose message says what to
  do: no adapter, Bluetooth off, permission denied (macOS), strap not found, strap busy.
- `backend` selects how bleak reaches the radio: the operating system (default) or a bumble
  host (`sensors.bumble_backend`); the code above it is the same.
- This module loads bleak: import it only to use Bluetooth. What the app needs without Bluetooth
  (`BleBackend`, the messages, `describe_bluetooth_error`) lives in `sensors.ble_backend` and
  `sensors.ble_errors` and is re-exported here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_str

from sensors.ble_backend import SYSTEM_BACKEND as SYSTEM_BACKEND
from sensors.ble_backend import BleBackend as BleBackend
from sensors.ble_errors import MSG_ADDRESS_NOT_FOUND as MSG_ADDRESS_NOT_FOUND
from sensors.ble_errors import MSG_BUSY as MSG_BUSY
from sensors.ble_errors import MSG_NO_ADAPTER as MSG_NO_ADAPTER
from sensors.ble_errors import MSG_NO_HR_SERVICE as MSG_NO_HR_SERVICE
from sensors.ble_errors import MSG_NO_SERVICE as MSG_NO_SERVICE
from sensors.ble_errors import MSG_NOT_FOUND as MSG_NOT_FOUND
from sensors.ble_errors import MSG_PERMISSION as MSG_PERMISSION
from sensors.ble_errors import MSG_POWERED_OFF as MSG_POWERED_OFF
from sensors.ble_errors import BluetoothUnavailableError as BluetoothUnavailableError
from sensors.ble_errors import describe_bluetooth_error as describe_bluetooth_error
from sensors.found import FoundStrap as FoundStrap
from sensors.hrs import MalformedMeasurement, parse_measurement
from sensors.source import ConnectionEvent, EventKind, PacketWatcher, QueuedSource, Sample

logger = logging.getLogger(__name__)

HEART_RATE_SERVICE_UUID = normalize_uuid_str("180d")
HEART_RATE_MEASUREMENT_UUID = normalize_uuid_str("2a37")
BODY_SENSOR_LOCATION_UUID = normalize_uuid_str("2a38")
BATTERY_LEVEL_UUID = normalize_uuid_str("2a19")

BODY_LOCATIONS = ("other", "chest", "wrist", "finger", "hand", "ear lobe", "foot")


def allow_sta_on_windows() -> None:
    """Let bleak run on a thread that Qt made single-threaded-apartment (Windows only)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            from bleak.backends.winrt.util import allow_sta
        except ImportError:
            logger.warning("bleak's WinRT backend is missing; Bluetooth may not work")
            return
        allow_sta()


def _advertises_heart_rate(adv: AdvertisementData) -> bool:
    return any(normalize_uuid_str(u) == HEART_RATE_SERVICE_UUID for u in adv.service_uuids)


def _same_address(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.upper() == b.upper()


def _scanner(
    backend: BleBackend, callback: Callable[[BLEDevice, AdvertisementData], None]
) -> BleakScanner:
    return BleakScanner(
        callback,
        service_uuids=[HEART_RATE_SERVICE_UUID],
        backend=backend.scanner,
        **dict(backend.kwargs),
    )


async def scan(seconds: float = 5.0, backend: BleBackend = SYSTEM_BACKEND) -> list[FoundStrap]:
    """Heart-rate sensors advertising 0x180D within `seconds`, strongest signal first.

    Raises `BluetoothUnavailableError` with a message for the user when Bluetooth cannot be used.
    """
    allow_sta_on_windows()
    found: dict[str, FoundStrap] = {}

    def on_advertisement(device: BLEDevice, adv: AdvertisementData) -> None:
        if _advertises_heart_rate(adv):
            name = adv.local_name or device.name
            previous = found.get(device.address)
            if previous is not None and name is None:
                name = previous.name
            found[device.address] = FoundStrap(name, device.address, adv.rssi)

    try:
        scanner = _scanner(backend, on_advertisement)
        await scanner.start()
        try:
            await asyncio.sleep(seconds)
        finally:
            await scanner.stop()
    except (BleakError, OSError) as exc:
        message = describe_bluetooth_error(exc)
        if message is None:
            raise
        raise BluetoothUnavailableError(message) from exc
    return sorted(found.values(), key=lambda s: (s.rssi is None, -(s.rssi or 0), s.address))


class _ConnectError(Exception):
    """A connection attempt failed; `user_message` is set when retrying cannot help."""

    def __init__(self, detail: str, user_message: str | None = None) -> None:
        super().__init__(detail)
        self.user_message = user_message


class BleStrapSource(QueuedSource):
    """A heart-rate strap over Bluetooth LE, implementing `HeartRateSource`.

    Args:
        address: connect to this strap only.
        preferred_address: prefer this strap (the last one used) when it is in range;
            otherwise take the strongest heart-rate sensor found.
        backend: how bleak reaches the radio (default: the operating system's stack).
        scan_window_s: length of one scan.
        find_timeout_s: give up (FAILED, "not found") when no strap was found this long
            after the start; None keeps searching. After the first connection the source
            never gives up while it runs.
        connect_timeout_s: limit for connecting and reading the GATT table.
        connect_attempts: failed connections to a found strap before FAILED ("busy"),
            only before the first connection.
        backoff_initial_s / backoff_max_s: reconnect delays, doubling from initial to max.
        choose_window_s: after the first strap shows up (no address given), keep listening
            this long to pick the strongest of several.
    """

    def __init__(
        self,
        *,
        address: str | None = None,
        preferred_address: str | None = None,
        backend: BleBackend = SYSTEM_BACKEND,
        scan_window_s: float = 5.0,
        find_timeout_s: float | None = 30.0,
        connect_timeout_s: float = 20.0,
        connect_attempts: int = 3,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        choose_window_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._address = address
        self._preferred = preferred_address
        self._backend = backend
        self._scan_window_s = scan_window_s
        self._find_timeout_s = find_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._connect_attempts = connect_attempts
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._choose_window_s = choose_window_s
        self._clock = clock
        self._watcher = PacketWatcher()
        self.malformed_packets = 0
        self.connected_address: str | None = None
        self.connected_name: str | None = None

    # -- events --------------------------------------------------------------------------
    def _event(self, kind: EventKind, **fields: Any) -> None:
        self._emit(ConnectionEvent(kind, self._clock(), **fields))

    # -- scanning ------------------------------------------------------------------------
    async def _find(self, window_s: float) -> tuple[BLEDevice, AdvertisementData] | None:
        """Scan up to `window_s` for the strap to use; None when none qualified."""
        target = self.connected_address or self._address
        seen: dict[str, tuple[BLEDevice, AdvertisementData]] = {}
        decided = asyncio.Event()
        first_seen = asyncio.Event()

        def on_advertisement(device: BLEDevice, adv: AdvertisementData) -> None:
            if not _advertises_heart_rate(adv):
                return
            seen[device.address] = (device, adv)
            first_seen.set()
            if _same_address(device.address, target or self._preferred):
                decided.set()

        scanner = _scanner(self._backend, on_advertisement)
        await scanner.start()
        try:
            deadline = self._clock() + window_s
            waiter = asyncio.ensure_future(decided.wait())
            stopper = asyncio.ensure_future(self._stopping.wait())
            watch: set[asyncio.Future[Any]] = {waiter, stopper}
            first: asyncio.Future[Any] | None = None
            if target is None and self._preferred is None:
                first = asyncio.ensure_future(first_seen.wait())
                watch.add(first)
            try:
                done, _ = await asyncio.wait(
                    watch, timeout=window_s, return_when=asyncio.FIRST_COMPLETED
                )
                if first is not None and first in done and not self.is_stopping():
                    await self._sleep(min(self._choose_window_s, deadline - self._clock()))
            finally:
                for fut in watch:
                    fut.cancel()
        finally:
            await scanner.stop()
        for address, hit in seen.items():
            if _same_address(address, target):
                return hit
        if target is not None or not seen:
            return None
        for address, hit in seen.items():
            if _same_address(address, self._preferred):
                return hit
        return max(seen.values(), key=lambda hit: hit[1].rssi)

    # -- one connection ------------------------------------------------------------------
    async def _read_optional(self, client: BleakClient, uuid: str) -> bytes | None:
        characteristic = client.services.get_characteristic(uuid)
        if characteristic is None or "read" not in characteristic.properties:
            return None
        try:
            return bytes(await client.read_gatt_char(characteristic))
        except (BleakError, OSError, TimeoutError) as exc:
            logger.info("reading %s failed: %s", uuid, exc)
            return None

    def _on_notification(self, data: bytes) -> None:
        arrival_s = self._clock()
        try:
            measurement = parse_measurement(data)
        except MalformedMeasurement as exc:
            self.malformed_packets += 1
            logger.warning("ignoring a malformed heart-rate packet %s: %s", data.hex(), exc)
            return
        for event in self._watcher.events(measurement, arrival_s):
            self._emit(event)
        self._emit(Sample(measurement, arrival_s))

    async def _connection(self, device: BLEDevice, adv: AdvertisementData) -> bool:
        """Connect and stream until the link drops or the source stops.

        Returns True once the strap was connected and streaming, False when the source was
        stopped while connecting; raises `_ConnectError` when it could not get that far.
        """
        lost = asyncio.Event()
        name = adv.local_name or device.name or device.address
        client = BleakClient(
            device,
            disconnected_callback=lambda _client: lost.set(),
            timeout=self._connect_timeout_s,
            backend=self._backend.client,
            **dict(self._backend.kwargs),
        )
        connecting = asyncio.ensure_future(
            asyncio.wait_for(client.connect(), self._connect_timeout_s)
        )
        stopper = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({connecting, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not connecting.done():  # stopped while connecting
            connecting.cancel()
            await asyncio.wait({connecting})
            with contextlib.suppress(BleakError, OSError, TimeoutError):
                await asyncio.wait_for(client.disconnect(), 5.0)
            return False
        try:
            connecting.result()
        except (BleakError, OSError, TimeoutError) as exc:
            raise _ConnectError(f"{name}: {exc or type(exc).__name__}") from exc
        try:
            measurement_char = client.services.get_characteristic(HEART_RATE_MEASUREMENT_UUID)
            if measurement_char is None:
                message = MSG_NO_HR_SERVICE.format(name=name)
                raise _ConnectError(message, user_message=message)
            battery = await self._read_optional(client, BATTERY_LEVEL_UUID)
            location = await self._read_optional(client, BODY_SENSOR_LOCATION_UUID)
            self._watcher.reset()
            self.connected_address = device.address
            self.connected_name = name
            self._event(
                EventKind.CONNECTED,
                name=name,
                address=device.address,
                battery_pct=battery[0] if battery else None,
                body_location=(
                    BODY_LOCATIONS[location[0]]
                    if location and location[0] < len(BODY_LOCATIONS)
                    else None
                ),
            )
            try:
                await client.start_notify(
                    measurement_char, lambda _char, data: self._on_notification(bytes(data))
                )
            except (BleakError, OSError, TimeoutError) as exc:
                logger.info("subscribing failed: %s", exc)
                return True
            waiters = [
                asyncio.ensure_future(lost.wait()),
                asyncio.ensure_future(self._stopping.wait()),
            ]
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
            return True
        finally:
            if client.is_connected:
                with contextlib.suppress(BleakError, OSError, TimeoutError):
                    await asyncio.wait_for(client.disconnect(), 5.0)

    # -- the loop ------------------------------------------------------------------------
    def _backoff_s(self, attempt: int) -> float:
        return float(min(self._backoff_initial_s * 2 ** max(attempt - 1, 0), self._backoff_max_s))

    async def _run(self) -> None:
        allow_sta_on_windows()
        started_s = self._clock()
        ever_connected = False
        failures = 0
        attempt = 0
        while not self.is_stopping():
            if not (ever_connected and attempt > 0):
                self._event(EventKind.SCANNING)
            window_s = self._scan_window_s
            if not ever_connected and self._find_timeout_s is not None:
                remaining_s = started_s + self._find_timeout_s - self._clock()
                window_s = max(0.05, min(window_s, remaining_s))
            try:
                hit = await self._find(window_s)
            except (BleakError, OSError) as exc:
                message = describe_bluetooth_error(exc) or f"Bluetooth error: {exc}"
                if not ever_connected:
                    self._event(EventKind.FAILED, message=message)
                    return
                hit = None
                logger.warning("scan failed: %s", message)
            if self.is_stopping():
                return
            if hit is None:
                if not ever_connected:
                    if (
                        self._find_timeout_s is not None
                        and self._clock() - started_s >= self._find_timeout_s
                    ):
                        message = (
                            MSG_ADDRESS_NOT_FOUND.format(address=self._address)
                            if self._address
                            else MSG_NOT_FOUND
                        )
                        self._event(EventKind.FAILED, message=message)
                        return
                    continue
            else:
                device, adv = hit
                try:
                    streamed = await self._connection(device, adv)
                except _ConnectError as exc:
                    streamed = False
                    failures += 1
                    logger.info("connection failed: %s", exc)
                    if not ever_connected and (
                        exc.user_message is not None or failures >= self._connect_attempts
                    ):
                        name = adv.local_name or device.name or device.address
                        message = exc.user_message or MSG_BUSY.format(name=name)
                        self._event(EventKind.FAILED, message=message)
                        return
                if streamed:
                    ever_connected = True
                    failures = 0
                    attempt = 0
                    if self.is_stopping():
                        return
                    self._event(
                        EventKind.DISCONNECTED,
                        name=self.connected_name,
                        address=self.connected_address,
                        message="the strap's link dropped; reconnecting",
                    )
            if not ever_connected:
                delay_s = self._backoff_s(max(failures, 1))
                if await self._sleep(delay_s):
                    return
                continue
            if self.is_stopping():
                return
            attempt += 1
            delay_s = self._backoff_s(attempt)
            self._event(EventKind.RECONNECTING, attempt=attempt, delay_s=delay_s)
            if await self._sleep(delay_s):
                return
