"""Benchmark: a campaign's results over 1 M recorded members and 5 M order rows, vs one plain scan.

Usage: ``.venv/bin/python bench/results.py [--members 1000000] [--orders 5000000] [--runs 3]
[--no-postgres]``

A scratch ACTUI_HOME gets a completed run of a two-group campaign (90 % treatment, 10 %
control) with ``--members`` recorded members; a SQLite Customer 360 gets ``--orders`` orders of
1.2 x as many customers, dated over the year before the send and the 60 days after it (indexed
on the customer key, not on the date). ``campaign_results`` is timed from the run lookup to the
lift; the baseline is the least any result must do: one aggregate over the orders of the window,
read raw through the driver. With PG* variables set (under ``pg_virtualenv``) the orders are
loaded into a scratch PostgreSQL database and measured again. Target: <= 2 s on both.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scratch import scratch_postgres

SEED = 16
SENT_AT = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
WINDOW_DAYS = 30
CAMPAIGN = {
    "version": 1,
    "id": "bench-results",
    "name": "Bench results",
    "audience": {"name": "Everyone", "conditions": []},
    "groups": [
        {"name": "Treatment", "percent": 90, "destination": "AC"},
        {"name": "Control", "percent": 10, "control": True},
    ],
    "outcome": {
        "table": "orders",
        "customer_key": "customer_id",
        "date": "order_date",
        "value": "amount",
        "window_days": WINDOW_DAYS,
    },
}


def order_rows(orders: int, customers: int) -> Iterator[tuple[int, str, float]]:
    """Orders of random customers, dated over the year before the send and 60 days after."""
    rng = random.Random(SEED)
    first = SENT_AT.date() - timedelta(days=365)
    days = [(first + timedelta(days=d)).isoformat() for d in range(425)]
    for _ in range(orders):
        yield rng.randint(1, customers), rng.choice(days), round(rng.uniform(5, 200), 2)


def write_sqlite_orders(path: Path, orders: int, customers: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,"
            " order_date DATE NOT NULL, amount REAL NOT NULL)"
        )
        db.executemany(
            "INSERT INTO orders (customer_id, order_date, amount) VALUES (?, ?, ?)",
            order_rows(orders, customers),
        )
        db.execute("CREATE INDEX ix_orders_customer ON orders (customer_id)")
        db.execute("ANALYZE")


def load_postgres_orders(url: str, orders: int, customers: int) -> None:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        conn.execute(
            "CREATE TABLE orders (order_id BIGSERIAL PRIMARY KEY, customer_id BIGINT NOT NULL,"
            " order_date DATE NOT NULL, amount DOUBLE PRECISION NOT NULL)"
        )
        with conn.cursor().copy("COPY orders (customer_id, order_date, amount) FROM STDIN") as copy:
            for row in order_rows(orders, customers):
                copy.write_row(row)
        conn.execute("CREATE INDEX ix_orders_customer ON orders (customer_id)")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE orders")


def record_members(members: int, customers: int) -> str:
    """A completed run of the campaign with ``members`` recorded members; returns its id."""
    from sqlalchemy import insert, text

    from actui.results.membership import (
        result_groups_table,
        result_members_table,
        result_runs_table,
    )
    from actui.state import ensure_tables, state_engine
    from actui.sync import journal
    from actui.sync.models import SendRequest

    engine = state_engine()
    ensure_tables(engine)
    rng = random.Random(SEED + 1)
    keys = rng.sample(range(1, customers + 1), members)
    with engine.begin() as conn:
        run_id = journal.create_run(conn, SendRequest(campaign=str(CAMPAIGN["name"])))
        conn.execute(
            text("UPDATE sync_runs SET status = 'completed', started_at = :t WHERE id = :r"),
            {"t": SENT_AT.timestamp(), "r": run_id},
        )
        conn.execute(
            insert(result_runs_table).values(
                run_id=run_id,
                campaign_id=CAMPAIGN["id"],
                campaign=CAMPAIGN["name"],
                customer_key="customer_id",
                sent_at=SENT_AT.timestamp(),
                recorded_at=SENT_AT.timestamp(),
            )
        )
        ids = []
        for position, (name, control) in enumerate((("Treatment", 0), ("Control", 1))):
            inserted = conn.execute(
                insert(result_groups_table).values(
                    run_id=run_id, position=position, sub_audience=None, name=name, control=control
                )
            )
            ids.append(int(inserted.inserted_primary_key[0]))
        cut = members * 9 // 10
        conn.execute(
            insert(result_members_table),
            [
                {
                    "group_id": ids[0] if i < cut else ids[1],
                    "customer_key": str(key),
                    "email": f"c{key}@example.com",
                }
                for i, key in enumerate(keys)
            ],
        )
    return run_id


def baseline(url: str) -> float:
    """One aggregate over the window's orders, raw through the driver: the least results need."""
    start = SENT_AT.date()
    end = start + timedelta(days=WINDOW_DAYS)
    if url.startswith("sqlite"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        sql = "SELECT COUNT(*), SUM(amount) FROM orders WHERE order_date >= ? AND order_date < ?"
        params: tuple[object, ...] = (start.isoformat(), end.isoformat())
    else:
        import psycopg

        db = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))  # type: ignore[assignment]
        sql = "SELECT COUNT(*), SUM(amount) FROM orders WHERE order_date >= %s AND order_date < %s"
        params = (start, end)
    try:
        started = time.perf_counter()
        db.execute(sql, params).fetchall()
        return time.perf_counter() - started
    finally:
        db.close()


