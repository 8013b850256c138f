"""Import speed on large inputs, against references measured in the same run.

Run: .venv/bin/python tests/bench/bench_import.py
- a 24 h recording (100,000 beats) as plain RR text and as HRV Logger CSV: read + write to the
  store, against `numpy.loadtxt` of the same plain file;
- an Apple Health export.xml with 300,000 heart-rate records and 2,000 SDNN records: read
  (streamed), against a bare `iterparse` pass over the same file; peak Python memory
  from tracemalloc.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.formats.importer import import_files
from app.formats.registry import read_path
from app.store import open_store

N_BEATS = 100_000


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(7)
    rr = np.round(rng.normal(850, 60, N_BEATS)).astype(int)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain = folder / "day.txt"
        plain.write_text("\n".join(map(str, rr)) + "\n")
        logger = folder / "logger.csv"
        since = np.cumsum(rr)
        stamps = 1_709_622_000_000 + since
        logger.write_text(
            "timestamp, rr, since_start \n\n"
            + "".join(f"{s},{r},{c}\n" for s, r, c in zip(stamps, rr, since, strict=True))
        )
        reference = timed(lambda: np.loadtxt(plain))
        read_plain = timed(lambda: read_path(plain))
        read_logger = timed(lambda: read_path(logger))
        store = open_store(folder / "bench.db")
        write_both = timed(lambda: import_files(store, [plain, logger]))
        store.close()
        print(f"np.loadtxt 100k values (reference): {reference * 1000:.0f} ms")
        print(f"plain RR read:        {read_plain * 1000:.0f} ms ({read_plain / reference:.2f}x)")
        print(f"HRV Logger CSV read:  {read_logger * 1000:.0f} ms ({read_logger / reference:.2f}x)")
        print(f"read + store both:    {write_both * 1000:.0f} ms ({write_both / reference:.2f}x)")

        xml = folder / "export.xml"
        with xml.open("w") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n')
            for i in range(300_000):
                day = 1 + (i // 10_000) % 28
                out.write(
                    f' <Record type="HKQuantityTypeIdentifierHeartRate" unit="count/min"'
                    f' startDate="2024-02-{day:02d} 08:00:00 +0100" value="{60 + i % 30}"/>\n'
                )
            for i in range(2_000):
                day = 1 + i % 28
                out.write(
                    f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" unit="ms"'
                    f' startDate="2024-02-{day:02d} 07:{i % 60:02d}:00 +0100"'
                    f' value="{40 + i % 25}">'
                    '<HeartRateVariabilityMetadataList><InstantaneousBeatsPerMinute bpm="60"'
                    ' time="7:00:01.00 AM"/></HeartRateVariabilityMetadataList></Record>\n'
                )
            out.write("</HealthData>\n")
        size_mb = xml.stat().st_size / 1e6
        bare = timed(lambda: sum(1 for _ in ET.iterparse(xml)))
        tracemalloc.start()
        apple = timed(lambda: read_path(xml))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"bare iterparse {size_mb:.0f} MB (reference): {bare * 1000:.0f} ms")
        print(
            f"Apple Health read:    {apple * 1000:.0f} ms ({apple / bare:.2f}x), "
            f"peak Python memory {peak / 1e6:.1f} MB for a {size_mb:.0f} MB file"
        )


if __name__ == "__main__":
    main()
