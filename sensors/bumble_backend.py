"""A bleak backend over a bumble host: the app's own bleak code on a bumble Bluetooth stack.

`--ble-transport SPEC` (bumble transport names: `tcp-client:HOST:PORT`, `usb:0`, `serial:...`)
opens a bumble host on that HCI transport; `BumbleScanner` and `BumbleClient` plug it into
`BleakScanner` / `BleakClient` through their `backend=` argument, with the bumble `Device`
passed as the `bumble_device` keyword. Tests run the real scan/connect/notify/reconnect code
this way against an emulated strap; users whose OS stack misbehaves can drive a USB dongle.

Mapping (bleak 3.1, bumble 0.0.236): advertisements of the central `Device` become bleak
`AdvertisementData` (service UUIDs from the 16/32/128-bit lists, local name, manufacturer and
service data, TX power, RSSI); `connect()` is `Device.connect` + GATT discovery of services,
characteristics and descriptors into a `BleakGATTServiceCollection` (bumble's handles, never
hard-coded); reads/writes/notifications map to the `Peer` API; the connection's
`disconnection` event calls bleak's disconnected callback. Pairing is not supported (heart-rate
straps do not need it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

from bleak.args import SizedBuffer
from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_str
from bumble import hci
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.transport import open_transport

from sensors.ble import BleBackend

_T = TypeVar("_T")
CENTRAL_ADDRESS = "F0:BA:5E:11:4E:01"
_PROPERTY_NAMES: tuple[tuple[int, CharacteristicPropertyName], ...] = (
    (0x01, "broadcast"),
    (0x02, "read"),
    (0x04, "write-without-response"),
    (0x08, "write"),
    (0x10, "notify"),
    (0x20, "indicate"),
    (0x40, "authenticated-signed-writes"),
    (0x80, "extended-properties"),
)
_UUID_LISTS = (
    AdvertisingData.Type.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.Type.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.Type.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.Type.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.Type.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.Type.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)


async def _link_call(awaitable: Awaitable[_T]) -> _T:
    """Await a bumble GATT operation; a request that bumble cancels because the link went down
    becomes a `BleakError`, while a cancellation of the caller's own task still propagates."""
    try:
        return await awaitable
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        raise BleakError("the link was lost during a GATT operation") from None


def bleak_uuid(uuid: UUID) -> str:
    """A bumble UUID as bleak's normalised 128-bit lowercase string."""
    return normalize_uuid_str(uuid.to_hex_str("-"))


def _advertisement_data(advertisement: Advertisement) -> AdvertisementData:
    data = advertisement.data
    uuids: list[str] = []
    for list_type in _UUID_LISTS:
        for uuid_list in data.get_all(list_type):
            uuids.extend(bleak_uuid(u) for u in cast(list[UUID], uuid_list))
    name = data.get(AdvertisingData.Type.COMPLETE_LOCAL_NAME) or data.get(
        AdvertisingData.Type.SHORTENED_LOCAL_NAME
    )
    manufacturer: dict[int, bytes] = {}
    for company, payload in data.get_all(AdvertisingData.Type.MANUFACTURER_SPECIFIC_DATA):
        manufacturer[int(company)] = bytes(payload)
    service_data: dict[str, bytes] = {}
    for service_type in (
        AdvertisingData.Type.SERVICE_DATA_16_BIT_UUID,
        AdvertisingData.Type.SERVICE_DATA_32_BIT_UUID,
        AdvertisingData.Type.SERVICE_DATA_128_BIT_UUID,
    ):
        for uuid, payload in data.get_all(service_type):
            service_data[bleak_uuid(uuid)] = bytes(payload)
    tx_power = data.get(AdvertisingData.Type.TX_POWER_LEVEL)
    return AdvertisementData(
        local_name=str(name) if name is not None else None,
        manufacturer_data=manufacturer,
        service_data=service_data,
        service_uuids=uuids,
        tx_power=int(tx_power) if tx_power is not None else None,
        rssi=int(advertisement.rssi),
        platform_data=(advertisement,),
    )


def _merge(previous: AdvertisementData | None, new: AdvertisementData) -> AdvertisementData:
    """Advertising and scan-response reports complete each other, as OS stacks merge them."""
    if previous is None:
        return new
    uuids = list(dict.fromkeys([*previous.service_uuids, *new.service_uuids]))
    return new._replace(
        local_name=new.local_name or previous.local_name,
        manufacturer_data={**previous.manufacturer_data, **new.manufacturer_data},
        service_data={**previous.service_data, **new.service_data},
        service_uuids=uuids,
        tx_power=new.tx_power if new.tx_power is not None else previous.tx_power,
    )


