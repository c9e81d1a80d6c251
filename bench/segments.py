"""Benchmark: audience size of three segments against hand-written SQL, on SQLite and PostgreSQL.

Run ``.venv/bin/python bench/segments.py`` (1 M demo rows written to a temp dir) or pass
``--db URL`` for an existing demo database. With PG* variables set, the same rows are loaded into a
scratch PostgreSQL database and measured too. Every figure is a median over ``--repeat`` runs,
and every ratio compares two queries run through the same driver in the same process:

* ``audience_size`` (validation, compilation and the aggregate query, as the app runs it: on
  SQLite from the email facts the app builds in the background on connecting, see
  :mod:`actui.segments.email_facts`) against the same aggregates written by hand (customers,
  distinct sendable emails, invalid emails, total), each email judged once per row with the
  send's rule (the SQLite function, or PostgreSQL's regexes);
* ``judging``: ``audience_size`` without the facts (a count before they are ready);
* for context, the old portable ``LIKE`` approximation of valid emails written by hand (what
  exactness costs), and a bare ``SELECT count(*) ... WHERE <filter>``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scratch import scratch_postgres
from sqlalchemy import ColumnClause, column, text

from actui.demo.data import load_demo, write_demo_sqlite
from actui.segments.email_facts import ensure_email_facts
from actui.segments.email_sql import email_reason_sql, normalized_email_sql
from actui.segments.insights import audience_size
from actui.segments.model import Segment, parse_segment
from actui.segments.resolver import DictResolver
from actui.source import Source

AS_OF = "2026-11-01"
OPTED_OUT = parse_segment(
    {
        "version": 1,
        "name": "Opted out of email",
        "conditions": [{"attribute": "email_opt_in", "operator": "is false"}],
    }
)

#: (label, segment, the same filter written by hand)
CASES: list[tuple[str, Segment, str]] = [
    (
        "picklist equality",
        parse_segment(
            {
                "version": 1,
                "name": "California",
                "conditions": [{"attribute": "state", "operator": "is", "value": "ca"}],
            }
        ),
        "state = 'CA'",
    ),
    (
        "4-condition AND/OR tree",
        parse_segment(
            {
                "version": 1,
                "name": "Recent high value",
                "as_of": AS_OF,
                "conditions": [
                    {"attribute": "lifetime_value", "operator": "greater than", "value": 500},
                    {
                        "attribute": "last_order_date",
                        "operator": "in the last",
                        "value": {"amount": 180, "unit": "days"},
                    },
                    {
                        "match": "any",
                        "conditions": [
                            {"attribute": "order_count", "operator": "at least", "value": 5},
                            {
                                "attribute": "churn_propensity",
                                "operator": "less than",
                                "value": 0.2,
                            },
                        ],
                    },
                ],
            }
        ),
        "lifetime_value > 500 AND last_order_date >= '2026-05-05' "
        "AND last_order_date <= '2026-11-01' AND (order_count >= 5 OR churn_propensity < 0.2)",
    ),
    (
        "composition with not in segment",
        parse_segment(
            {
                "version": 1,
                "name": "West coast, still opted in",
                "conditions": [
                    {"attribute": "state", "operator": "is one of", "value": ["CA", "WA", "OR"]},
                    {"segment": "Opted out of email", "operator": "not in segment"},
                ],
            }
        ),
        "state IN ('CA', 'WA', 'OR') AND email_opt_in IS NOT FALSE",
    ),
    (
        "text contains, any case",
        parse_segment(
            {
                "version": 1,
                "name": "San anything",
                "conditions": [{"attribute": "city", "operator": "contains", "value": "SAN"}],
            }
        ),
        "lower(city) LIKE '%san%'",
    ),
    (
        "non-ASCII text is, any case",
        parse_segment(
            {
                "version": 1,
                "name": "Zurich",
                "conditions": [{"attribute": "city", "operator": "is", "value": "ZÜRICH"}],
            }
        ),
        "lower(city) = 'zürich'",
    ),
]

HAND_AGGREGATES = """
SELECT count(*) AS customers,
       count(DISTINCT CASE WHEN reason IS NULL THEN email_key END),
       count(reason),
       (SELECT count(*) FROM customer_360) AS total
FROM (SELECT {email_key} AS email_key, {reason} AS reason
      FROM customer_360 WHERE {where}) AS judged
