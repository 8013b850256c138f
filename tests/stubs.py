"""The shared test doubles: one fake of each kind, used by every test folder.

- `FakeClock`: a monotonic clock (seconds) the test moves by hand (no real waiting);
  `FastForwardClock`: real time that the test can move ahead.
- `RecordingCuePlayer`: the real cue player (silent without an audio device) that also records
  every cue it is asked to play; `FakeAudioDevice` / `FakeAudioOutput`: an audio output whose
  streams keep what is written.
- `qasync_loop`: a qasync event loop on the Qt main thread, as the app runs it (the `qloop`
  fixture in tests/conftest.py wraps it).
- `run_scenario` / `wait_until`: run one coroutine on that loop; wait inside it for a condition
  with a timeout (the loop keeps running, nothing sleeps for a fixed time); `bounded`: await
  with a deadline.
- `hosted`: a top-level window holding a page whose minimum size does not follow the layout.
- `InstantTaskRunner`, `StaticPage`: a synchronous task runner and a minimal Page, for the
  composition root's tests.
- `strap_sample`, `ScriptedSource`, `ScriptedScan`: a heart-rate source and a strap scan that
  yield what the test hands them.
- `EmulatedStrap`, `local_pair`, `bumble_rig`, `tcp_controllers`: heart-rate straps on bumble's
  emulated radio, for the real bleak code.
- `textbook_summary`: a small stand-in for the HRV core's report, where the core is not the
  subject.

The Qt widgets are imported inside the functions that need them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from app.breathing import Cue
from app.ui.services.sound import AudioDevice, AudioOutput, CuePlayer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget


class FakeClock:
    """A monotonic clock (seconds) that moves only when the test says so."""

    def __init__(self, start_s: float = 5000.0) -> None:
        self.now_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> float:
        """Move on by `seconds`; returns the new time."""
        self.now_s += seconds
        return self.now_s


class FastForwardClock:
    """Monotonic seconds that run with real time and jump ahead when the test says so.

    For code whose own timeouts must still run out (a Bluetooth scan window, a reconnect
    deadline) while the test plays minutes of session time in a few real seconds."""

    def __init__(self) -> None:
        self.ahead_s = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead_s

    def advance(self, seconds: float) -> float:
        """Jump ahead by `seconds`; returns the new time."""
        self.ahead_s += seconds
        return self()


class RecordingCuePlayer(CuePlayer):
    """The real player (silent without an audio device) that also records every cue asked for."""

    def __init__(self, device: AudioDevice | None = None) -> None:
        super().__init__(device)
        self.cues: list[Cue] = []

    def play_cue(self, cue: Cue) -> str | None:
        self.cues.append(cue)
        return super().play_cue(cue)

    @property
    def phases(self) -> list[str]:
        return [cue.phase for cue in self.cues]


class FakeAudioOutput:
    """An open stream that keeps what is written; the test plays it (frees room) by hand."""

    def __init__(self, buffer_frames: int) -> None:
        self.buffer_frames = buffer_frames
        self.queued_frames = 0
        self.pcm = bytearray()
        self.closed = False

    def free_frames(self) -> int:
        return self.buffer_frames - self.queued_frames

    def write(self, pcm: bytes) -> None:
        assert not self.closed, "written after close"
        frames = len(pcm) // 2
        assert frames <= self.free_frames(), "more written than the buffer holds"
        self.pcm += pcm
        self.queued_frames += frames

    def play(self, frames: int) -> None:
        """The device consumes up to `frames` of what is queued."""
        self.queued_frames = max(0, self.queued_frames - frames)

    def close(self) -> None:
        self.closed = True

    def samples(self) -> npt.NDArray[np.float64]:
        return np.frombuffer(bytes(self.pcm), dtype="<i2").astype(np.float64) / 32767.0


class FakeAudioDevice:
    """An audio output that exists (or not: `reason`); every stream it opens is kept."""

    def __init__(self, buffer_frames: int = 6615, reason: str | None = None) -> None:
        self.buffer_frames = buffer_frames
        self.reason = reason
        self.probes = 0
        self.outputs: list[FakeAudioOutput] = []

    def probe(self) -> str | None:
        self.probes += 1
        return self.reason

    def open(self) -> AudioOutput | str:
        if self.reason is not None:
            return self.reason
        output = FakeAudioOutput(self.buffer_frames)
        self.outputs.append(output)
        return output


@contextmanager
def qasync_loop(app: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the Qt main thread; tasks left running are cancelled at the end."""
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()  # while the application lives (else closing at exit finds Qt gone)


