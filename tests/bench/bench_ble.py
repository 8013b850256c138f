"""Timings of the emulated Bluetooth path (bleak on the bumble backend, LocalLink in process).

Run: `.venv/bin/python -m tests.bench.bench_ble [repeats]`. Prints, per repeat and as medians:
- scan to first notification: source start -> first Sample (scan, connect, GATT discovery,
  battery/location reads, subscribe, one notification);
- reconnect: link dropped by the strap -> first Sample on the new link (rescan + connect);
- parse: `parse_measurement` per packet, as a ratio to bumble's own
  `HeartRateService.HeartRateMeasurement.from_bytes` measured in the same run (the reference).
Nothing here is asserted; the numbers are for comparing changes on the same machine.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import timeit

from bumble.profiles.heart_rate_service import HeartRateService

from sensors.ble import BleStrapSource
from sensors.bumble_backend import bumble_backend
from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import Sample
from tests.stubs import EmulatedStrap, local_pair

PAYLOAD = encode_measurement(72, contact=True, rr_units=(852, 860, 871))


async def one_run() -> tuple[float, float]:
    _, make_device = local_pair()
    central = make_device("central", "F0:F0:F0:F0:F0:F0")
    await central.power_on()
    strap = EmulatedStrap(make_device("strap", "C4:11:22:33:44:55"))
    await strap.start()
    source = BleStrapSource(
        backend=bumble_backend(central),
        scan_window_s=2.0,
        choose_window_s=0.0,
        backoff_initial_s=0.0,
        find_timeout_s=10.0,
    )
    first_s: list[float] = []

    async def drive() -> None:
        await strap.wait_subscribed()
        await strap.notify(PAYLOAD)
        while len(first_s) < 1:
            await asyncio.sleep(0.001)
        drop_s = time.perf_counter()
        await strap.drop_link()
        first_s.append(drop_s)
        await strap.wait_subscribed()
        await strap.notify(PAYLOAD)

    started = time.perf_counter()
    driver = asyncio.create_task(drive())
    samples: list[float] = []
    async for item in source:
        if isinstance(item, Sample):
            samples.append(time.perf_counter())
            if len(samples) == 1:
                first_s.append(samples[0])
            if len(samples) == 2:
                source.stop()
    await driver
    await strap.close()
    return samples[0] - started, samples[1] - first_s[1]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    scans, reconnects = [], []
    for i in range(repeats):
        scan_s, reconnect_s = asyncio.run(one_run())
        scans.append(scan_s)
        reconnects.append(reconnect_s)
        print(f"run {i + 1}: scan to first notification {scan_s * 1000:.1f} ms, "
              f"reconnect {reconnect_s * 1000:.1f} ms")  # fmt: skip
    print(f"median scan to first notification: {statistics.median(scans) * 1000:.1f} ms")
    print(f"median reconnect after a drop:      {statistics.median(reconnects) * 1000:.1f} ms")
    n = 200_000
    parse_s = min(timeit.repeat(lambda: parse_measurement(PAYLOAD), number=n, repeat=3)) / n
    reference = HeartRateService.HeartRateMeasurement.from_bytes
    ref_s = min(timeit.repeat(lambda: reference(PAYLOAD), number=n, repeat=3)) / n
    print(
        f"parse_measurement: {parse_s * 1e6:.2f} us/packet, "
        f"{parse_s / ref_s:.2f}x bumble's from_bytes ({ref_s * 1e6:.2f} us)"
    )


if __name__ == "__main__":
    main()
