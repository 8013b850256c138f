"""Parser for the Bluetooth Heart Rate Measurement characteristic (0x2A37).

Byte layout (all multi-byte fields little-endian):

    offset 0       flags (uint8)
                     bit 0  heart-rate value format: 0 = uint8, 1 = uint16
                     bit 1  sensor contact detected (meaningful only when bit 2 is set)
                     bit 2  sensor contact supported
                     bit 3  energy expended present (uint16, kJ)
                     bit 4  RR intervals present (uint16 each, units of 1/1024 s)
                     bits 5-7 reserved (ignored)
    offset 1       heart rate: uint8, or uint16 when bit 0 is set
    next           energy expended: uint16 kJ, only when bit 3 is set
    rest           zero or more RR intervals, uint16 each, only when bit 4 is set

Straps may set bit 4 and send no RR value at all; that is valid and gives an empty `rr_ms`.
Anything else after the fixed fields is malformed: bytes left over without bit 4, or an odd
trailing byte after the RR values. RR values convert exactly: `rr_ms = units * 1000 / 1024`.
"""

from __future__ import annotations

from dataclasses import dataclass

FLAG_HR_UINT16 = 0x01
FLAG_CONTACT_DETECTED = 0x02
FLAG_CONTACT_SUPPORTED = 0x04
FLAG_ENERGY_PRESENT = 0x08
FLAG_RR_PRESENT = 0x10

RR_UNITS_PER_S = 1024


class MalformedMeasurement(ValueError):  # noqa: N818 (public name)
    """The payload is not a valid Heart Rate Measurement."""


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded notification.

    Attributes:
        bpm: heart rate as the strap reported it (0 while the strap has no contact).
        contact: True/False when the strap supports contact detection, else None.
        energy_kj: energy expended in kJ when present, else None.
        rr_ms: RR intervals in milliseconds, exact conversion of the 1/1024 s units.
    """

    bpm: int
    contact: bool | None = None
    energy_kj: int | None = None
    rr_ms: tuple[float, ...] = ()


def rr_units_to_ms(units: int) -> float:
    """Exact conversion of 1/1024 s units to milliseconds (a binary fraction, no rounding)."""
    return units * 1000 / RR_UNITS_PER_S


def _uint16(data: bytes, offset: int, what: str) -> int:
    if offset + 2 > len(data):
        raise MalformedMeasurement(f"payload ends inside the {what} field ({len(data)} bytes)")
    return data[offset] | (data[offset + 1] << 8)


def parse_measurement(data: bytes) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement payload; raises `MalformedMeasurement` only."""
    raw = bytes(data)
    if len(raw) < 2:
        raise MalformedMeasurement(f"payload too short ({len(raw)} bytes)")
    flags = raw[0]
    offset = 1
    if flags & FLAG_HR_UINT16:
        bpm = _uint16(raw, offset, "heart rate")
        offset += 2
    else:
        bpm = raw[offset]
        offset += 1
    contact = bool(flags & FLAG_CONTACT_DETECTED) if flags & FLAG_CONTACT_SUPPORTED else None
    energy_kj: int | None = None
    if flags & FLAG_ENERGY_PRESENT:
        energy_kj = _uint16(raw, offset, "energy expended")
        offset += 2
    rest = raw[offset:]
    if not flags & FLAG_RR_PRESENT:
        if rest:
            raise MalformedMeasurement(f"{len(rest)} unexpected trailing byte(s) without RR flag")
        return HeartRateMeasurement(bpm, contact, energy_kj, ())
    if len(rest) % 2:
        raise MalformedMeasurement("odd trailing byte after the RR intervals")
    rr_ms = tuple(rr_units_to_ms(rest[i] | (rest[i + 1] << 8)) for i in range(0, len(rest), 2))
    return HeartRateMeasurement(bpm, contact, energy_kj, rr_ms)


def encode_measurement(
    bpm: int,
    *,
    contact: bool | None = None,
    energy_kj: int | None = None,
    rr_units: tuple[int, ...] | None = None,
    force_uint16: bool = False,
) -> bytes:
    """Build a payload (used by the demo strap and the emulated strap in tests).

    `rr_units` are raw 1/1024 s values; `None` leaves the RR flag clear, `()` sets it with no RR.
    """
    flags = 0
    body = bytearray()
    if force_uint16 or bpm > 0xFF:
        flags |= FLAG_HR_UINT16
        body += int(bpm).to_bytes(2, "little")
    else:
        body.append(int(bpm))
    if contact is not None:
        flags |= FLAG_CONTACT_SUPPORTED
        if contact:
            flags |= FLAG_CONTACT_DETECTED
    if energy_kj is not None:
        flags |= FLAG_ENERGY_PRESENT
        body += int(energy_kj).to_bytes(2, "little")
    if rr_units is not None:
        flags |= FLAG_RR_PRESENT
        for units in rr_units:
            body += int(units).to_bytes(2, "little")
    return bytes([flags]) + bytes(body)
