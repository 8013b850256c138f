"""An emulated heart-rate strap on bumble: a Heart Rate service fed raw payload bytes.

bumble's own `HeartRateService` encoder truncates RR values to whole 1/1024 s units from
floats, so this strap builds a service with the same characteristics (0x2A37 notify,
0x2A38 body sensor location) and notifies the exact bytes a test gives it. A Battery service
is added, advertising carries the 0x180D UUID and a name, and advertising restarts after every
disconnection (like a real strap after a drop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bumble import gatt, hci
from bumble.controller import Controller
from bumble.core import AdvertisingData
from bumble.device import Connection, Device
from bumble.host import Host
from bumble.link import LocalLink
from bumble.profiles.battery_service import BatteryService
from bumble.transport.common import AsyncPipeSink

STRAP_ADDRESS = "C4:11:22:33:44:55"


class EmulatedStrap:
    """A strap on a bumble `Device`; `notify(payload)` sends raw Heart Rate Measurement bytes.

    `sent_while_subscribed` lists every payload notified while a central was subscribed.
    """

    def __init__(
        self,
        device: Device,
        *,
        name: str = "Emulated HRM 1234",
        battery_pct: int = 77,
        body_location: int = 1,
        advertise_heart_rate: bool = True,
        refuse_connections: bool = False,
        serve_heart_rate: bool = True,
    ) -> None:
        self.device = device
        self.name = name
        self.battery_pct = battery_pct
        self.advertise_heart_rate = advertise_heart_rate
        self.refuse_connections = refuse_connections
        self.sent_while_subscribed: list[bytes] = []
        self.connection: Connection | None = None
        self.connections = 0
        self._subscribed = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.measurement = gatt.Characteristic(
            gatt.GATT_HEART_RATE_MEASUREMENT_CHARACTERISTIC,
            gatt.Characteristic.Properties.NOTIFY,
            gatt.Characteristic.Permissions(0),
            b"",
        )
        location = gatt.Characteristic(
            gatt.GATT_BODY_SENSOR_LOCATION_CHARACTERISTIC,
            gatt.Characteristic.Properties.READ,
            gatt.Characteristic.READABLE,
            bytes([body_location]),
        )
        self.measurement.on(gatt.Characteristic.EVENT_SUBSCRIPTION, self._on_subscription)
        if serve_heart_rate:
            device.add_service(
                gatt.Service(gatt.GATT_HEART_RATE_SERVICE, [self.measurement, location])
            )
        device.add_service(BatteryService(lambda _connection: self.battery_pct))
        device.on(Device.EVENT_CONNECTION, self._on_connection)

    def _on_subscription(self, _bearer: object, notify: bool, _indicate: bool) -> None:
        if notify:
            self._subscribed.set()
        else:
            self._subscribed.clear()

    def _on_connection(self, connection: Connection) -> None:
        self.connection = connection
        self.connections += 1
        connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
        if self.refuse_connections:
            # like a strap already serving another app: the link ends before any GATT traffic
            self._spawn(self._refuse(connection))

    async def _refuse(self, connection: Connection) -> None:
        await self.device.disconnect(
            connection, reason=hci.HCI_CONNECTION_REJECTED_DUE_TO_LIMITED_RESOURCES_ERROR
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_disconnection(self, _reason: int) -> None:
        self.connection = None
        self._subscribed.clear()
        self._spawn(self.advertise())

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    def advertising_data(self) -> bytes:
        structures: list[tuple[int, bytes]] = [
            (AdvertisingData.Type.FLAGS, bytes([0x06])),
            (AdvertisingData.Type.COMPLETE_LOCAL_NAME, self.name.encode()),
        ]
        if self.advertise_heart_rate:
            structures.append(
                (
                    AdvertisingData.Type.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                    bytes(gatt.GATT_HEART_RATE_SERVICE),
                )
            )
        return bytes(AdvertisingData(structures))

    async def start(self) -> None:
        await self.device.power_on()
        await self.advertise()

    async def advertise(self) -> None:
        if self.device.is_advertising:
            return
        await self.device.start_advertising(
            advertising_data=self.advertising_data(),
            advertising_interval_min=20.0,
            advertising_interval_max=20.0,
        )

    async def close(self) -> None:
        """Let a pending advertising restart finish, then stop advertising."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.device.is_advertising:
            await self.device.stop_advertising()

    async def wait_subscribed(self, timeout_s: float = 10.0) -> None:
        await asyncio.wait_for(self._subscribed.wait(), timeout_s)

    async def notify(self, payload: bytes) -> None:
        if self.subscribed:
            self.sent_while_subscribed.append(payload)
        await self.device.notify_subscribers(self.measurement, payload)

    async def drop_link(self) -> None:
        """End the link from the strap's side (like walking out of range)."""
        connection = self.connection
        if connection is not None:
            await self.device.disconnect(
                connection, reason=hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR
            )


def local_pair(
    link: LocalLink | None = None,
) -> tuple[LocalLink, Callable[[str, str], Device]]:
    """A LocalLink and a factory for bumble Devices with controllers on it."""
    link = link or LocalLink()  # type: ignore[no-untyped-call]

    def make_device(name: str, address: str) -> Device:
        controller = Controller(name, link=link, public_address=address)
        return Device(
            name=name,
            address=hci.Address(address),
            host=Host(controller, AsyncPipeSink(controller)),
        )

    return link, make_device