def run_scenario(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    """Run a test's whole scenario as one coroutine (starting and stopping a qasync loop
    repeatedly can run task steps with no running loop set)."""
    loop.run_until_complete(scenario)


async def wait_until(
    condition: Callable[[], bool], timeout_s: float = 30.0, what: str = "condition"
) -> None:
    """Let the Qt + asyncio loop run until `condition()` holds (fails after `timeout_s`).

    The timeout is only a guard: the wait ends as soon as the condition holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)  # Qt events and loop tasks run in between


def hosted(page: QWidget, size: tuple[int, int] | None = None) -> QWidget:
    """A top-level window holding `page` whose minimum size does not follow the layout.

    The offscreen platform warns ("does not support propagateSizeHints") whenever a top-level
    window's size hints change, and Qt warnings fail tests; a real window has no such issue.
    """
    from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget

    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(page)
    if size is not None:
        host.resize(*size)
    return host


# ---------------------------------------------------------------------------------------------
# Background tasks (app.ui.tasks): a runner that runs every task at once, on the calling thread.
# ---------------------------------------------------------------------------------------------
from typing import TypeVar  # noqa: E402

from PySide6.QtCore import QObject  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402

T = TypeVar("T")


class InstantTaskRunner:
    """`app.ui.tasks.Tasks` for tests: runs `fn` synchronously and calls back at once.

    The result or the exception goes to `on_done` / `on_error` exactly as the real runner hands
    it over (no exception is swallowed); `ran` counts the tasks.
    """

    def __init__(self) -> None:
        self.ran = 0

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[Exception], None],
        *,
        owner: QObject | None = None,
    ) -> None:
        self.ran += 1
        try:
            result = fn()
        except Exception as exc:
            on_error(exc)
            return
        on_done(result)

    def cancel_pending(self) -> None:
        """Nothing is ever pending."""

    def wait(self, timeout_ms: int) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# Pages (app.ui.pages.page.Page): a page that only shows a widget.
# ---------------------------------------------------------------------------------------------
class StaticPage(QWidget):
    """A page that only shows `content`: never busy, nothing to do on enter, leave or shutdown."""

    def __init__(self, title: str, content: QWidget | None = None) -> None:
        super().__init__()
        self._title = title
        if content is not None:
            QVBoxLayout(self).addWidget(content)

    @property
    def title(self) -> str:
        return self._title

    @property
    def icon(self) -> QIcon:
        return QIcon()

    @property
    def busy(self) -> bool:
        return False

    def enter(self) -> None:
        pass

    def leave(self) -> None:
        pass

    def shutdown(self) -> None:
        pass


# ---------------------------------------------------------------------------------------------
# Heart-rate sources and scans fed by hand.
# ---------------------------------------------------------------------------------------------
from collections.abc import AsyncIterator, Sequence  # noqa: E402

from sensors.found import FoundStrap  # noqa: E402
from sensors.hrs import encode_measurement, parse_measurement  # noqa: E402
from sensors.source import ConnectionEvent, EventKind, Sample, SourceItem  # noqa: E402


def strap_sample(
    at_s: float, bpm: int, rr_units: tuple[int, ...] = (), *, contact: bool = True
) -> Sample:
    """One packet (with skin contact unless told), `rr_units` in 1/1024 s."""
    payload = encode_measurement(bpm, contact=contact, rr_units=rr_units or None)
    return Sample(parse_measurement(payload), at_s)


class ScriptedSource:
    """A heart-rate source that yields what the test puts in, until `stop()` or `end()`.

    `fail_with` makes iteration raise (a source broken by a bug, not by a FAILED event)."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[SourceItem | None] = asyncio.Queue()
        self.stopped = False
        self.fail_with: Exception | None = None

    def put(self, item: SourceItem) -> None:
        self._queue.put_nowait(item)

    def connect(self, at_s: float, name: str = "Strap", address: str = "AA:BB") -> None:
        self.put(ConnectionEvent(EventKind.CONNECTED, at_s, name=name, address=address))

    def end(self) -> None:
        self._queue.put_nowait(None)

    def stop(self) -> None:
        self.stopped = True
        self.end()

    def __aiter__(self) -> AsyncIterator[SourceItem]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SourceItem]:
        while True:
            item = await self._queue.get()
            if item is None:
                if self.fail_with is not None:
                    raise self.fail_with
                return
            yield item


class ScriptedScan:
    """A scan that returns what the test sets, when the test releases it."""

    def __init__(self) -> None:
        self.found: list[FoundStrap] = []
        self.release = asyncio.Event()

    async def __call__(self) -> Sequence[FoundStrap]:
        await self.release.wait()
        return list(self.found)


# ---------------------------------------------------------------------------------------------
# Deadlines for awaits on emulated links and child processes.
# ---------------------------------------------------------------------------------------------
import contextlib  # noqa: E402
import socket  # noqa: E402
from collections.abc import Awaitable  # noqa: E402

import pytest  # noqa: E402

STEP_TIMEOUT_S = 20.0  # any single await on the link, the strap or a child process


