"""The printable report: its content (Qt-free), the PDF and the PNG."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.formats.importer import import_files
from app.hrv.report import analyze
from app.store import Store
from app.store.records import LogEntry, SessionKind
from app.ui.dialogs.report import (
    ACCENT,
    PAGE_ASPECT,
    ReportDialog,
    render_png_image,
    write_pdf,
    write_png,
)
from app.ui.dialogs.report_content import WELLNESS_NOTE, compose_report, report_lines
from tests.conftest import DATA_DIR
from tests.gui_images.approval import assert_matches_approved, fixed_rendering

TODAY = date(2026, 3, 20)
RR_FILE = DATA_DIR / "rr" / "rest_16min_hrv_rest_rri.txt"


def fill_log(store: Store, days: int, seed: int = 4) -> dict[date, float]:
    """A log of RMSSD and resting HR on most days up to TODAY; returns RMSSD by day."""
    rng = np.random.default_rng(seed)
    rmssd: dict[date, float] = {}
    for k in range(days):
        day = TODAY - timedelta(days=days - 1 - k)
        if rng.random() < 0.2:
            continue
        value = float(math.exp(3.7 + 0.2 * math.sin(k / 8.0) + rng.normal(0.0, 0.1)))
        rmssd[day] = value
        hr = float(57.0 + 3.0 * math.sin(k / 10.0) + rng.normal(0.0, 1.0))
        store.upsert_log(LogEntry(day.isoformat(), rmssd_ms=value, resting_hr_bpm=hr))
    return rmssd


def recording(store: Store) -> int:
    """The 16-minute rest recording as a plain recording (it does not feed the daily values)."""
    at = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
    (outcome,) = import_files(store, [RR_FILE], kind=SessionKind.RECORDING, at=at)
    assert outcome.session_id is not None
    return outcome.session_id


def test_content_rows(store: Store) -> None:
    rmssd = fill_log(store, 120)
    sid = recording(store)
    first = TODAY - timedelta(days=59)
    content = compose_report(store, first_day=first, last_day=TODAY, session_id=sid, made_on=TODAY)
    lines = report_lines(content)
    assert f"Period: {first.isoformat()} to {TODAY.isoformat()}" in lines
    assert lines[-1] == WELLNESS_NOTE
    in_period = [v for d, v in rmssd.items() if first <= d <= TODAY]
    assert f"Days with an HRV value: {len(in_period)}" in lines
    mean_ln = float(np.mean(np.log(in_period)))
    assert f"Average HRV: {math.exp(mean_ln):.0f} ms (lnRMSSD {mean_ln:.2f})" in lines
    # The chart holds the period's days only, with each day's own value.
    ln_chart = content.charts[0]
    assert len(ln_chart.days) == 60 and ln_chart.days[0] == first
    for day, value in rmssd.items():
        if first <= day <= TODAY:
            assert ln_chart.value[(day - first).days] == pytest.approx(value)  # HRV in ms
    assert not ln_chart.value.flags.writeable
    # The session's HRV figures are the HRV core's, for the stored beats.
    beats = store.beats(sid)
    report = analyze([b.rr_ms for b in beats], gap_before=[b.gap_before for b in beats])
    assert report.rmssd_ms is not None and report.sdnn_ms is not None
    assert f"RMSSD: {report.rmssd_ms:.1f} ms" in lines
    assert f"SDNN: {report.sdnn_ms:.1f} ms" in lines
    assert f"Beats analysed: {len(beats)}" in lines
    assert any(line.startswith("Artifacts corrected: ") for line in lines)
    for heading in ("[Time domain]", "[Frequency domain]", "[Nonlinear]", "[Beats and artifacts]"):
        assert heading in lines
    text = "\n".join(lines).lower()
    for claim in ("diagnos", "disease", "patient"):
        assert claim not in text.replace("do not diagnose", "")


def test_content_for_a_short_session_says_why(store: Store, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("\n".join(["812", "845", "901", "830", "850", "870"] * 6) + "\n")
    (outcome,) = import_files(store, [short], at=datetime(2026, 3, 19, 7, 0, tzinfo=UTC))
    content = compose_report(
        store,
        first_day=TODAY - timedelta(days=6),
        last_day=TODAY,
        session_id=outcome.session_id,
        made_on=TODAY,
    )
    lines = report_lines(content)
    assert "VLF power: \u2013" in lines  # 36 beats cannot carry VLF ...
    assert any(line.startswith("Note: ") and "VLF" in line for line in lines)  # ... and it says why
    assert "Days with an HRV value: 0" in lines


def test_content_module_is_qt_free() -> None:
    code = (
        "import sys, app.ui.dialogs.report_content; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken6'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def fixed_look(qapp: QApplication) -> Iterator[None]:
    """One font and time zone, so the pages can be compared with the approved images."""
    with fixed_rendering(qapp):
        yield


def pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=120
        )
        match = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
        assert match is not None
        return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


@pytest.mark.usefixtures("fixed_look")
def test_pdf_is_written(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    fill_log(store, 100)
    sid = recording(store)
    content = compose_report(
        store, first_day=TODAY - timedelta(days=89), last_day=TODAY, session_id=sid, made_on=TODAY
    )
    out = tmp_path / "report.pdf"
    pages = write_pdf(content, out)
    assert out.read_bytes().startswith(b"%PDF")
    assert pages >= 1
    assert pdf_pages(out) == pages
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")],
            check=True,
            timeout=120,
        )
        image = QImage(str(next(tmp_path.glob("page*.png"))))
        assert image.width() > 0
        assert image.height() / image.width() == pytest.approx(PAGE_ASPECT, rel=0.01)
        assert_matches_approved(image, "report-pdf-page1")


def accent_pixels(image: QImage) -> int:
    """Pixels close to the baseline line's colour (the chart was drawn)."""
    target = ACCENT
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - target.red()) < 20
                and abs(c.green() - target.green()) < 20
                and abs(c.blue() - target.blue()) < 20
            ):
                count += 1
    return count


