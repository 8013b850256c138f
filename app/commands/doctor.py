"""`baseline doctor`: check Bluetooth and the strap step by step, in plain words.

Checks, in order: adapter, strap-found, connect, heart-rate, beat-intervals, contact, battery.
Exit 0 when a strap with beat intervals was found and measured and no check failed, 1 when a
check failed, 2 on bad input. `--json` prints a list of `{"check", "ok", "detail"}` objects.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from app.commands.scan import add_transport_option, ble_backend, positive_number
from sensors.doctor import DoctorLimits, Finding, run_doctor

DEFAULT_SECONDS = 10.0
_MARKS = {True: "ok  ", False: "FAIL", None: "--  "}


def register(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        parents=list(parents),
        help="check Bluetooth and the heart-rate strap step by step",
        description="Check the Bluetooth adapter, find the strap, connect, and listen to it: "
        "heart rate, beat intervals (RR), skin contact and battery, each with what to do "
        "when something is wrong. Exit 0 when a strap with beat intervals was measured, 1 "
        "when a check failed.",
    )
    parser.add_argument("--address", metavar="ADDR", help="check this strap only")
    parser.add_argument(
        "--seconds",
        metavar="N",
        default=str(DEFAULT_SECONDS),
        help="look for the strap up to N seconds, then listen to it N seconds (10)",
    )
    parser.add_argument("--json", action="store_true", help="print the findings as JSON")
    add_transport_option(parser)
    parser.set_defaults(func=run)


def _print_finding(finding: Finding) -> None:
    print(f"{_MARKS[finding.ok]} {finding.check.value}: {finding.detail}", flush=True)


async def _doctor(
    limits: DoctorLimits, address: str | None, spec: str | None, as_json: bool
) -> int:
    async with ble_backend(spec) as backend:
        report = await run_doctor(
            backend,
            address=address,
            limits=limits,
            on_finding=None if as_json else _print_finding,
        )
    if as_json:
        print(json.dumps([f.to_json_dict() for f in report.findings]))
    elif report.healthy:
        print("the strap is ready for HRV", file=sys.stderr)
    return report.exit_code


def run(args: argparse.Namespace) -> int:
    seconds = positive_number("--seconds", args.seconds)
    limits = DoctorLimits(scan_s=seconds, listen_s=seconds)
    return asyncio.run(_doctor(limits, args.address, args.ble_transport, args.json))
