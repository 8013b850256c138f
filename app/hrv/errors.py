"""Why an analysis refuses its input: both are ValueErrors with a one-line message."""

from __future__ import annotations


class InvalidRRError(ValueError):
    """The RR values are unusable: not finite, not positive, or outside what a sensor can send."""


class InsufficientDataError(ValueError):
    """Too few beats to compute anything meaningful."""
