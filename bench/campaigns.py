"""Benchmark: stream a 1 M-customer campaign with three groups; rows/s and peak RSS vs raw driver.

Usage: ``.venv/bin/python bench/campaigns.py [--rows 1000000] [--db URL [--load]] [--keep PATH]
[--runs 3]``

Without ``--db`` a demo SQLite database of ``--rows`` customers is written to a temporary folder
(or to ``--keep PATH``, reused on the next run). The baseline is the campaign's own SELECT, read
raw through the DB-API driver (``fetchmany``; psycopg's ``stream`` on PostgreSQL) with nothing
done to the rows; the campaign run adds the group hash, email checks, duplicate collapse and the
mapped contacts. With PG* variables set (under ``pg_virtualenv``), the same customers are then
loaded into a scratch PostgreSQL database and measured again (``--no-postgres`` skips it).
With ``--runs N`` both are run N times, alternating, and the medians are printed with the load
average (the figures of a shared machine move with its load). Targets: >= 200,000 rows/s and
peak RSS <= 200 MB.

``--db URL`` measures that database instead (MySQL/MariaDB, DuckDB or any other); with ``--load``
the ``--rows`` demo customers are first written into it (its demo tables replaced). The raw
baseline reads MySQL through PyMySQL's unbuffered cursor, as the stream does.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_postgres

from actui.campaigns.model import parse_campaign
from actui.campaigns.plan import CampaignPlan, build_plan
from actui.campaigns.stream import CHUNK_SIZE, iter_contacts
from actui.demo.data import load_demo
from actui.segments.resolver import DictResolver
from actui.source import Source

CAMPAIGN = {
    "version": 1,
    "id": "0d5f3c1e-bench-campaign",
    "name": "Bench",
    "audience": {"name": "Everyone", "conditions": []},
    "groups": [
        {"name": "A", "percent": 45, "destination": "AC"},
        {"name": "B", "percent": 45, "destination": "AC"},
        {"name": "Control", "percent": 10, "control": True},
    ],
    "attributes": {
        "email": "email",
        "first_name": "given_name",
        "last_name": "surname",
        "phone": "phone",
        "tags": "loyalty_tier",
    },
}
DEMO_SEED = 7
CHUNK = CHUNK_SIZE  # the stream's default chunk, also used by the raw baseline's fetchmany


def _write_demo(path: str, rows: int) -> None:
    from actui.demo.data import write_demo_sqlite

    write_demo_sqlite(Path(path), rows, DEMO_SEED, overwrite=True)


def _load_postgres(url: str, rows: int) -> None:
    load_demo(url, rows, DEMO_SEED, overwrite=True)


def _load_duckdb(url: str, rows: int) -> None:
    """The demo rows into DuckDB through a data frame (row-by-row inserts take minutes)."""
    import duckdb
    import pandas

    from actui.demo.generator import iter_python_rows
    from actui.demo.schema import (
        CUSTOMER_360_COLUMNS,
        MERGED_CUSTOMERS_COLUMNS,
        index_statements,
    )

    load_demo(url, 1, DEMO_SEED, overwrite=True)  # the tables, as load_demo declares them
    connection = duckdb.connect(str(sa.make_url(url).database))
    try:
        connection.execute("DELETE FROM merged_customers; DELETE FROM customer_360")
        for statement in index_statements():
            connection.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")
        generated = iter_python_rows(rows, DEMO_SEED)
        while batch := list(islice(generated, 100_000)):
            frame = pandas.DataFrame(batch, columns=list(CUSTOMER_360_COLUMNS))
            connection.register("batch", frame)
            connection.execute("INSERT INTO customer_360 SELECT * FROM batch")
            connection.unregister("batch")
        columns = ", ".join(MERGED_CUSTOMERS_COLUMNS)
        connection.execute(
            f"INSERT INTO merged_customers ({columns}) SELECT {columns} FROM customer_360"
        )
        for statement in index_statements():
            connection.execute(statement)
    finally:
        connection.close()


def in_child(target: Callable[[str, int], None], *args: Any) -> None:
    """Run ``target`` in a child process, so the memory it takes never counts in this one."""
    child = multiprocessing.get_context("spawn").Process(target=target, args=args)
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit("writing the demo customers failed")


def demo_url(rows: int, keep: Path | None) -> str:
    """A demo SQLite URL, written in a child process."""
    path = keep or Path(tempfile.mkdtemp(prefix="actui-bench-")) / "customers.db"
    if not path.exists():
        started = time.perf_counter()
        in_child(_write_demo, str(path), rows)
        print(f"wrote {rows:,} demo customers in {time.perf_counter() - started:.1f} s")
    return f"sqlite:///{path}"


def raw_baseline(plan: CampaignPlan) -> tuple[int, float, float]:
    """Read the send query through the DB-API driver the fastest way it offers, doing nothing
    with the rows: ``fetchmany`` on SQLite, psycopg's chunked ``stream`` on PostgreSQL (what
    the campaign stream uses there too)."""
    statement = plan.send_statement()
    engine = plan.source.engine
    compiled = statement.compile(dialect=engine.dialect)
    params: Any = compiled.params
    if compiled.positiontup is not None:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        started, cpu_started = time.perf_counter(), time.process_time()
        count = 0
        if engine.dialect.name == "postgresql":
            stream = cursor.stream(str(compiled), params, size=CHUNK)  # type: ignore[attr-defined]
            while rows := list(islice(stream, CHUNK)):
                count += len(rows)
        elif engine.dialect.name in ("mysql", "mariadb"):  # unbuffered, or it holds every row
            import pymysql.cursors

            cursor = connection.cursor(pymysql.cursors.SSCursor)  # type: ignore[call-arg]
            cursor.execute(str(compiled), params)
            while rows := cursor.fetchmany(CHUNK):
                count += len(rows)
        else:
            cursor.execute(str(compiled), params)
            while rows := cursor.fetchmany(CHUNK):
                count += len(rows)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        cursor.close()
    finally:
        connection.close()
    return count, seconds, cpu


def campaign_run(plan: CampaignPlan) -> tuple[int, int, float, float, float]:
    """Stream the campaign: (contacts, rejected, seconds, CPU seconds, max RSS MB seen)."""
    process = psutil.Process()
    rejected = 0

    def count_rejected(*_: object) -> None:
        nonlocal rejected
        rejected += 1

    started, cpu_started = time.perf_counter(), time.process_time()
    contacts = 0
    max_rss = 0.0
    for chunk in iter_contacts(plan, chunk_size=CHUNK, on_rejected=count_rejected):
        contacts += len(chunk)
        max_rss = max(max_rss, process.memory_info().rss / 2**20)
    seconds = time.perf_counter() - started
    return contacts, rejected, seconds, time.process_time() - cpu_started, max_rss


def measure(url: str, runs: int) -> None:
    """Run the baseline and the campaign stream ``runs`` times each, alternating; print medians."""
    source = Source.connect(url)
    loads = [os.getloadavg()[0]]
    baselines: list[tuple[int, float, float]] = []
    campaigns: list[tuple[int, int, float, float, float]] = []
    try:
        plan = build_plan(parse_campaign(CAMPAIGN), source, DictResolver(), destination_defaults={})
        for _ in range(runs):
            baselines.append(raw_baseline(plan))
            campaigns.append(campaign_run(plan))
            loads.append(os.getloadavg()[0])
    finally:
        source.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base_rows = baselines[0][0]
    base_seconds = statistics.median(run[1] for run in baselines)
    base_cpu = statistics.median(run[2] for run in baselines)
    contacts, rejected = campaigns[0][0], campaigns[0][1]
    seconds = statistics.median(run[2] for run in campaigns)
    cpu = statistics.median(run[3] for run in campaigns)
    max_rss = max(run[4] for run in campaigns)
    base_rate, rate = base_rows / base_seconds, base_rows / seconds
    print(f"backend                 {source.dialect}")
    print(f"rows in the send query  {base_rows:,}")
    if runs > 1:
        print(f"runs                    {runs} (medians below)")
        for label, walls in (
            ("  baseline walls", [run[1] for run in baselines]),
            ("  campaign walls", [run[2] for run in campaigns]),
        ):
            print(f"{label:<24}{', '.join(f'{wall:.2f}s' for wall in walls)}")
    print(f"load average (1 min)    {', '.join(f'{load:.2f}' for load in loads)}")
    print(f"                        {'wall':>8} {'rows/s':>10} {'CPU':>8} {'rows/CPU s':>11}")
    for label, wall, busy in (
        ("baseline (raw driver)", base_seconds, base_cpu),
        ("campaign stream", seconds, cpu),
    ):
        print(
            f"{label:<24}{wall:7.2f}s {base_rows / wall:10,.0f} "
            f"{busy:7.2f}s {base_rows / busy:11,.0f}"
        )
    print(f"  contacts emitted      {contacts:,} (control groups held out, {rejected:,} set aside)")
    print(f"  ratio to baseline     {rate / base_rate:.2f}x wall, {base_cpu / cpu:.2f}x CPU")
    print(f"peak RSS                {peak_mb:,.0f} MB (max seen while streaming {max_rss:,.0f} MB)")
    target = "met" if rate >= 200_000 and peak_mb <= 200 else "NOT met"
    print(f"target >= 200,000 rows/s and <= 200 MB: {target} (wall-clock rate)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", help="a Customer 360 URL (default: a generated demo SQLite)")
    parser.add_argument("--keep", type=Path, help="write (or reuse) the demo database here")
    parser.add_argument("--runs", type=int, default=1, help="repeat and print medians")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--load", action="store_true", help="write --rows demo rows into --db")
    args = parser.parse_args()
    if args.load and args.db:
        started = time.perf_counter()
        duckdb = sa.make_url(args.db).get_backend_name() == "duckdb"
        in_child(_load_duckdb if duckdb else _load_postgres, args.db, args.rows)
        print(f"loaded {args.rows:,} demo customers in {time.perf_counter() - started:.1f} s")
    measure(args.db or demo_url(args.rows, args.keep), args.runs)
    if args.db or args.no_postgres:
        return
    with scratch_postgres() as pg_url:
        if pg_url is None:
            print("\nPostgreSQL: skipped (no PG* variables; run under pg_virtualenv)")
            return
        started = time.perf_counter()
        in_child(_load_postgres, pg_url, args.rows)
        seconds = time.perf_counter() - started
        print(f"\nloaded {args.rows:,} demo customers into PostgreSQL in {seconds:.1f} s")
        measure(pg_url, args.runs)


if __name__ == "__main__":
    main()
