"""The printable report: draws `report_content.ReportContent` with QPainter into a PDF or a PNG.

`write_pdf(content, path)` uses QPdfWriter (A4, vector text and lines, as many pages as needed);
`write_png(content, path)` draws the same pages into one image, page under page. Everything is
laid out relative to the page width, so any resolution gives the same picture. The dialog
(`ReportDialog`) picks the period and the session and saves the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QDate, QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QImageWriter,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.formats.atomic import PartialFile, WriteRefusedError
from app.store import Store
from app.ui.dialogs.report_content import (
    ChartSeries,
    ReportContent,
    ReportSection,
    compose_report,
)

#: A4 height over width.
PAGE_ASPECT = 297.0 / 210.0
PDF_DPI = 300
PNG_WIDTH_PX = 1240  # A4 at 150 dpi
PERIOD_PRESETS = (
    (30, "Last 30 days"),
    (90, "Last 90 days"),
    (182, "Last 6 months"),
    (365, "Last year"),
)

INK = QColor("#1f2a27")
MUTED = QColor("#5d6b66")
ACCENT = QColor("#2f7f73")
BAND = QColor("#d3e9e4")
DOTS = QColor("#7d8c87")
RULE = QColor("#c9d3cf")


@dataclass
class _Page:
    """Geometry of one page in device pixels."""

    width: float
    height: float

    @property
    def margin(self) -> float:
        return self.width * 0.07

    @property
    def unit(self) -> float:
        """The base text size in pixels."""
        return self.width / 72.0


class _Painter:
    """Paints blocks top to bottom and starts a new page when a block does not fit."""

    def __init__(
        self,
        painter: QPainter,
        page: _Page,
        content: ReportContent,
        new_page: Callable[[], object],
    ) -> None:
        self.p = painter
        self.page = page
        self.content = content
        self.new_page_cb = new_page
        self.n_pages = 1
        self.x0 = page.margin
        self.x1 = page.width - page.margin
        self.y = page.margin
        self.line_h = page.unit * 1.55
        self.footer_h = page.unit * 6.5

    # -- primitives --------------------------------------------------------------------------
    def font(self, scale: float = 1.0, *, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPixelSize(max(1, round(self.page.unit * scale)))
        font.setBold(bold)
        self.p.setFont(font)
        return font

    def text_height(self, text: str, width: float, scale: float = 1.0) -> float:
        self.font(scale)
        rect = self.p.boundingRect(
            QRectF(0, 0, width, 10 * self.page.height), Qt.TextFlag.TextWordWrap, text
        )
        return rect.height()

    def bottom(self) -> float:
        return self.page.height - self.page.margin - self.footer_h

    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom() and self.y > self.page.margin + 1:
            self.footer()
            self.new_page_cb()
            self.n_pages += 1
            self.y = self.page.margin

    def text(
        self,
        text: str,
        *,
        scale: float = 1.0,
        bold: bool = False,
        colour: QColor = INK,
        x: float | None = None,
        width: float | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> float:
        """Draw wrapped text at the cursor; returns its height (the cursor does not move)."""
        left = self.x0 if x is None else x
        w = (self.x1 - left) if width is None else width
        self.font(scale, bold=bold)
        self.p.setPen(colour)
        rect = QRectF(left, self.y, w, 10 * self.page.height)
        bounds = self.p.boundingRect(rect, int(Qt.TextFlag.TextWordWrap) | int(align), text)
        self.p.drawText(rect, int(Qt.TextFlag.TextWordWrap) | int(align), text)
        return bounds.height()

    def rule(self, y: float) -> None:
        self.p.setPen(QPen(RULE, max(1.0, self.page.unit * 0.08)))
        self.p.drawLine(QPointF(self.x0, y), QPointF(self.x1, y))

    # -- blocks ------------------------------------------------------------------------------
    def header(self) -> None:
        c = self.content
        self.y += self.text(c.title, scale=2.0, bold=True)
        self.y += self.text(
            f"Period {c.period_text}  \u00b7  made on {c.made_on.isoformat()}", colour=MUTED
        )
        self.y += self.line_h * 0.4
        self.rule(self.y)
        self.y += self.line_h * 0.6

    def footer(self) -> None:
        top = self.page.height - self.page.margin - self.footer_h + self.page.unit
        self.rule(top)
        saved = self.y
        self.y = top + self.page.unit * 0.5
        c = self.content
        page = f"{c.title}, {c.period_text}  \u00b7  page {self.n_pages}"
        self.y += self.text(page, scale=0.8, colour=MUTED) + self.page.unit * 0.2
        self.text(c.note, scale=0.8, colour=MUTED)
        self.y = saved

    def section(self, section: ReportSection, x: float, width: float, title: str) -> float:
        """Draw a titled two-column table at (x, cursor); returns its height."""
        start = self.y
        y = self.y
        saved = self.y
        self.y = y
        y += self.text(title, scale=1.1, bold=True, x=x, width=width) + self.line_h * 0.2
        label_w = width * 0.55
        for label, value in section.rows:
            self.y = y
            h1 = self.text(label, colour=MUTED, x=x, width=label_w - self.page.unit)
            h2 = self.text(value, x=x + label_w, width=width - label_w)
            y += max(h1, h2, self.line_h * 0.9) + self.line_h * 0.15
        self.y = saved
        return y - start

    def section_height(self, section: ReportSection, width: float, title: str) -> float:
        h = self.text_height(title, width, 1.1) + self.line_h * 0.2
        label_w = width * 0.55
        for label, value in section.rows:
            h1 = self.text_height(label, label_w - self.page.unit)
            h2 = self.text_height(value, width - label_w)
            h += max(h1, h2, self.line_h * 0.9) + self.line_h * 0.15
        return h

    def sections_in_columns(self, sections: Sequence[ReportSection]) -> None:
        gap = self.page.unit * 2.0
        col_w = (self.x1 - self.x0 - gap) / 2.0
        for i in range(0, len(sections), 2):
            pair = list(sections[i : i + 2])
            heights = [self.section_height(s, col_w, s.title) for s in pair]
            self.ensure(max(heights))
            for j, s in enumerate(pair):
                self.section(s, self.x0 + j * (col_w + gap), col_w, s.title)
            self.y += max(heights) + self.line_h * 0.6

    def notes(self, sections: Sequence[ReportSection]) -> None:
        for s in sections:
            if s.note and s.title != "Session":
                text = f"{s.title}, not computed: {s.note}."
                h = self.text_height(text, self.x1 - self.x0, 0.85)
                self.ensure(h)
                self.y += self.text(text, scale=0.85, colour=MUTED) + self.line_h * 0.2

    def chart(self, series: ChartSeries, height: float) -> None:
        self.ensure(height + self.line_h * 1.5)
        self.y += self.text(series.title, scale=1.1, bold=True)
        box = QRectF(self.x0 + self.page.unit * 4.5, self.y, 0.0, height - self.line_h * 2.2)
        box.setRight(self.x1 - self.page.unit * 0.5)
        _draw_chart(self, series, box)
        self.y = box.bottom() + self.line_h * 1.3
        self._legend()
        self.y += self.line_h * 1.2

    def _legend(self) -> None:
        u = self.page.unit
        x = self.x0 + u * 4.5
        mid = self.y + self.line_h * 0.45
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(DOTS)
        self.p.drawEllipse(QPointF(x + u * 0.5, mid), u * 0.3, u * 0.3)
        w = self.text("daily value", scale=0.85, colour=MUTED, x=x + u * 1.3, width=u * 10)
        x += u * 10
        self.p.setPen(QPen(ACCENT, u * 0.25))
        self.p.drawLine(QPointF(x, mid), QPointF(x + u * 2, mid))
        self.text("7-day baseline", scale=0.85, colour=MUTED, x=x + u * 2.6, width=u * 12)
        x += u * 13
        self.p.setPen(Qt.PenStyle.NoPen)
        self.p.setBrush(BAND)
        self.p.drawRect(QRectF(x, mid - u * 0.5, u * 2, u))
        self.text("60-day normal range", scale=0.85, colour=MUTED, x=x + u * 2.6, width=u * 16)
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        del w

    def paint(self) -> int:
        c = self.content
        self.header()
        charts = [s for s in c.charts if s.has_values]
        if not charts:
            self.y += self.text(
                "No daily HRV or resting heart-rate values in this period.", colour=MUTED
            )
            self.y += self.line_h
        for i, series in enumerate(charts):
            self.chart(series, self.page.width * (0.27 if i == 0 else 0.19))
        if c.session_title is None or not c.session_sections:
            self.sections_in_columns([c.period])
            self.footer()
            return self.n_pages
        first, *hrv = c.session_sections
        self.sections_in_columns([c.period, first])
        if first.note:
            self.ensure(self.line_h * 2)
            self.y += self.text(first.note, colour=MUTED) + self.line_h * 0.5
        if hrv:
            self.ensure(self.line_h * 8)
            self.rule(self.y)
            self.y += self.line_h * 0.5
            self.y += self.text(f"HRV of the session: {c.session_title}", scale=1.3, bold=True)
            self.y += self.line_h * 0.5
            self.sections_in_columns(hrv)
            self.notes(hrv)
        self.footer()
        return self.n_pages


def _finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where mask is True."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, ok in enumerate(mask.tolist()):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= raw:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step + 1e-9) + 1)]


def _date_ticks(days: Sequence[date]) -> list[int]:
    """Indices of days to label: month starts for long periods, weeks for short ones."""
    n = len(days)
    if n <= 1:
        return [0]
    if n <= 45:
        step = 7 if n > 14 else max(1, n // 4)
        return list(range(0, n, step))
    picks = [i for i, d in enumerate(days) if d.day == 1]
    while len(picks) > 8:
        picks = picks[::2]
    return picks or [0, n - 1]


def _draw_chart(pp: _Painter, s: ChartSeries, box: QRectF) -> None:
    p = pp.p
    u = pp.page.unit
    stack = np.vstack([s.value, s.baseline_7d, s.normal_low, s.normal_high])
    finite = stack[np.isfinite(stack)]
    lo, hi = float(finite.min()), float(finite.max())
    pad = max((hi - lo) * 0.15, 0.05 if hi < 20 else 1.0)
    lo, hi = lo - pad, hi + pad
    n = len(s.days)

    def x_of(i: float) -> float:
        return box.left() + (i + 0.5) / max(n, 1) * box.width()

    def y_of(v: float) -> float:
        return box.bottom() - (v - lo) / (hi - lo) * box.height()

    p.setPen(QPen(RULE, max(1.0, u * 0.06)))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(box)
    pp.font(0.8)
    for tick in _nice_ticks(lo, hi):
        y = y_of(tick)
        p.setPen(QPen(RULE, max(1.0, u * 0.04), Qt.PenStyle.DashLine))
        p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        p.setPen(MUTED)
        label = f"{round(tick, 6):g}"
        p.drawText(
            QRectF(box.left() - u * 4.4, y - u, u * 4.0, u * 2),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            label,
        )
    for i in _date_ticks(s.days):
        x = x_of(i)
        p.setPen(QPen(RULE, max(1.0, u * 0.06)))
        p.drawLine(QPointF(x, box.bottom()), QPointF(x, box.bottom() + u * 0.4))
        p.setPen(MUTED)
        p.drawText(
            QRectF(x - u * 4, box.bottom() + u * 0.5, u * 8, u * 1.4),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            s.days[i].strftime("%d %b"),
        )

    p.save()
    p.setClipRect(box)
    band_ok = np.isfinite(s.normal_low) & np.isfinite(s.normal_high)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(BAND))
    for a, b in _finite_runs(band_ok):
        top = [QPointF(x_of(i), y_of(float(s.normal_high[i]))) for i in range(a, b)]
        bottom = [QPointF(x_of(i), y_of(float(s.normal_low[i]))) for i in range(b - 1, a - 1, -1)]
        if b - a == 1:
            half = box.width() / max(n, 1) / 2
            top = [QPointF(x_of(a) - half, top[0].y()), QPointF(x_of(a) + half, top[0].y())]
            bottom = [
                QPointF(x_of(a) + half, bottom[0].y()),
                QPointF(x_of(a) - half, bottom[0].y()),
            ]
        p.drawPolygon(QPolygonF(top + bottom))
    p.setBrush(QBrush(DOTS))
    radius = max(u * 0.22, min(u * 0.35, box.width() / max(n, 1) * 0.4))
    for i in np.flatnonzero(np.isfinite(s.value)).tolist():
        p.drawEllipse(QPointF(x_of(i), y_of(float(s.value[i]))), radius, radius)
    p.setBrush(Qt.BrushStyle.NoBrush)
    pen = QPen(ACCENT, u * 0.25)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    for a, b in _finite_runs(np.isfinite(s.baseline_7d)):
        path = QPainterPath(QPointF(x_of(a), y_of(float(s.baseline_7d[a]))))
        for i in range(a + 1, b):
            path.lineTo(QPointF(x_of(i), y_of(float(s.baseline_7d[i]))))
        if b - a == 1:
            p.drawPoint(path.currentPosition())
        p.drawPath(path)
    p.restore()


def paint_report(
    painter: QPainter,
    width: float,
    height: float,
    content: ReportContent,
    new_page: Callable[[], object],
) -> int:
    """Paint the report on pages of `width` x `height` device pixels; returns the page count."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    return _Painter(painter, _Page(width, height), content, new_page).paint()


