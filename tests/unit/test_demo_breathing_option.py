"""`baseline --demo-breathing follow|RATE|ignore`: read before the app starts; one-line refusal."""

from __future__ import annotations

import argparse

import pytest

from app.cli import main
from sensors.simulated import FOLLOW_PACER, DemoBreathing, DemoBreathingMode


@pytest.mark.parametrize("value", ["40", "2", "sometimes", "nan"])
def test_a_bad_demo_breathing_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main([f"--demo-breathing={value}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baseline: --demo-breathing must be follow, ignore or a rate from 3")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], FOLLOW_PACER),
        (["--demo-breathing", "ignore"], DemoBreathing(DemoBreathingMode.IGNORE)),
        (["--demo", "--demo-breathing", "12"], DemoBreathing(DemoBreathingMode.FIXED, 12.0)),
    ],
)
def test_the_demo_breathing_reaches_the_app(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: DemoBreathing
) -> None:
    import app.ui.main as gui

    seen: list[object] = []

    def fake_run_gui(args: argparse.Namespace) -> int:  # the window itself is not under test
        seen.append(args.demo_breathing)
        return 0

    monkeypatch.setattr(gui, "run_gui", fake_run_gui)
    assert main(argv) == 0
    assert seen == [expected]
