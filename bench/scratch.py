"""A throwaway PostgreSQL database for the benchmarks, on the server the PG* variables name."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """The URL of a new, empty database, dropped afterwards; None when no server is configured."""
    if not (os.environ.get("PGHOST") or os.environ.get("PGPORT")):
        yield None
        return
    import psycopg

    name = f"actui_bench_{secrets.token_hex(4)}"
    with psycopg.connect(autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.URL.create(
        "postgresql+psycopg",
        username=os.environ.get("PGUSER"),
        password=os.environ.get("PGPASSWORD"),
        host=os.environ.get("PGHOST", "localhost"),
        port=int(os.environ.get("PGPORT", "5432")),
        database=name,
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