async def bounded(awaitable: Awaitable[T], what: str, timeout_s: float = STEP_TIMEOUT_S) -> T:
    """Await with a deadline, so a stuck link or process fails the test instead of hanging it."""
    try:
        return await asyncio.wait_for(awaitable, timeout_s)
    except TimeoutError:
        pytest.fail(f"{what} did not finish within {timeout_s:g} s")


# ---------------------------------------------------------------------------------------------
# An emulated strap on bumble (the real bleak code talks to it), and bumble controllers behind
# TCP servers for child processes.
# ---------------------------------------------------------------------------------------------
from bumble import gatt, hci  # noqa: E402
from bumble.controller import Controller  # noqa: E402
from bumble.core import AdvertisingData  # noqa: E402
from bumble.device import Connection, Device  # noqa: E402
from bumble.host import Host  # noqa: E402
from bumble.link import LocalLink  # noqa: E402
from bumble.profiles.battery_service import BatteryService  # noqa: E402
from bumble.transport.common import AsyncPipeSink, Transport  # noqa: E402
from bumble.transport.tcp_server import open_tcp_server_transport_with_socket  # noqa: E402

from sensors.ble import BleBackend  # noqa: E402
from sensors.bumble_backend import bumble_backend  # noqa: E402

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


@dataclass
class BumbleRig:
    """A central and straps on one emulated radio; `backend` is bleak's view of the central."""

    link: LocalLink
    central: Device
    backend: BleBackend
    make_device: Callable[[str, str], Device]
    straps: list[EmulatedStrap] = field(default_factory=list)

    async def add_strap(self, address: str = STRAP_ADDRESS, **kwargs: Any) -> EmulatedStrap:
        strap = EmulatedStrap(self.make_device(f"strap-{address}", address), **kwargs)
        await strap.start()
        self.straps.append(strap)
        return strap


@contextlib.asynccontextmanager
async def bumble_rig() -> AsyncIterator[BumbleRig]:
    """A powered central on a fresh radio; the straps added are closed at the end."""
    link, make_device = local_pair()
    central = make_device("central", "F0:F0:F0:F0:F0:F0")
    await central.power_on()
    rig = BumbleRig(link, central, bumble_backend(central), make_device)
    try:
        yield rig
    finally:
        for strap in rig.straps:
            await strap.close()


@contextlib.asynccontextmanager
async def tcp_controllers(count: int) -> AsyncIterator[list[int]]:
    """bumble controllers on one local radio link, each behind a TCP server; yields the ports.

    They run in this event loop on sockets bound before anything connects: no port can be taken
    in between, and no probe connection is needed. (A probe would be harmful: bumble's TCP
    server shares one sink between connections, so a probe's late close can detach the real
    client, whose HCI commands then wait forever.)
    """
    link = LocalLink()  # type: ignore[no-untyped-call]  # bumble leaves it unannotated
    transports: list[Transport] = []
    ports: list[int] = []
    try:
        for index in range(count):
            sock = socket.socket()
            try:
                sock.bind(("127.0.0.1", 0))
                transport = await open_tcp_server_transport_with_socket(sock)
            except BaseException:
                sock.close()
                raise
            transports.append(transport)
            Controller(
                f"C{index}", host_source=transport.source, host_sink=transport.sink, link=link
            )
            ports.append(sock.getsockname()[1])
        yield ports
    finally:
        for transport in transports:
            await transport.close()
            server: asyncio.Server = getattr(transport, "server")  # noqa: B009
            server.close()
            await bounded(server.wait_closed(), "closing a controller's TCP server")


# ---------------------------------------------------------------------------------------------
# A textbook stand-in for the HRV core's report, injected where the core is not the subject:
# artifacts are beats more than 25% away from the recording's median RR; RMSSD is the root mean
# square of successive differences between non-artifact neighbours, never across a gap; mean HR
# is 60000 / mean of the non-artifact RR.
# ---------------------------------------------------------------------------------------------
import math  # noqa: E402


@dataclass(frozen=True, slots=True)
class StandInSummary:
    rmssd_ms: float | None
    mean_hr_bpm: float | None
    artifact_pct: float | None


def textbook_summary(
    rr_ms: npt.NDArray[np.float64], gap_before: npt.NDArray[np.bool_]
) -> StandInSummary:
    if rr_ms.size < 3:
        raise ValueError("fewer than 3 beats")
    median = float(np.median(rr_ms))
    flagged = np.abs(rr_ms - median) > 0.25 * median
    ok_pair = ~flagged[1:] & ~flagged[:-1] & ~gap_before[1:]
    diffs = np.diff(rr_ms)[ok_pair]
    rmssd = math.sqrt(float(np.mean(diffs**2))) if diffs.size else None
    return StandInSummary(
        rmssd_ms=rmssd,
        mean_hr_bpm=60000.0 / float(rr_ms[~flagged].mean()),
        artifact_pct=100.0 * float(flagged.mean()),
    )