"""

LIKE_AGGREGATES = """
SELECT count(*) AS customers,
       count(DISTINCT CASE WHEN trim(email) LIKE '_%@_%._%' AND trim(email) NOT LIKE '% %'
                            AND trim(email) NOT LIKE '%@%@%' THEN lower(trim(email)) END),
       sum(CASE WHEN email IS NULL OR trim(email) = '' THEN 1 ELSE 0 END),
       sum(CASE WHEN trim(email) <> '' AND trim(email) LIKE '% %' THEN 1 ELSE 0 END),
       sum(CASE WHEN trim(email) NOT LIKE '% %' AND trim(email) LIKE '%@%@%' THEN 1 ELSE 0 END),
       sum(CASE WHEN trim(email) <> '' AND trim(email) NOT LIKE '% %'
                 AND trim(email) NOT LIKE '%@%@%' AND trim(email) NOT LIKE '_%@_%._%'
                THEN 1 ELSE 0 END),
       (SELECT count(*) FROM customer_360) AS total
FROM customer_360 WHERE {where}
"""


def median_ms(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``run`` in milliseconds (after one warm-up run) and its last result."""
    result = run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def hand_aggregates(source: Source, where: str) -> str:
    """:data:`HAND_AGGREGATES` for ``where`` with this dialect's email key and reason."""
    email: ColumnClause[Any] = column("email")
    dialect = source.engine.dialect

    def sql(expression: Any) -> str:
        return str(expression.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    return HAND_AGGREGATES.format(
        email_key=sql(normalized_email_sql(email, source.dialect)),
        reason=sql(email_reason_sql(email, source.dialect)),
        where=where,
    )


def measure(source: Source, repeat: int) -> None:
    resolver = DictResolver([OPTED_OUT])
    print(f"\n{source.dialect}: {source.row_count('customer_360').rows:,} rows, median of {repeat}")
    facts = ensure_email_facts(source, "customer_360")
    if facts is not None:
        print(
            f"email facts built once in {facts.seconds:.2f} s "
            f"({facts.seconds / facts.rows * 1e6:.1f} us a row; the app builds them in the "
            "background on connecting)"
        )
    print(
        f"{'segment':<34}{'actui ms':>10}{'hand ms':>10}{'ratio':>8}{'judging ms':>12}"
        f"{'LIKE ms':>10}{'count(*) ms':>13}  customers"
    )
    for label, segment, where in CASES:

        def ours(segment: Segment = segment) -> Any:
            return audience_size(segment, source, resolver)

        def judging(segment: Segment = segment) -> Any:
            return audience_size(segment, source, resolver, email_facts=False)

        def hand(where: str = where) -> Any:
            with source.read_only() as connection:
                return connection.execute(text(hand_aggregates(source, where))).one()

        def like(where: str = where) -> Any:
            with source.read_only() as connection:
                return connection.execute(text(LIKE_AGGREGATES.format(where=where))).one()

        def bare(where: str = where) -> Any:
            with source.read_only() as connection:
                sql = f"SELECT count(*) FROM customer_360 WHERE {where}"
                return connection.execute(text(sql)).scalar_one()

        ours_ms, size = median_ms(ours, repeat)
        judging_ms, judged = median_ms(judging, repeat)
        hand_ms, row = median_ms(hand, repeat)
        like_ms, _ = median_ms(like, repeat)
        bare_ms, _ = median_ms(bare, repeat)
        bad_emails = size.missing_email + size.invalid_email
        same = (size.customers, size.contacts, bad_emails) == tuple(row[:3])
        check = "" if same and size == judged else "  MISMATCH with the hand-written figures"
        print(
            f"{label:<34}{ours_ms:>10.1f}{hand_ms:>10.1f}{ours_ms / hand_ms:>8.2f}"
            f"{judging_ms:>12.1f}{like_ms:>10.1f}{bare_ms:>13.1f}  {size.customers:,}{check}"
        )


@contextmanager
def scratch_demo_postgres(rows: int, seed: int) -> Iterator[str | None]:
    """A scratch PostgreSQL database holding the demo rows, when PG* variables point at a server."""
    with scratch_postgres() as url:
        if url is not None:
            started = time.perf_counter()
            load_demo(url, rows, seed)
            print(f"loaded {rows:,} rows into PostgreSQL in {time.perf_counter() - started:.1f} s")
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing demo database URL (skips generation)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db
        if url is None:
            path = Path(folder) / "customer360.db"
            stats = write_demo_sqlite(path, args.rows, args.seed)
            print(f"wrote {args.rows:,} demo rows to SQLite in {stats.seconds:.1f} s")
            url = f"sqlite:///{path}"
        source = Source.connect(url)
        try:
            measure(source, args.repeat)
        finally:
            source.dispose()
    if args.db is None and not args.no_postgres:
        with scratch_demo_postgres(args.rows, args.seed) as pg_url:
            if pg_url is not None:
                pg = Source.connect(pg_url)
                try:
                    measure(pg, args.repeat)
                finally:
                    pg.dispose()


if __name__ == "__main__":
    main()
