"""The plain RR reader: units, separators, encodings, compression and clear refusals."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formats.errors import FormatError
from app.formats.plain import parse_plain_rr, read_plain_rr


def test_one_value_per_line_in_ms() -> None:
    np.testing.assert_array_equal(parse_plain_rr("800\n812.5\n790\n"), [800.0, 812.5, 790.0])


def test_seconds_are_detected_and_converted() -> None:
    np.testing.assert_allclose(parse_plain_rr("0.8\n0.8125\n0.79\n"), [800.0, 812.5, 790.0])


@pytest.mark.parametrize("separator", [" ", "\t", ";", ",", " ; "])
def test_several_values_on_a_line(separator: str) -> None:
    text = separator.join(["800", "810", "820"]) + "\n830\n"
    np.testing.assert_array_equal(parse_plain_rr(text), [800, 810, 820, 830])


def test_comments_and_blank_lines_are_skipped() -> None:
    np.testing.assert_array_equal(parse_plain_rr("# RR in ms\n\n800\n  \n900\n"), [800, 900])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("\n\n  \n", "empty"),
        ("800\nabc\n", "line 2: 'abc' is not a number"),
        ("800\n-5\n", "line 2: RR interval -5 is not positive"),
        ("800\n0\n", "not positive"),
        ("800\nnan\n", "not a finite number"),
        ("800\ninf\n", "not a finite number"),
    ],
)
def test_bad_text_is_refused_with_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message) as caught:
        parse_plain_rr(text)
    assert "\n" not in str(caught.value)


def test_gzip_bom_and_line_endings(tmp_path: Path) -> None:
    for name, payload in {
        "crlf.txt": b"\xef\xbb\xbf800\r\n900\r\n",
        "cr.txt": b"800\r900\r",
        "packed.txt.gz": gzip.compress(b"800\n900\n"),
        "gz_without_suffix.txt": gzip.compress(b"0.8\n0.9\n"),
    }.items():
        path = tmp_path / name
        path.write_bytes(payload)
        np.testing.assert_allclose(read_plain_rr(path), [800.0, 900.0])


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no such file"):
        read_plain_rr(tmp_path / "missing.txt")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(FormatError, match="not a text file"):
        read_plain_rr(binary)
    broken = tmp_path / "broken.gz"
    broken.write_bytes(gzip.compress(b"800\n" * 100)[:15])
    with pytest.raises(FormatError, match="gzip"):
        read_plain_rr(broken)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_is_read_or_refused_clearly(text: str) -> None:
    try:
        values = parse_plain_rr(text)
    except FormatError as exc:
        assert str(exc)
        return
    assert values.size > 0
    assert np.all(np.isfinite(values))
    assert np.all(values > 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=250, max_value=2500), min_size=1, max_size=50))
def test_ms_values_round_trip(values: list[float]) -> None:
    text = "\n".join(repr(v) for v in values)
    np.testing.assert_array_equal(parse_plain_rr(text), values)