def measure(url: str, runs: int, label: str) -> None:
    from actui.campaigns.model import parse_campaign
    from actui.results import campaign_results
    from actui.source import Source
    from actui.state import state_engine

    campaign = parse_campaign(CAMPAIGN)
    loads = [os.getloadavg()[0]]
    bases: list[float] = []
    walls: list[float] = []
    result = None
    for _ in range(runs):
        bases.append(baseline(url))
        started = time.perf_counter()
        source = Source.connect(url)
        try:
            result = campaign_results(
                campaign, source, state_engine(), now=SENT_AT + timedelta(days=90)
            )
        finally:
            source.dispose()
        walls.append(time.perf_counter() - started)
        loads.append(os.getloadavg()[0])
    assert result is not None
    base, wall = statistics.median(bases), statistics.median(walls)
    print(f"\n{label}")
    print(
        f"  runs                      {runs} (medians)  walls "
        + ", ".join(f"{w:.2f}s" for w in walls)
    )
    print(f"  load average (1 min)      {', '.join(f'{load:.2f}' for load in loads)}")
    print(f"  baseline (window scan)    {base:6.2f} s")
    print(f"  campaign results          {wall:6.2f} s   ratio {wall / base:.1f}x the baseline")
    print(f"  best of {runs}                 {min(walls):6.2f} s (baseline {min(bases):.2f} s)")
    for group in result.groups:
        print(
            f"    {group.group:<10} members {group.members:>9,}  converters {group.converters:>8,}"
            f"  rate {group.conversion_rate:.4f}  value/member {group.value_per_member:.2f}"
        )
    print(f"  target <= 2 s: {'met' if wall <= 2.0 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    customers = args.members * 6 // 5
    home = Path(tempfile.mkdtemp(prefix="actui-bench-results-"))
    os.environ["ACTUI_HOME"] = str(home / "home")
    started = time.perf_counter()
    record_members(args.members, customers)
    print(f"recorded {args.members:,} members in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    path = home / "c360.db"
    write_sqlite_orders(path, args.orders, customers)
    print(f"wrote {args.orders:,} orders (SQLite) in {time.perf_counter() - started:.1f} s")
    measure(f"sqlite:///{path}", args.runs, "SQLite")
    if args.no_postgres:
        return
    with scratch_postgres() as pg_url:
        if pg_url is None:
            print("\nPostgreSQL: skipped (no PG* variables; run under pg_virtualenv)")
            return
        started = time.perf_counter()
        load_postgres_orders(pg_url, args.orders, customers)
        print(
            f"\nloaded {args.orders:,} orders into PostgreSQL in "
            f"{time.perf_counter() - started:.1f} s"
        )
        measure(pg_url, args.runs, "PostgreSQL")


if __name__ == "__main__":
    main()
