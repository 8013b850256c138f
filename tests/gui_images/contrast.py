"""WCAG 2.x contrast: of colour pairs, and measured on rendered screens.

`contrast_ratio(a, b)` is the WCAG ratio (L1 + 0.05) / (L2 + 0.05) of relative luminances.

On a grabbed screen, `low_contrast_text(root, image)` finds every visible, enabled piece of text
(labels, buttons, check boxes, radio buttons, group box titles, item-view cells, chart axes) and
measures it on the pixels: the background is the most frequent colour of the text's box, the
text colour is the pixel that differs most from it (anti-aliasing only lightens glyph edges, so
the strongest pixel is the glyph's own colour). `weak_outlines(root, image)` does the same for the
edge of each check box and radio button indicator and of each input field and button against
what surrounds it (WCAG 1.4.11: 3:1). Disabled controls are exempt, as in WCAG.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QModelIndex, QPoint, QRect
from PySide6.QtGui import QColor, QImage, QTextDocumentFragment
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from tests.gui_images.approval import rgb_array

TEXT_MIN_RATIO = 4.5  # WCAG AA, normal text
OUTLINE_MIN_RATIO = 3.0  # WCAG AA, user-interface components (1.4.11)
MAX_VIEW_ROWS = 12  # cells measured per item view (the first rows are enough)

FloatArray = npt.NDArray[np.float64]


def _linear(channel: FloatArray) -> FloatArray:
    c = channel / 255.0
    out: FloatArray = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return out


def luminance(rgb: npt.ArrayLike) -> FloatArray:
    """WCAG relative luminance of RGB values 0..255 (last axis: the three channels)."""
    lin = _linear(np.asarray(rgb, dtype=np.float64))
    out: FloatArray = 0.2126 * lin[..., 0] + 0.7152 * lin[..., 1] + 0.0722 * lin[..., 2]
    return out


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """The WCAG contrast ratio of two opaque colours (1 to 21)."""
    ca, cb = QColor(a), QColor(b)
    la = float(luminance((ca.red(), ca.green(), ca.blue())))
    lb = float(luminance((cb.red(), cb.green(), cb.blue())))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _ratios(pixels: npt.NDArray[np.uint8], against: npt.NDArray[np.uint8]) -> FloatArray:
    lum = luminance(pixels)
    ref = float(luminance(against))
    out: FloatArray = (np.maximum(lum, ref) + 0.05) / (np.minimum(lum, ref) + 0.05)
    return out


def dominant_colour(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The most frequent colour among (n, 3) pixels."""
    packed = pixels[:, 0].astype(np.int64) << 16 | pixels[:, 1].astype(np.int64) << 8 | pixels[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    top = int(values[np.argmax(counts)])
    return np.array([(top >> 16) & 255, (top >> 8) & 255, top & 255], dtype=np.uint8)


@dataclass(frozen=True)
class Measured:
    """One piece of text (or one outline) measured on the screen."""

    what: str
    ratio: float
    background: str
    foreground: str


def measure_region(image: npt.NDArray[np.uint8], rect: QRect, what: str) -> Measured | None:
    """Text contrast inside `rect` (image coordinates); None when the box is empty."""
    h, w, _ = image.shape
    x0, y0 = max(rect.left(), 0), max(rect.top(), 0)
    x1, y1 = min(rect.right() + 1, w), min(rect.bottom() + 1, h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    pixels = image[y0:y1, x0:x1].reshape(-1, 3)
    background = dominant_colour(pixels)
    ratios = _ratios(pixels, background)
    strongest = int(np.argmax(ratios))
    return Measured(
        what,
        float(ratios[strongest]),
        QColor(*(int(v) for v in background)).name(),
        QColor(*(int(v) for v in pixels[strongest])).name(),
    )


def _in_root(widget: QWidget, root: QWidget, rect: QRect) -> QRect:
    origin = widget.mapTo(root, QPoint(0, 0)) if widget is not root else QPoint(0, 0)
    return rect.translated(origin)


def _shown(widget: QWidget, root: QWidget) -> QRect | None:
    """The part of the widget that is actually on screen (in the widget's coordinates)."""
    if not widget.isVisibleTo(root) or not widget.isEnabled():
        return None
    visible = widget.visibleRegion().boundingRect()
    return None if visible.isEmpty() else visible


def _name(widget: QWidget, text: str) -> str:
    short = " ".join(text.split())
    short = short if len(short) <= 40 else short[:37] + "..."
    return f"{type(widget).__name__} {short!r}"


def _text_boxes(root: QWidget) -> Iterator[tuple[QRect, str]]:
    """(box in root coordinates, description) of each visible piece of text."""
    for widget in [root, *root.findChildren(QWidget)]:
        visible = _shown(widget, root)
        if visible is None:
            continue
        if isinstance(widget, QLabel):
            text = QTextDocumentFragment.fromHtml(widget.text()).toPlainText()
            if not text.strip() or not widget.pixmap().isNull():
                continue
            box = widget.contentsRect().intersected(visible)
            yield _in_root(widget, root, box), _name(widget, text)
        elif isinstance(widget, QCheckBox | QRadioButton):
            if not widget.text().strip():
                continue
            option = QStyleOptionButton()
            option.initFrom(widget)
            option.text = widget.text()
            element = (
                QStyle.SubElement.SE_CheckBoxContents
                if isinstance(widget, QCheckBox)
                else QStyle.SubElement.SE_RadioButtonContents
            )
            box = widget.style().subElementRect(element, option, widget).intersected(visible)
            yield _in_root(widget, root, box), _name(widget, widget.text())
        elif isinstance(widget, QAbstractButton):
            if not widget.text().strip():
                continue
            yield (
                _in_root(widget, root, widget.rect().adjusted(3, 3, -3, -3).intersected(visible)),
                _name(widget, widget.text()),
            )
        elif isinstance(widget, QGroupBox) and widget.title().strip():
            title = widget.rect()
            title.setHeight(widget.fontMetrics().height() + 2)
            yield _in_root(widget, root, title.intersected(visible)), _name(widget, widget.title())
        elif isinstance(widget, QAbstractItemView):
            yield from _cells(widget, root)


def _cells(view: QAbstractItemView, root: QWidget) -> Iterator[tuple[QRect, str]]:
    model = view.model()
    port = view.viewport()
    shown = port.visibleRegion().boundingRect()
    top = QModelIndex()
    columns = 1 if isinstance(view, QListView) else model.columnCount(top)
    for row in range(min(model.rowCount(top), MAX_VIEW_ROWS)):
        for column in range(columns):
            index = model.index(row, column)
            text = str(index.data() or "")
            if not text.strip():
                continue
            cell = view.visualRect(index).adjusted(2, 1, -2, -1).intersected(shown)
            if cell.isEmpty():
                continue
            yield _in_root(port, root, cell), f"{type(view).__name__} cell {text!r}"


def _charts(root: QWidget) -> Iterator[tuple[QRect, str]]:
    """The tick labels of each shown pyqtgraph axis."""
    import pyqtgraph as pg

    for view in root.findChildren(pg.GraphicsView):
        if _shown(view, root) is None:
            continue
        for item in view.scene().items():
            if not isinstance(item, pg.AxisItem) or not item.isVisible():
                continue
            if not item.style.get("showValues", True):
                continue
            scene_box = item.mapRectToScene(item.boundingRect())
            box = view.mapFromScene(scene_box).boundingRect()
            box = box.intersected(view.viewport().rect())
            if box.width() < 4 or box.height() < 4:
                continue
            yield _in_root(view.viewport(), root, box), f"chart axis {item.orientation}"


def text_contrasts(root: QWidget, image: QImage) -> list[Measured]:
    """Every visible piece of text of `root` measured on `image` (a grab of `root`)."""
    pixels = rgb_array(image)
    scale = image.width() / max(root.width(), 1)
    found: list[Measured] = []
    boxes = [*_text_boxes(root), *_charts(root)]
    for box, what in boxes:
        scaled = QRect(
            round(box.x() * scale),
            round(box.y() * scale),
            round(box.width() * scale),
            round(box.height() * scale),
        )
        measured = measure_region(pixels, scaled, what)
        if measured is not None:
            found.append(measured)
    return found


def low_contrast_text(root: QWidget, image: QImage) -> list[str]:
    """A sentence for each piece of text on `image` below 4.5:1 (empty when all read well)."""
    return [
        f"{m.what}: {m.ratio:.2f}:1 ({m.foreground} on {m.background}), needs {TEXT_MIN_RATIO}:1"
        for m in text_contrasts(root, image)
        if m.ratio < TEXT_MIN_RATIO
    ]


def _ring(
    pixels: npt.NDArray[np.uint8], rect: QRect, inset: int, width: int
) -> npt.NDArray[np.uint8]:
    """Pixels of the band `inset`..`inset + width` inside the edge of `rect` (negative inset:
    outside it)."""
    h, w, _ = pixels.shape
    outer = rect.adjusted(inset, inset, -inset, -inset)
    inner = outer.adjusted(width, width, -width, -width)
    mask = np.zeros((h, w), dtype=bool)
    x0, y0 = max(outer.left(), 0), max(outer.top(), 0)
    x1, y1 = min(outer.right() + 1, w), min(outer.bottom() + 1, h)
    mask[y0:y1, x0:x1] = True
    ix0, iy0 = max(inner.left(), 0), max(inner.top(), 0)
    ix1, iy1 = min(inner.right() + 1, w), min(inner.bottom() + 1, h)
    if ix1 > ix0 and iy1 > iy0:
        mask[iy0:iy1, ix0:ix1] = False
    return pixels[mask]


def _outline_boxes(root: QWidget) -> Iterator[tuple[QRect, str]]:
    for widget in root.findChildren(QWidget):
        if _shown(widget, root) is None:
            continue
        if isinstance(widget, QCheckBox | QRadioButton):
            option = QStyleOptionButton()
            option.initFrom(widget)
            element = (
                QStyle.SubElement.SE_CheckBoxIndicator
                if isinstance(widget, QCheckBox)
                else QStyle.SubElement.SE_RadioButtonIndicator
            )
            box = widget.style().subElementRect(element, option, widget)
            yield _in_root(widget, root, box), f"{_name(widget, widget.text())} indicator"
        elif isinstance(widget, QPushButton) and widget.isFlat():
            continue  # a flat button reads as a link: its words mark it, not an edge
        elif isinstance(widget, QLineEdit | QAbstractSpinBox | QComboBox | QPushButton):
            if isinstance(widget, QLineEdit) and isinstance(
                widget.parent(), QAbstractSpinBox | QComboBox
            ):
                continue  # the field inside a spin box or combo box: its parent's frame counts
            label = widget.text() if isinstance(widget, QPushButton) else widget.accessibleName()
            yield _in_root(widget, root, widget.rect()), f"{_name(widget, label)} edge"


def weak_outlines(root: QWidget, image: QImage) -> list[str]:
    """A sentence for each control whose edge reaches less than 3:1 against what surrounds it."""
    pixels = rgb_array(image)
    problems: list[str] = []
    for box, what in _outline_boxes(root):
        outside = _ring(pixels, box, -3, 2)
        edge = _ring(pixels, box, 0, 3)
        if outside.size == 0 or edge.size == 0:
            continue
        around = dominant_colour(outside)
        ratio = float(_ratios(edge, around).max())
        if ratio < OUTLINE_MIN_RATIO:
            problems.append(
                f"{what}: {ratio:.2f}:1 against {QColor(*(int(v) for v in around)).name()}, "
                f"needs {OUTLINE_MIN_RATIO}:1"
            )
    return problems
