"""Approved-image comparison: a rendered image must match its approved PNG in
tests/gui_images/approved/.

A pixel differs when any colour channel differs by more than `CHANNEL_DELTA`; an image matches
when at most `MAX_DIFFERING_SHARE` of its pixels differ (and the sizes are equal).

On a mismatch the actual image and a diff image (differing pixels in red over a faded copy of
the approved one) are written to `$BASELINE_IMAGE_OUT` (default: <tmp>/baseline-image-diffs),
and the message says where.

To approve the current rendering (after an intended change of the screens), run
    BASELINE_APPROVE=1 .venv/bin/pytest tests/gui_images tests/gui_io/test_report.py -p no:xdist
and commit the changed PNGs in tests/gui_images/approved/ after looking at them (README.md here).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication

APPROVED_DIR = Path(__file__).resolve().parent / "approved"
APPROVE_ENV = "BASELINE_APPROVE"
OUT_ENV = "BASELINE_IMAGE_OUT"
CHANNEL_DELTA = 16  # of 255: anti-aliasing noise, not a changed colour or a moved line
# 0.01 % of the pixels (73 of a 1147x639 window): the renderings are exact on one machine, so
# this only has to absorb stray pixels; one changed word or digit is more and fails
MAX_DIFFERING_SHARE = 0.0001
APPROVE_COMMAND = (
    f"{APPROVE_ENV}=1 .venv/bin/pytest tests/gui_images tests/gui_io/test_report.py -p no:xdist"
)
PNG_QUALITY = 0  # Qt's PNG writer: 0 is the strongest (lossless) compression

FONT_FAMILY = "DejaVu Sans"  # installed with the test environment's fonts
FONT_PT = 10

UInt8Array = npt.NDArray[np.uint8]


@contextmanager
def fixed_rendering(app: QApplication) -> Iterator[None]:
    """One font, UTC, a steady text cursor; the application's look is restored afterwards."""
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    font, palette, sheet = app.font(), app.palette(), app.styleSheet()
    style_name = app.style().name()
    flash_ms = app.cursorFlashTime()
    app.setFont(QFont(FONT_FAMILY, FONT_PT))
    app.setCursorFlashTime(0)
    try:
        yield
    finally:
        app.setCursorFlashTime(flash_ms)
        app.setStyleSheet(sheet)
        app.setPalette(palette)
        app.setStyle(style_name)
        app.setFont(font)
        if old_tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


def rgb_array(image: QImage) -> UInt8Array:
    """The image as a (height, width, 3) array of 8-bit RGB."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    height, width, stride = rgb.height(), rgb.width(), rgb.bytesPerLine()
    raw = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    return raw.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def image_of(array: UInt8Array) -> QImage:
    height, width, _ = array.shape
    data = np.ascontiguousarray(array)
    return QImage(data.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def differing(actual: UInt8Array, approved: UInt8Array) -> npt.NDArray[np.bool_]:
    """Pixels where some channel differs by more than CHANNEL_DELTA."""
    delta = np.abs(actual.astype(np.int16) - approved.astype(np.int16))
    mask: npt.NDArray[np.bool_] = delta.max(axis=2) > CHANNEL_DELTA
    return mask


def diff_image(approved: UInt8Array, mask: npt.NDArray[np.bool_]) -> UInt8Array:
    faded = (approved.astype(np.uint16) // 4 + 191).astype(np.uint8)
    faded[mask] = (255, 0, 0)
    return faded


def out_dir() -> Path:
    folder = Path(os.environ.get(OUT_ENV) or Path(tempfile.gettempdir()) / "baseline-image-diffs")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def assert_matches_approved(image: QImage, name: str) -> None:
    """Compare `image` with approved/<name>.png here (or approve it, see the module text)."""
    approved_path = APPROVED_DIR / f"{name}.png"
    actual = rgb_array(image)
    if os.environ.get(APPROVE_ENV) == "1":
        APPROVED_DIR.mkdir(parents=True, exist_ok=True)
        saved = image_of(actual).save(str(approved_path), quality=PNG_QUALITY)
        assert saved, f"cannot write {approved_path}"
        return
    folder = out_dir()
    actual_path = folder / f"{name}.actual.png"
    if not approved_path.is_file():
        image_of(actual).save(str(actual_path))
        raise AssertionError(
            f"no approved image {approved_path}; the rendering is in {actual_path}. "
            f"Approve with: {APPROVE_COMMAND}"
        )
    approved = rgb_array(QImage(str(approved_path)))
    if approved.shape != actual.shape:
        image_of(actual).save(str(actual_path))
        raise AssertionError(
            f"{name}: size {actual.shape[1]}x{actual.shape[0]} differs from the approved "
            f"{approved.shape[1]}x{approved.shape[0]}; actual in {actual_path}. "
            f"Approve with: {APPROVE_COMMAND}"
        )
    mask = differing(actual, approved)
    share = float(mask.mean())
    if share > MAX_DIFFERING_SHARE:
        diff_path = folder / f"{name}.diff.png"
        image_of(actual).save(str(actual_path))
        image_of(diff_image(approved, mask)).save(str(diff_path))
        raise AssertionError(
            f"{name}: {share:.2%} of the pixels differ from {approved_path} by more than "
            f"{CHANNEL_DELTA}/255 (at most {MAX_DIFFERING_SHARE:.2%} may); actual: "
            f"{actual_path}, diff: {diff_path}. If the change is intended, approve with: "
            f"{APPROVE_COMMAND}"
        )