@pytest.mark.usefixtures("fixed_look")
def test_png_size_and_content(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    fill_log(store, 100)
    sid = recording(store)
    content = compose_report(
        store, first_day=TODAY - timedelta(days=89), last_day=TODAY, session_id=sid, made_on=TODAY
    )
    out = tmp_path / "report.png"
    size = write_png(content, out, width_px=800)
    image = QImage(str(out))
    page_h = round(800 * PAGE_ASPECT)
    assert (image.width(), image.height()) == (int(size.width()), int(size.height()))
    assert image.width() == 800 and image.height() % page_h == 0
    assert_matches_approved(image, "report-png")
    assert accent_pixels(image) > 50
    # The top-left corner is the white margin; the page is not all one colour.
    assert image.pixelColor(2, 2) == QColor("white")


@pytest.mark.usefixtures("fixed_look")
def test_png_without_any_data_still_has_the_note(qtbot: QtBot, store: Store) -> None:
    content = compose_report(
        store, first_day=TODAY - timedelta(days=29), last_day=TODAY, session_id=None, made_on=TODAY
    )
    image = render_png_image(content, 600)
    assert image.height() == round(600 * PAGE_ASPECT)
    assert accent_pixels(image) == 0  # no chart without values
    assert_matches_approved(image, "report-png-no-data")  # the title, period figures and note


def test_report_dialog_saves_pdf_and_png(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    fill_log(store, 40)
    sid = recording(store)
    dialog = ReportDialog(store, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.chosen_session() == sid  # the newest session with beats
    assert dialog.period() == (TODAY - timedelta(days=89), TODAY)  # "Last 90 days"
    dialog.preset_combo.setCurrentIndex(0)
    assert dialog.period() == (TODAY - timedelta(days=29), TODAY)
    assert dialog.save(tmp_path / "r", "pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert dialog.save(tmp_path / "r.png", "png")
    assert QImage(str(tmp_path / "r.png")).width() > 0
    assert "Saved" in dialog.status_label.text()
