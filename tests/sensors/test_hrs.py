"""Heart Rate Measurement parser: the DESIGN.md vectors, malformed payloads, and a fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensors.hrs import (
    HeartRateMeasurement,
    MalformedMeasurement,
    encode_measurement,
    parse_measurement,
)


@pytest.mark.parametrize(
    ("hex_payload", "bpm", "contact", "energy_kj", "rr_ms"),
    [
        ("0400", 0, False, None, ()),
        ("16485403", 72, True, None, (852 * 1000 / 1024,)),
        (
            "16b4540156015301",
            180,
            True,
            None,
            (340 * 1000 / 1024, 342 * 1000 / 1024, 339 * 1000 / 1024),
        ),
        ("092c01d204", 300, None, 1234, ()),
        ("1041ae03b803", 65, None, None, (942 * 1000 / 1024, 952 * 1000 / 1024)),
        ("1046", 70, None, None, ()),
    ],
)
def test_design_vectors(
    hex_payload: str,
    bpm: int,
    contact: bool | None,
    energy_kj: int | None,
    rr_ms: tuple[float, ...],
) -> None:
    m = parse_measurement(bytes.fromhex(hex_payload))
    assert m == HeartRateMeasurement(bpm, contact, energy_kj, rr_ms)


def test_design_vector_values_as_documented() -> None:
    # DESIGN.md rounds to 0.1 ms: 832.0; 332.0/334.0/331.1; 919.9/929.7
    assert parse_measurement(bytes.fromhex("16485403")).rr_ms[0] == pytest.approx(832.0, abs=0.05)
    rr = parse_measurement(bytes.fromhex("16b4540156015301")).rr_ms
    assert [round(x, 1) for x in rr] == [332.0, 334.0, 331.1]
    rr = parse_measurement(bytes.fromhex("1041ae03b803")).rr_ms
    assert [round(x, 1) for x in rr] == [919.9, 929.7]


def test_rr_conversion_is_exact() -> None:
    for units in (1, 3, 852, 1023, 1024, 65535):
        m = parse_measurement(bytes([0x10, 60]) + units.to_bytes(2, "little"))
        assert m.rr_ms == (units * 1000 / 1024,)
        assert m.rr_ms[0] * 1024 / 1000 == units


def test_sixteen_bit_heart_rate_with_energy_and_rr() -> None:
    payload = bytes([0x1F]) + (311).to_bytes(2, "little") + (4321).to_bytes(2, "little")
    payload += (700).to_bytes(2, "little") + (710).to_bytes(2, "little")
    m = parse_measurement(payload)
    assert (m.bpm, m.contact, m.energy_kj) == (311, True, 4321)
    assert m.rr_ms == (700 * 1000 / 1024, 710 * 1000 / 1024)


@pytest.mark.parametrize(
    "hex_payload",
    [
        "",
        "00",
        "01",  # 16-bit HR flag, no HR bytes
        "012c",  # 16-bit HR cut short
        "0848",  # energy flag, no energy
        "08480a",  # energy cut short
        "104854",  # odd trailing byte after RR
        "16485403aa",  # odd trailing byte after a full RR
        "0048ff",  # trailing bytes without the RR flag
    ],
)
def test_malformed_payloads(hex_payload: str) -> None:
    with pytest.raises(MalformedMeasurement):
        parse_measurement(bytes.fromhex(hex_payload))


def test_malformed_is_a_value_error() -> None:
    assert issubclass(MalformedMeasurement, ValueError)


@given(st.binary(max_size=40))
def test_fuzz_only_malformed_is_raised(payload: bytes) -> None:
    try:
        m = parse_measurement(payload)
    except MalformedMeasurement:
        return
    assert 0 <= m.bpm <= 0xFFFF
    assert all(0 <= rr < 64_000 for rr in m.rr_ms)
    assert m.energy_kj is None or 0 <= m.energy_kj <= 0xFFFF


@given(
    bpm=st.integers(0, 0xFFFF),
    contact=st.none() | st.booleans(),
    energy=st.none() | st.integers(0, 0xFFFF),
    rr_units=st.none() | st.lists(st.integers(0, 0xFFFF), max_size=9).map(tuple),
)
def test_encode_parse_round_trip(
    bpm: int, contact: bool | None, energy: int | None, rr_units: tuple[int, ...] | None
) -> None:
    m = parse_measurement(
        encode_measurement(bpm, contact=contact, energy_kj=energy, rr_units=rr_units)
    )
    assert (m.bpm, m.contact, m.energy_kj) == (bpm, contact, energy)
    assert m.rr_ms == tuple(u * 1000 / 1024 for u in (rr_units or ()))
