"""`baseline scan`: nearby heart-rate sensors (name, address, signal), strongest first.

Only devices advertising the Heart Rate service (0x180D) are listed, whatever their name.
`--ble-transport SPEC` uses a bumble host on that transport instead of the system stack.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import sys
from collections.abc import AsyncIterator, Sequence
from typing import Any

from app.commands.errors import CommandError
from sensors.ble import SYSTEM_BACKEND, BleBackend, BluetoothUnavailableError, scan

DEFAULT_SCAN_S = 5.0


def add_transport_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ble-transport",
        metavar="SPEC",
        help="use a bumble Bluetooth host on this HCI transport (tcp-client:HOST:PORT, usb:0, "
        "...) instead of the system Bluetooth stack",
    )


def positive_number(option: str, text: str) -> float:
    """Parse a positive finite number given on the command line, or fail clearly."""
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"{option} must be a number, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise CommandError(f"{option} must be a positive number, not {text!r}")
    return value


@contextlib.asynccontextmanager
async def ble_backend(spec: str | None) -> AsyncIterator[BleBackend]:
    """The system backend, or a bumble host on `spec` (closed on exit)."""
    if not spec:
        yield SYSTEM_BACKEND
        return
    from sensors.bumble_backend import open_bumble_backend

    try:
        opened = open_bumble_backend(spec)
        backend = await opened.__aenter__()
    except Exception as exc:  # bumble raises OSError, ValueError or its own transport errors
        raise CommandError(f"cannot open Bluetooth transport {spec!r}: {exc}") from exc
    try:
        yield backend
    finally:
        await opened.__aexit__(None, None, None)


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "scan",
        parents=list(parents),
        help="list nearby heart-rate sensors",
        description="Scan for Bluetooth LE heart-rate sensors (devices offering the Heart Rate "
        "service) and list name, address and signal strength, strongest first.",
    )
    parser.add_argument(
        "--seconds", metavar="N", default=str(DEFAULT_SCAN_S), help="how long to scan (5)"
    )
    add_transport_option(parser)
    parser.set_defaults(func=run)


async def _scan(seconds: float, spec: str | None) -> int:
    async with ble_backend(spec) as backend:
        try:
            found = await scan(seconds, backend)
        except BluetoothUnavailableError as exc:
            raise CommandError(str(exc)) from exc
    if not found:
        print(
            "no heart-rate sensors found: wear the strap (most sleep until they touch moist "
            "skin) and make sure no other app is connected to it",
            file=sys.stderr,
        )
        return 0
    width = max(len(strap.name or "(no name)") for strap in found)
    for strap in found:
        print(f"{(strap.name or '(no name)'):<{width}}  {strap.address}  {strap.rssi} dBm")
    return 0


def run(args: argparse.Namespace) -> int:
    seconds = positive_number("--seconds", args.seconds)
    return asyncio.run(_scan(seconds, args.ble_transport))