def write_pdf(content: ReportContent, path: Path, *, dpi: int = PDF_DPI) -> int:
    """Write the report as an A4 PDF; returns the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(dpi)
    writer.setTitle(f"{content.title}, {content.period_text}")
    writer.setCreator("Baseline")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        rect = writer.pageLayout().fullRectPixels(dpi)
        pages = paint_report(
            painter, float(rect.width()), float(rect.height()), content, writer.newPage
        )
    finally:
        painter.end()
    if not Path(path).is_file():
        raise OSError(f"cannot write {path}")
    return pages


def render_png_image(content: ReportContent, width_px: int = PNG_WIDTH_PX) -> QImage:
    """The report's pages one under the other in one white image (A4 proportions per page)."""
    page_h = round(width_px * PAGE_ASPECT)
    probe = QImage(width_px, page_h, QImage.Format.Format_RGB32)
    counter = QPainter(probe)
    try:
        n_pages = paint_report(counter, width_px, page_h, content, lambda: None)
    finally:
        counter.end()
    image = QImage(width_px, page_h * n_pages, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    offset = [0.0]

    def next_page() -> None:
        offset[0] += page_h
        painter.resetTransform()
        painter.translate(0, offset[0])

    try:
        paint_report(painter, width_px, page_h, content, next_page)
    finally:
        painter.end()
    return image


def write_png(content: ReportContent, path: Path, *, width_px: int = PNG_WIDTH_PX) -> QSizeF:
    """Write the report as a PNG; returns its size in pixels."""
    image = render_png_image(content, width_px)
    writer = QImageWriter(str(path), QByteArray(b"png"))
    if not writer.write(image):
        raise OSError(f"cannot write {path}: {writer.errorString()}")
    return QSizeF(image.size())


def session_choices(store: Store) -> list[tuple[int, str, int]]:
    """(id, label, beats) for every measured session, newest first (demo practice left out)."""
    counts = store.beat_counts()
    choices = []
    for record in store.sessions(include_simulated=False):
        n = int(counts.get(record.id, 0))
        kind = record.kind.label
        label = f"{record.started_at.strftime('%Y-%m-%d %H:%M')}  {kind}"
        label += f"  ({n} beats)" if n else "  (no beats)"
        choices.append((record.id, label, n))
    return choices


def default_session(choices: Sequence[tuple[int, str, int]], preferred: int | None) -> int | None:
    """The preferred session when listed, else the newest with beats, else the newest."""
    ids = [c[0] for c in choices]
    if preferred is not None and preferred in ids:
        return preferred
    with_beats = [c[0] for c in choices if c[2] > 0]
    if with_beats:
        return with_beats[0]
    return ids[0] if ids else None


class ReportDialog(QDialog):
    """Choose the period and the session, then save the report as PDF or PNG."""

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        session_id: int | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Report")
        self._store = store
        self._today = today or date.today()
        self.saved_path: Path | None = None

        intro = QLabel(
            "A one- or two-page summary to show a coach or therapist: your baseline over a "
            "period and one session's HRV figures. Your session notes are not included."
        )
        intro.setWordWrap(True)
        self.preset_combo = QComboBox()
        for days, label in PERIOD_PRESETS:
            self.preset_combo.addItem(label, days)
        self.preset_combo.setCurrentIndex(1)
        self.preset_combo.currentIndexChanged.connect(self._apply_preset)
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.session_combo = QComboBox()
        self.session_combo.addItem("No session", None)
        choices = session_choices(store)
        for sid, label, _n in choices:
            self.session_combo.addItem(label, sid)
        chosen = default_session(choices, session_id)
        index = self.session_combo.findData(chosen) if chosen is not None else 0
        self.session_combo.setCurrentIndex(max(0, index))

        period = QHBoxLayout()
        period.addWidget(self.from_edit)
        period.addWidget(QLabel("to"))
        period.addWidget(self.to_edit)
        period.addStretch(1)
        form = QFormLayout()
        form.addRow("Period", self.preset_combo)
        form.addRow("", period)
        form.addRow("Session", self.session_combo)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.pdf_button = QPushButton("Save as PDF\u2026")
        self.pdf_button.clicked.connect(lambda: self.choose_and_save("pdf"))
        self.png_button = QPushButton("Save as PNG\u2026")
        self.png_button.clicked.connect(lambda: self.choose_and_save("png"))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.png_button)
        buttons.addWidget(self.pdf_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self._apply_preset()

    def _apply_preset(self) -> None:
        days = int(self.preset_combo.currentData())
        self.to_edit.setDate(QDate(self._today.year, self._today.month, self._today.day))
        start = self._today - timedelta(days=days - 1)
        self.from_edit.setDate(QDate(start.year, start.month, start.day))

    def period(self) -> tuple[date, date]:
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        return first, last

    def chosen_session(self) -> int | None:
        data = self.session_combo.currentData()
        return None if data is None else int(data)

    def content(self) -> ReportContent:
        first, last = self.period()
        return compose_report(
            self._store,
            first_day=first,
            last_day=last,
            session_id=self.chosen_session(),
            made_on=self._today,
        )

    def choose_and_save(self, kind: str) -> None:
        first, last = self.period()
        name = f"baseline-report-{first.isoformat()}-to-{last.isoformat()}.{kind}"
        filters = "PDF (*.pdf)" if kind == "pdf" else "PNG image (*.png)"
        path, _ = QFileDialog.getSaveFileName(self, "Save report", name, filters)
        if path:
            self.save(Path(path), kind)

    def save(self, path: Path, kind: str) -> bool:
        """Write the report; the status line says where (or what went wrong)."""
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(f"{path.name}.{kind}")
        try:
            content = self.content()
            # Written beside the target and moved into place when complete; the file dialog
            # has asked before replacing a file, and a database is never written over.
            partial = PartialFile(path, replace=True, protected=self._store.database_files())
            try:
                if kind == "pdf":
                    pages = write_pdf(content, partial.path)
                    what = f"{pages} page{'s' if pages != 1 else ''}"
                else:
                    size = write_png(content, partial.path)
                    what = f"{int(size.width())} x {int(size.height())} pixels"
                partial.commit()
            finally:
                partial.discard()
        except (OSError, ValueError, WriteRefusedError) as exc:
            self.status_label.setText(f"The report was not saved: {exc}")
            return False
        self.saved_path = path
        self.status_label.setText(f"Saved {path} ({what}).")
        return True


__all__ = [
    "ReportDialog",
    "default_session",
    "paint_report",
    "render_png_image",
    "session_choices",
    "write_pdf",
    "write_png",
]
