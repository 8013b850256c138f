"""Building the heart-rate source a live session uses, from what the user picked. Qt-free.

The demo strap follows the pacer's current rate (its heart-rate waves track the breathing), unless
`SourceOptions.demo_breathing` says its person breathes at a fixed rate or ignores the pacer; its
clock becomes the session's clock, so a sped-up demo runs the whole session faster.

Only a real strap's source loads Bluetooth (bleak): a session on the demo strap or none never does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sensors.ble_backend import SYSTEM_BACKEND, BleBackend
from sensors.simulated import DEMO_ADDRESS, DEMO_NAME, FOLLOW_PACER, DemoBreathing, DemoStrap
from sensors.source import HeartRateSource

Clock = Callable[[], float]
RateProvider = Callable[[float], float]


@dataclass(frozen=True, slots=True)
class BuiltSource:
    """A source and the clock of its `arrival_s` values (the session's clock).

    `simulated`: the demo strap, whose beats are made up; sessions record it as practice.
    """

    source: HeartRateSource
    clock: Clock
    name: str | None = None
    address: str | None = None
    simulated: bool = False


@dataclass(frozen=True)
class SourceOptions:
    """How sources are built: demo speed, seed and breathing, the Bluetooth backend, the clock."""

    demo_speed: float = 1.0
    demo_seed: int | None = None
    demo_resonance_bpm: float = 5.5
    demo_breathing: DemoBreathing = FOLLOW_PACER
    ble_backend: BleBackend = SYSTEM_BACKEND
    ble_kwargs: tuple[tuple[str, Any], ...] = ()
    clock: Clock = time.monotonic


def build_source(
    kind: str,
    address: str | None,
    rate_provider: RateProvider,
    options: SourceOptions,
) -> BuiltSource | None:
    """`kind` is "demo", "last", "ble" or "none" (None is returned for "none")."""
    if kind == "none":
        return None
    if kind == "demo":
        strap = DemoStrap(
            rate_provider,
            resonance_bpm=options.demo_resonance_bpm,
            seed=options.demo_seed,
            clock=options.clock,
            speed=options.demo_speed,
            breathing=options.demo_breathing,
        )
        return BuiltSource(strap, strap.now_s, DEMO_NAME, DEMO_ADDRESS, simulated=True)
    # "last" auto-connects to the remembered strap; "ble" to the one picked from the scan.
    from sensors.ble import BleStrapSource  # loads bleak: only a session on a real strap needs it

    source = BleStrapSource(
        address=address,
        backend=options.ble_backend,
        clock=options.clock,
        **dict(options.ble_kwargs),
    )
    return BuiltSource(source, options.clock, None, address)