class BumbleScanner(BaseBleakScanner):
    """`BaseBleakScanner` over a powered-on bumble `Device` (keyword `bumble_device`)."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        *,
        bumble_device: Device,
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._device = bumble_device
        self._active = scanning_mode != "passive"
        self._merged: dict[str, AdvertisementData] = {}

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        address = advertisement.address.to_string(with_type_qualifier=False)
        adv = _merge(self._merged.get(address), _advertisement_data(advertisement))
        self._merged[address] = adv
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        device = self.create_or_update_device(
            address, address, adv.local_name, advertisement.address, adv
        )
        self.call_detection_callbacks(device, adv)

    async def start(self) -> None:
        self.seen_devices = {}
        self._merged = {}
        self._device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        await self._device.start_scanning(active=self._active, filter_duplicates=False)

    async def stop(self) -> None:
        self._device.remove_listener(Device.EVENT_ADVERTISEMENT, self._on_advertisement)
        if self._device.is_scanning:
            await self._device.stop_scanning()


class BumbleClient(BaseBleakClient):
    """`BaseBleakClient` over a bumble `Device` (keyword `bumble_device`)."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None,
        timeout: float,
        bumble_device: Device,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._device = bumble_device
        if isinstance(address_or_ble_device, BLEDevice) and isinstance(
            address_or_ble_device.details, hci.Address
        ):
            self._peer_address: hci.Address = address_or_ble_device.details
            self._name = address_or_ble_device.name or self.address
        else:
            self._peer_address = hci.Address(self.address)
            self._name = self.address
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._closing = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return int(self._connection.att_mtu) if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    def _on_disconnection(self, _reason: int) -> None:
        self._connection = None
        self._peer = None
        if not self._closing and self._disconnected_callback is not None:
            self._disconnected_callback()

    def _require_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        try:
            connection = await _link_call(
                self._device.connect(self._peer_address, timeout=self._timeout)
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise BleakError(f"could not connect to {self.address}: {exc}") from exc
        self._closing = False
        self._connection = connection
        connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
        self._peer = Peer(connection)
        try:
            self.services = await _link_call(self._discover(self._peer))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self.disconnect()
            raise BleakError(f"service discovery failed on {self.address}: {exc}") from exc

    async def _discover(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        mtu = self.mtu_size
        for service in await peer.discover_services():
            bleak_service = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
            collection.add_service(bleak_service)
            for characteristic in await peer.discover_characteristics(service=service):
                props: list[CharacteristicPropertyName] = [
                    name for bit, name in _PROPERTY_NAMES if int(characteristic.properties) & bit
                ]
                bleak_char = BleakGATTCharacteristic(
                    characteristic,
                    characteristic.handle,
                    bleak_uuid(characteristic.uuid),
                    props,
                    lambda: mtu - 3,
                    bleak_service,
                )
                collection.add_characteristic(bleak_char)
                for descriptor in await peer.discover_descriptors(characteristic):
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor,
                            descriptor.handle,
                            bleak_uuid(descriptor.type),
                            bleak_char,
                        )
                    )
        return collection

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        self._closing = True
        with contextlib.suppress(hci.HCI_Error, asyncio.TimeoutError):
            await self._device.disconnect(
                connection, reason=hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR
            )
        self._connection = None
        self._peer = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("pairing is not supported by the bumble backend")

    async def unpair(self) -> None:
        raise BleakError("pairing is not supported by the bumble backend")

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        return bytearray(await _link_call(self._require_peer().read_value(characteristic.obj)))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        return bytearray(await _link_call(self._require_peer().read_value(descriptor.obj)))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        await _link_call(
            self._require_peer().write_value(
                characteristic.obj, bytes(data), with_response=response
            )
        )

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        await _link_call(
            self._require_peer().write_value(descriptor.obj, bytes(data), with_response=True)
        )

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        await _link_call(self._require_peer().subscribe(characteristic.obj, on_value))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        await _link_call(self._require_peer().unsubscribe(characteristic.obj))


def bumble_backend(device: Device, label: str = "bumble") -> BleBackend:
    """The `BleBackend` that runs bleak on this powered-on bumble `Device`."""
    return BleBackend(
        scanner=BumbleScanner,
        client=BumbleClient,
        kwargs={"bumble_device": device},
        label=label,
    )


@contextlib.asynccontextmanager
async def open_bumble_backend(spec: str) -> AsyncIterator[BleBackend]:
    """Open the bumble HCI transport `spec`, power a host on it, and yield its backend."""
    transport = await open_transport(spec)
    try:
        device = Device.with_hci(
            "Baseline", hci.Address(CENTRAL_ADDRESS), transport.source, transport.sink
        )
        await device.power_on()
        yield bumble_backend(device, label=f"bumble on {spec}")
    finally:
        await transport.close()
