"""TUI latency: launch to first screen on the demo, and the longest UI stall during a 1 M-row count.

Run: .venv/bin/python bench/tui.py [--rows 1000000] [--runs 3] [--first-screen-only]
Targets: first screen < 1.0 s; ``bash scripts/demo.sh`` to its first screen < 2.0 s on a machine
where actui is installed but the demo has never run (no demo database, no sandbox state, no
credential), against the plain app on an existing database in the same run; no stall over 100 ms
while counting. Each figure is printed with its
ratio to the target (<= 1.0 meets it) and, for the stall, to the timer's own idle gap measured in
the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_SCREEN_TARGET = 1.0
DEMO_FIRST_SCREEN_TARGET = 2.0
STALL_TARGET = 0.100
TICK = 0.010

FIRST_SCREEN_PROBE = """
import sys, time
started = float(sys.argv[1])
from actui.tui.services import build_services
from actui.tui.app import ActuiApp
services = build_services(sys.argv[2])
class Probe(ActuiApp):
    def on_ready(self) -> None:
        self.set_interval(0.002, self.check_painted)
    def check_painted(self) -> None:
        # painted: the main screen (not the default one) is laid out, its footer has a size
        screen = self.screen
        if type(screen).__name__ == "_DefaultScreen" or not screen.is_mounted:
            return
        if any(footer.region.width for footer in screen.query("Footer")):
            self.call_after_refresh(self.painted)
    def painted(self) -> None:
        if not getattr(self, "reported", False):
            self.reported = True
            print(f"{time.time() - started:.4f}", flush=True)
            self.exit()
Probe(services).run(headless=True)
services.close()
"""


DEMO_FIRST_SCREEN_PROBE = """
import os, sys, time
started = float(sys.argv[1])
import actui.tui.app
from actui.cli.app import demo
class Probe(actui.tui.app.ActuiApp):
    def run(self, *args, **kwargs):
        return super().run(headless=True)
    def on_ready(self) -> None:
        self.set_interval(0.002, self.check_painted)
    def check_painted(self) -> None:
        screen = self.screen
        if type(screen).__name__ == "_DefaultScreen" or not screen.is_mounted:
            return
        if any(footer.region.width for footer in screen.query("Footer")):
            self.call_after_refresh(self.painted)
    def painted(self) -> None:
        print(f"{time.time() - started:.4f}", flush=True)
        os._exit(0)  # the demo database is still being written in the background
