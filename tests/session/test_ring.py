"""The ring buffer keeps the newest values contiguous, in order, without reallocating."""

from __future__ import annotations

import numpy as np
import pytest

from app.session.ring import FloatRing, frozen


def test_last_values_in_order_across_many_wraps() -> None:
    ring = FloatRing(7)
    written: list[float] = []
    for i in range(53):
        ring.append(float(i))
        written.append(float(i))
        for n in (1, 3, 7, 10):
            expected = written[-min(n, len(written), 7) :]
            np.testing.assert_array_equal(ring.last(n), expected)
    assert len(ring) == 7
    assert ring.total == 53
    assert ring.newest() == 52.0


def test_snapshots_are_read_only_copies() -> None:
    ring = FloatRing(4)
    for i in range(3):
        ring.append(float(i))
    snap = ring.last()
    with pytest.raises(ValueError):
        snap[0] = 9.0
    ring.append(99.0)
    ring.append(100.0)
    np.testing.assert_array_equal(snap, [0.0, 1.0, 2.0])  # unchanged by later appends


def test_storage_is_never_reallocated() -> None:
    ring = FloatRing(16)
    buffer_id = ring._data.ctypes.data
    for i in range(1000):
        ring.append(float(i))
    assert ring._data.ctypes.data == buffer_id
    np.testing.assert_array_equal(ring.last(16), np.arange(984, 1000, dtype=float))


def test_empty_and_bad_capacity() -> None:
    ring = FloatRing(3)
    assert ring.last().size == 0
    with pytest.raises(IndexError):
        ring.newest()
    with pytest.raises(ValueError):
        FloatRing(0)
    assert not frozen([1.0]).flags.writeable
