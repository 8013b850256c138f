"""The approved-image comparison itself: small noise passes, a changed region fails and is shown."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.gui_images import approval
from tests.gui_images.approval import assert_matches_approved, image_of, rgb_array


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    approved, out = tmp_path / "approved", tmp_path / "out"
    monkeypatch.setattr(approval, "APPROVED_DIR", approved)
    monkeypatch.setenv(approval.OUT_ENV, str(out))
    monkeypatch.delenv(approval.APPROVE_ENV, raising=False)
    return approved, out


def picture() -> np.ndarray:
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, size=(400, 500, 3), dtype=np.uint8)


def test_round_trip_through_qimage_keeps_every_pixel(qapp: QApplication) -> None:
    pixels = picture()
    assert np.array_equal(rgb_array(image_of(pixels)), pixels)


def test_approve_then_compare(
    qapp: QApplication, folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    approved, out = folders
    pixels = picture()
    with pytest.raises(AssertionError, match="no approved image"):
        assert_matches_approved(image_of(pixels), "shot")
    assert (out / "shot.actual.png").is_file()
    monkeypatch.setenv(approval.APPROVE_ENV, "1")
    assert_matches_approved(image_of(pixels), "shot")
    assert np.array_equal(rgb_array(QImage(str(approved / "shot.png"))), pixels)
    monkeypatch.delenv(approval.APPROVE_ENV)

    noisy = pixels.astype(np.int16) + approval.CHANNEL_DELTA  # every pixel, but within the delta
    allowed = int(approval.MAX_DIFFERING_SHARE * 400 * 500)  # 20 pixels
    noisy[0, :allowed] = 255 - pixels[0, :allowed]  # as many changed pixels as may differ
    assert_matches_approved(image_of(np.clip(noisy, 0, 255).astype(np.uint8)), "shot")

    changed = pixels.copy()
    changed[:3, :7] = 255 - pixels[:3, :7]  # 21 pixels: one more than may differ
    with pytest.raises(AssertionError, match="differ from"):
        assert_matches_approved(image_of(changed), "shot")
    diff = rgb_array(QImage(str(out / "shot.diff.png")))
    assert (diff[:3, :7] == (255, 0, 0)).all(axis=2).mean() > 0.9  # the changed block is red
    assert np.array_equal(rgb_array(QImage(str(out / "shot.actual.png"))), changed)

    with pytest.raises(AssertionError, match="size"):
        assert_matches_approved(image_of(pixels[:, :100]), "shot")
