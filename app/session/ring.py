"""A preallocated ring buffer of floats whose newest items are always one contiguous slice.

Every value is written twice, at `i` and `i + capacity`, so the last `n` items are the slice
`[head + capacity - n, head + capacity)` of a `2 * capacity` array: appending is O(1), nothing is
ever rolled or reallocated, and reading the window is one slice plus one copy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def frozen(values: npt.ArrayLike) -> FloatArray:
    """A read-only float64 copy of `values` (safe to hand to another thread or a signal)."""
    out = np.array(values, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


class FloatRing:
    """Fixed-capacity ring of float64 values; `last(n)` returns read-only copies."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._data = np.zeros(2 * capacity, dtype=np.float64)
        self._head = 0  # next write position in [0, capacity)
        self._count = 0  # values ever written

    def __len__(self) -> int:
        return min(self._count, self.capacity)

    @property
    def total(self) -> int:
        """How many values were ever appended (including those overwritten since)."""
        return self._count

    def append(self, value: float) -> None:
        head = self._head
        self._data[head] = value
        self._data[head + self.capacity] = value
        self._head = head + 1 if head + 1 < self.capacity else 0
        self._count += 1

    def view(self, n: int | None = None) -> FloatArray:
        """The newest `n` values (all held if None), oldest first, as a live read-only view.

        The view changes as values are appended: copy it (or use `last`) before keeping it.
        """
        held = len(self)
        n = held if n is None else max(0, min(n, held))
        end = self._head + self.capacity
        out = self._data[end - n : end]
        out.flags.writeable = False
        return out

    def last(self, n: int | None = None) -> FloatArray:
        """A read-only copy of the newest `n` values (all held if None), oldest first."""
        return frozen(self.view(n))

    def newest(self) -> float:
        if self._count == 0:
            raise IndexError("empty ring")
        return float(self._data[self._head + self.capacity - 1])
