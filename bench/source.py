"""Benchmark the Customer 360 source on a 1 M-row demo: generation, row counts and picklists.

Run ``.venv/bin/python bench/source.py [--rows N] [--db URL]``. Without ``--db`` a demo SQLite file
is generated in a temporary folder (and, when PG* variables point at a server, loaded into a
scratch PostgreSQL database too). Each latency is printed as a ratio against a baseline measured
in the same run: a plain ``SELECT COUNT(*)`` through the same driver.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from scratch import scratch_postgres

from actui.demo.data import load_demo, write_demo_sqlite
from actui.source import Picklist, Source

GENERATION_BUDGET_SECONDS = 60.0


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``action`` over ``repeat`` runs."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def baseline_count(url: str) -> Callable[[], object]:
    """``SELECT COUNT(*)`` through the bare driver, no actui in between."""
    engine = sa.create_engine(url)

    def run() -> object:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT COUNT(*) FROM customer_360").scalar()

    return run


def fresh_picklist(url: str, column: str) -> Callable[[], tuple[float, Picklist]]:
    """A picklist on a new Source each time, so the cache never answers."""

    def run() -> tuple[float, Picklist]:
        source = Source.connect(url)
        try:
            source.tables()
            source.table("customer_360")
            started = time.perf_counter()
            picklist = source.picklist("customer_360", column)
            return time.perf_counter() - started, picklist
        finally:
            source.dispose()

    return run


def measure(label: str, url: str, repeat: int) -> None:
    """Print the row-count and picklist latencies of one database against its baseline."""
    baseline_run = baseline_count(url)
    baseline_run()  # warm the page cache and the pool
    baseline = median_seconds(baseline_run, repeat)
    source = Source.connect(url)
    try:
        source.table("customer_360")
        count = median_seconds(lambda: source.row_count("customer_360"), repeat)
        rows = source.row_count("customer_360")
    finally:
        source.dispose()
    print(f"\n{label}: {rows.rows:,} rows{' (estimated)' if rows.estimated else ''}")
    print(f"  baseline SELECT COUNT(*)       {baseline * 1000:9.1f} ms   1.00x")
    print(f"  Source.row_count               {count * 1000:9.1f} ms   {count / baseline:5.2f}x")
    for column in ("loyalty_tier", "email"):
        timings = []
        picklist: Picklist | None = None
        for _ in range(repeat):
            elapsed, picklist = fresh_picklist(url, column)()
            timings.append(elapsed)
        seconds = statistics.median(timings)
        sampled = f"sampled {picklist.sample_rows:,} rows" if picklist and picklist.sampled else ""
        print(
            f"  picklist {column:<20}  {seconds * 1000:9.1f} ms   "
            f"{seconds / baseline:5.2f}x  {sampled}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", help="reuse this database instead of generating one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if args.db:
        measure("given database", args.db, args.repeat)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customer360.db"
        cpu_started = time.process_time()
        stats = write_demo_sqlite(path, args.rows)
        cpu = time.process_time() - cpu_started
        print(
            f"generate SQLite demo: {stats.rows:,} rows in {stats.seconds:.1f} s wall, "
            f"{cpu:.1f} s CPU ({stats.seconds / GENERATION_BUDGET_SECONDS:.2f}x of the "
            f"{GENERATION_BUDGET_SECONDS:.0f} s budget; load average {os.getloadavg()[0]:.1f})"
        )
        measure("SQLite", f"sqlite:///{path}", args.repeat)
    with scratch_postgres() as pg_url:
        if pg_url is None:
            print("\nPostgreSQL: skipped (no PG* variables; run under pg_virtualenv)")
            return
        loaded = load_demo(pg_url, args.rows)
        print(
            f"\nload PostgreSQL demo (COPY): {loaded.rows:,} rows in {loaded.seconds:.1f} s "
            f"({loaded.seconds / GENERATION_BUDGET_SECONDS:.2f}x of the budget)"
        )
        measure("PostgreSQL", pg_url, args.repeat)


if __name__ == "__main__":
    main()