actui.tui.app.ActuiApp = Probe
demo.main([], standalone_mode=False)
"""


def demo_first_screen_seconds(work: Path, runs: int = 5) -> float:
    """Median of ``runs``: ``bash scripts/demo.sh`` on an installed checkout whose demo never ran.

    Each run gets a new ACTUI_HOME (nothing of the demo exists yet); the time is the no-op
    install check of ``scripts/bootstrap.sh`` plus a fresh process to the first screen painted.
    """
    times: list[float] = []
    for index in range(runs):
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ACTUI_HOME": str(work / f"demo-home-{index}"),
        }
        started = time.time()
        subprocess.run(["bash", "scripts/bootstrap.sh"], check=True, cwd=ROOT, env=env)
        output = subprocess.run(
            [sys.executable, "-c", DEMO_FIRST_SCREEN_PROBE, str(started)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        ).stdout
        times.append(float(output.strip().splitlines()[-1]))
    return statistics.median(times)


def first_screen_seconds(db_url: str, runs: int = 5) -> float:
    """Median of ``runs`` fresh processes: from interpreter start to the first screen painted."""
    times: list[float] = []
    for _ in range(runs):
        started = time.time()
        output = subprocess.run(
            [sys.executable, "-c", FIRST_SCREEN_PROBE, str(started), db_url],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        ).stdout
        times.append(float(output.strip().splitlines()[-1]))
    return statistics.median(times)


async def longest_gap(db_url: str, during_count: bool) -> tuple[float, float]:
    """The largest gaps between UI-loop ticks: while the segment's widgets are built, then while
    its counts run (or twice over idle time)."""
    from textual.widgets import Input
    from textual.worker import WorkerCancelled

    from actui.tui.app import ActuiApp
    from actui.tui.services import build_services

    services = build_services(db_url)
    services.count_delay = 0.0
    app = ActuiApp(services)
    gaps: list[tuple[float, float]] = []  # (tick time, gap before it)
    built_at = float("inf")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            gaps.append((now, now - last))
            last = now

        started = time.perf_counter()
        timer = app.set_interval(TICK, tick)
        if during_count:
            await app.screen.load_body(  # type: ignore[attr-defined]
                {
                    "version": 1,
                    "name": "bench",
                    "match": "all",
                    "conditions": [
                        {"attribute": "lifetime_value", "operator": "at least", "value": 100},
                        {"attribute": "email_opt_in", "operator": "is true"},
                        {
                            "attribute": "last_order_date",
                            "operator": "in the last",
                            "value": {"amount": 365, "unit": "days"},
                        },
                    ],
                }
            )
            app.screen.query_one("#segment-name", Input).focus()
            await pilot.pause(0.05)
            built_at = time.perf_counter()  # widgets mounted and laid out; the counts run on
            while any(worker.is_running for worker in app.workers):
                with contextlib.suppress(WorkerCancelled):  # a newer count replaced one
                    await app.workers.wait_for_complete()
                await pilot.pause(0.05)
        else:
            await pilot.pause(1.0)
            built_at = time.perf_counter()
            await pilot.pause(1.0)
        timer.stop()
        elapsed = time.perf_counter() - started
    services.close()
    print(f"  {'count' if during_count else 'idle'}: {elapsed:.2f} s, {len(gaps)} ticks")
    building = [gap for at, gap in gaps[1:] if at <= built_at]
    counting = [gap for at, gap in gaps[1:] if at > built_at]
    return max(building or [0.0]), max(counting or [0.0])


def main() -> None:
    parser = argparse.ArgumentParser(description="TUI latency benchmark")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median shown)")
    parser.add_argument(
        "--first-screen-only", action="store_true", help="measure the first screens only"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="actui-bench-tui-"))
    os.environ["ACTUI_HOME"] = str(work / "home")

    from actui.demo.data import write_demo_sqlite
    from actui.demo.paths import DEMO_ROWS

    demo = work / "demo.db"
    write_demo_sqlite(demo, DEMO_ROWS)
    first = first_screen_seconds(f"sqlite:///{demo}")
    print(
        f"launch to first screen painted (demo, {DEMO_ROWS:,} rows, median of 5): {first:.3f} s  "
        f"ratio to target {FIRST_SCREEN_TARGET:.1f} s: {first / FIRST_SCREEN_TARGET:.2f}",
        flush=True,
    )
    demo_first = demo_first_screen_seconds(work)
    print(
        f"scripts/demo.sh to first screen, demo never run before (median of 5): "
        f"{demo_first:.3f} s  ratio to target {DEMO_FIRST_SCREEN_TARGET:.1f} s: "
        f"{demo_first / DEMO_FIRST_SCREEN_TARGET:.2f}  (app on an existing database "
        f"{first:.3f} s, ratio {demo_first / first:.2f})",
        flush=True,
    )
    if args.first_screen_only:
        return
    big = work / "big.db"
    print(f"writing {args.rows:,} rows ...", flush=True)
    write_demo_sqlite(big, args.rows)
    idle_runs = [
        asyncio.run(longest_gap(f"sqlite:///{big}", during_count=False)) for _ in range(args.runs)
    ]
    idle = statistics.median(max(pair) for pair in idle_runs)
    runs = [
        asyncio.run(longest_gap(f"sqlite:///{big}", during_count=True)) for _ in range(args.runs)
    ]
    build = statistics.median(pair[0] for pair in runs)
    busy = statistics.median(pair[1] for pair in runs)
    each = ", ".join(f"{pair[1] * 1000:.0f}" for pair in runs)
    print(
        f"longest UI stall while counting {args.rows:,} rows "
        f"(median of {args.runs}: {each} ms): "
        f"{busy * 1000:.0f} ms  ratio to target {STALL_TARGET * 1000:.0f} ms: "
        f"{busy / STALL_TARGET:.2f}  (idle baseline {idle * 1000:.0f} ms, "
        f"ratio {busy / idle if idle else 0:.1f})"
    )
    print(
        f"longest UI stall while mounting the segment's condition rows (before the counts): "
        f"{build * 1000:.0f} ms  ratio to target: {build / STALL_TARGET:.2f}"
    )


if __name__ == "__main__":
    main()
