"""Lengths of time on a clock and in words: one implementation, rounding stated."""

from __future__ import annotations

import pytest

from app.session.durations import countdown_clock, elapsed_clock, spoken_duration


@pytest.mark.parametrize(
    ("seconds", "elapsed", "left"),
    [
        (0.0, "0:00", "0:00"),
        (-3.0, "0:00", "0:00"),
        (0.2, "0:00", "0:01"),
        (59.2, "0:59", "1:00"),
        (59.999999999999, "1:00", "1:00"),
        (120.0, "2:00", "2:00"),
        (3599.5, "59:59", "1:00:00"),
        (3725.0, "1:02:05", "1:02:05"),
    ],
)
def test_clocks_round_down_what_passed_and_up_what_is_left(
    seconds: float, elapsed: str, left: str
) -> None:
    assert elapsed_clock(seconds) == elapsed
    assert countdown_clock(seconds) == left


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.0, "0 s"),
        (45.9, "45 s"),
        (60.0, "1 min"),
        (725.0, "12 min 5 s"),
        (3600.0, "1 h"),
        (3900.0, "1 h 5 min"),
    ],
)
def test_spoken_durations(seconds: float, words: str) -> None:
    assert spoken_duration(seconds) == words
