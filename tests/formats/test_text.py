"""Text helpers: dates and times as apps write them, numbers with decimal commas, decoding."""

from __future__ import annotations

from datetime import date, time, timedelta, timezone

import pytest

from app.formats.errors import FormatError
from app.formats.text import (
    decode_text,
    find_date,
    find_offset,
    find_time,
    optional_number,
    parse_loose_datetime,
    parse_number,
)


@pytest.mark.parametrize(
    ("text", "day_first", "expected"),
    [
        ("2024-03-05 07:00:00 +0100", True, date(2024, 3, 5)),
        ("13/03/2024", True, date(2024, 3, 13)),
        ("03/13/2024", True, date(2024, 3, 13)),  # 13 cannot be a month
        ("03/04/2024", False, date(2024, 3, 4)),
        ("05.03.24, 07:30", True, date(2024, 3, 5)),
        ("Tuesday, March 5, 2024 7:15:02 AM", True, date(2024, 3, 5)),
        ("5 Mar 2024", True, date(2024, 3, 5)),
        ("13-Sep-2018 13:15:19", True, date(2018, 9, 13)),
        ("xx/xx/xx xx:xx:xx", True, None),
        ("31/02/2024", True, None),
    ],
)
def test_find_date(text: str, day_first: bool, expected: date | None) -> None:
    assert find_date(text, day_first=day_first) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:05 AM", time(7, 5)),
        ("12:15 PM", time(12, 15)),
        ("12:01 a.m.", time(0, 1)),
        ("6:48 p.m.", time(18, 48)),
        ("8:09:21.40", time(8, 9, 21, 400000)),
        ("25:00", None),
    ],
)
def test_find_time(text: str, expected: time | None) -> None:
    assert find_time(text) == expected


def test_offsets() -> None:
    assert find_offset("2024-03-05 07:00:00 -0800") == timezone(-timedelta(hours=8))
    assert find_offset("2024-03-05T07:00:00+05:30") == timezone(timedelta(hours=5, minutes=30))
    assert find_offset("2024-03-05 07:00:00") is None
    moment = parse_loose_datetime("06.03.2024, 07:30:02 +0100")
    assert moment is not None and moment.isoformat() == "2024-03-06T07:30:02+01:00"


def test_numbers() -> None:
    assert parse_number("812,5") == 812.5
    assert parse_number(' "70.25" ') == 70.25
    assert optional_number("-") is None and optional_number("") is None
    with pytest.raises(FormatError):
        parse_number("1.234,5")
    with pytest.raises(FormatError):
        parse_number("inf")


def test_decoding() -> None:
    assert decode_text(b"\xef\xbb\xbfa\r\nb\rc") == "a\nb\nc"
    assert decode_text("x;y\n".encode("utf-16")) == "x;y\n"
    assert decode_text(b"caf\xe9") == "café"  # Windows-1252 fallback
    with pytest.raises(FormatError):
        decode_text(b"\x00\x01\x02")
