"""The Linux desktop integration files and the app icon: validators, and agreement with the app."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
LINUX_DIR = ROOT / "packaging" / "linux"
ICON_DIR = ROOT / "resources" / "icons"
APP_ID = "org.baselineapp.Baseline"
DESKTOP_FILE = LINUX_DIR / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX_DIR / f"{APP_ID}.metainfo.xml"
PNG_SIZES_PX = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (Debian package {package}; .ci/run installs it)")
    return path


def _desktop_groups() -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    group: dict[str, str] = {}
    for line in DESKTOP_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("[") and line.endswith("]"):
            group = groups.setdefault(line[1:-1], {})
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            group[key] = value
    return groups


def _desktop_entry() -> dict[str, str]:
    return _desktop_groups()["Desktop Entry"]


def test_desktop_file_validates() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    result = subprocess.run(
        [tool, str(DESKTOP_FILE)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "", result.stdout  # no warnings or hints either


def test_metainfo_validates() -> None:
    tool = _tool("appstreamcli", "appstream")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Errors (E:) and warnings (W:) fail; infos about tags newer than this appstream are fine.
    problems = [line for line in result.stdout.splitlines() if line.startswith(("E:", "W:"))]
    assert problems == []


def test_desktop_entry_matches_the_app() -> None:
    entry = _desktop_entry()
    assert entry["Name"] == "Baseline"
    assert entry["Exec"].split()[0] == "baseline"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"


def test_desktop_actions_start_each_screen() -> None:
    """The launcher's right-click actions are `baseline --start SCREEN`, one per screen."""
    from app.ui.startup.start_screen import StartScreen

    groups = _desktop_groups()
    actions = [a for a in _desktop_entry()["Actions"].split(";") if a]
    assert sorted(actions) == sorted(screen.value for screen in StartScreen)
    for action in actions:
        group = groups[f"Desktop Action {action}"]
        assert group["Exec"] == f"baseline --start {action}"
        assert group["Name"]


def test_metainfo_matches_the_app() -> None:
    component = ET.parse(METAINFO_FILE).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP_FILE.name
    assert component.findtext("provides/binary") == "baseline"
    releases = component.findall("releases/release")
    assert releases, "metainfo needs release notes"
    assert releases[0].get("version") == __version__, "newest release must be the app's version"
    assert all(release.find("description") is not None for release in releases)
    screenshots = component.findall("screenshots/screenshot")
    assert screenshots
    assert all((shot.findtext("caption") or "").strip() for shot in screenshots)
    # Screenshots served from this repository must exist in it.
    for shot in screenshots:
        url = shot.findtext("image") or ""
        assert url.startswith("https://")
        if "/resources/screenshots/" in url:
            name = url.rsplit("/", 1)[1]
            assert (ROOT / "resources" / "screenshots" / name).is_file(), name
    rating = component.find("content_rating")
    assert rating is not None
    assert rating.get("type") == "oars-1.1"


def test_svg_icon_is_square() -> None:
    svg = ET.parse(ICON_DIR / "baseline.svg").getroot()
    _, _, width, height = (float(v) for v in (svg.get("viewBox") or "").split())
    assert width == height > 0


@pytest.mark.parametrize("size_px", PNG_SIZES_PX)
def test_png_icon_has_its_size(size_px: int) -> None:
    data = (ICON_DIR / f"baseline-{size_px}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, bit_depth, color_type = struct.unpack(">IIBB", data[16:26])
    assert (width, height) == (size_px, size_px)
    assert (bit_depth, color_type) == (8, 6)  # 8-bit RGBA: the round icon needs transparency


def test_ico_and_icns_hold_the_pngs() -> None:
    ico = (ICON_DIR / "baseline.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    edges = []
    for index in range(count):
        edge, _, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * index : 22 + 16 * index]
        )
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(ico)
        edges.append(edge or 256)
    assert {16, 32, 48, 256} <= set(edges)

    icns = (ICON_DIR / "baseline.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    position, types = 8, []
    while position < len(icns):
        types.append(icns[position : position + 4])
        position += struct.unpack(">I", icns[position + 4 : position + 8])[0]
    assert position == len(icns)
    assert {b"icp4", b"ic07", b"ic09"} <= set(types)


FLATPAK_MANIFEST = ROOT / "packaging" / "flatpak" / f"{APP_ID}.json"


def test_flatpak_manifest_keeps_the_privacy_promise() -> None:
    manifest = json.loads(FLATPAK_MANIFEST.read_text(encoding="utf-8"))
    assert manifest["app-id"] == APP_ID
    assert manifest["command"] == "baseline"
    finish_args: list[str] = manifest["finish-args"]
    # Health data stays local: no network, no access to the user's files beyond the portals.
    assert not [arg for arg in finish_args if arg.startswith(("--share=network", "--filesystem"))]
    assert "--system-talk-name=org.bluez" in finish_args  # Bluetooth LE straps through BlueZ
    (module,) = manifest["modules"]
    sources = {
        source["dest"]: FLATPAK_MANIFEST.parent / source["path"] for source in module["sources"]
    }
    assert (sources["linux"] / DESKTOP_FILE.name).is_file()
    assert (sources["icons"] / "baseline.svg").is_file()
    assert sources["bundle"].resolve() == ROOT / "dist" / "baseline"  # what packaging/build makes


def test_flatpak_manifest_parses() -> None:
    tool = _tool("flatpak-builder", "flatpak-builder")
    result = subprocess.run(
        [tool, "--show-manifest", str(FLATPAK_MANIFEST)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == APP_ID
