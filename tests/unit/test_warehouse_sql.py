"""Snowflake, BigQuery, Redshift and Databricks: what actui sends them, compiled by their dialects.

No warehouse answers here: each dialect package (the ``actui[snowflake]``... extras) compiles
every operator, the email rule, a campaign's streamed query and the timeouts, and the SQL must
use the functions each warehouse documents (and none it lacks).
"""

from __future__ import annotations

import importlib
import os
import re
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from actui.campaigns.plan import plan_for_segment
from actui.config import SourceSettings
from actui.demo.schema import demo_metadata
from actui.emails import SPECIAL_USE_TLDS
from actui.segments.email_sql import is_exact, valid_email_sql
from actui.segments.insights import audience_size_query
from actui.segments.model import Segment, parse_segment
from actui.segments.operators import NEGATIONS, operators_for
from actui.segments.resolver import DictResolver
from actui.source import Source
from actui.source.timeouts import read_only_statements

URLS = {
    "snowflake": "snowflake://user:secret@account/db/schema",
    "bigquery": "bigquery://project/dataset",
    "redshift": "redshift+redshift_connector://user:secret@host:5439/db",
    "databricks": "databricks://token:secret@host?http_path=/sql/1.0/x&catalog=c&schema=s",
}

#: per warehouse: SQL the compiled audience count must hold, and SQL it must not (functions the
#: warehouse does not have, or another warehouse's regex)
DOCUMENTED: dict[str, tuple[list[str], list[str]]] = {
    # RLIKE(subject, pattern) matches the whole subject; REGEXP_INSTR finds; TRIM(expr, chars)
    "snowflake": (
        ["rlike(", "regexp_instr(", "lower(trim(", "length(", "ESCAPE '!'"],
        ["btrim(", "char_length(", "regexp_contains(", " ~ ", " RLIKE ", "NULLS LAST"],
    ),
    # REGEXP_CONTAINS(value, regexp); TRIM(value, chars); LIKE has no ESCAPE clause
    "bigquery": (
        ["regexp_contains(", "lower(trim(", "char_length("],
        ["ESCAPE", "btrim(", "rlike", "regexp_instr(", " ~ ", "NULLS LAST"],
    ),
    # POSIX ~; BTRIM(string, chars); CHAR_LENGTH
    "redshift": (
        [" ~ ", "lower(btrim(", "char_length(", "ESCAPE '!'"],
        ["regexp_contains(", "rlike", "regexp_instr(", "NULLS LAST", "MATERIALIZED"],
    ),
    # str RLIKE regex (Java); btrim(str, trimStr); char_length
    "databricks": (
        [" RLIKE ", "lower(btrim(", "char_length(", "ESCAPE '!'"],
        ["regexp_contains(", "regexp_instr(", " ~ ", "NULLS LAST"],
    ),
}

#: what each warehouse documents for a statement timeout of 120 s
TIMEOUTS = {
    "snowflake": ["ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 120"],
    "bigquery": [],  # a job's timeout is set through the client, not in SQL
    "redshift": ["SET statement_timeout TO 120000"],
    "databricks": ["SET STATEMENT_TIMEOUT = 120"],
}

#: a value for each operator, by column kind (the demo's columns of each kind)
COLUMNS = {
    "string": "state",
    "number": "lifetime_value",
    "date": "last_order_date",
    "datetime": "last_seen_at",
    "boolean": "email_opt_in",
}
VALUES: dict[str, Any] = {
    "is": None,  # per kind below
    "is one of": ["ca", "o'brien_100%"],
    "contains": "50%_off!",
    "starts with": "a_b",
    "ends with": "z%",
    "less than": 10,
    "at most": 10,
    "greater than": 10,
    "at least": 10.5,
    "is on": "2026-01-31",
    "before": "2026-01-31",
    "after": "2026-01-31",
    "in the last": {"amount": 3, "unit": "months"},
    "older than": {"amount": 2, "unit": "weeks"},
    "in the next": {"amount": 1, "unit": "years"},
}


class CompiledSource(Source):
    """A Source over the demo tables that never connects: the warehouse's dialect only."""

    def tables(self) -> list[str]:
        return sorted(demo_metadata.tables)

    def table(self, name: str) -> sa.Table:
        return demo_metadata.tables[name]


def _source(warehouse: str) -> Source:
    package = {
        "snowflake": "snowflake.sqlalchemy",
        "bigquery": "sqlalchemy_bigquery",
        "redshift": "sqlalchemy_redshift",
        "databricks": "databricks.sqlalchemy",
    }[warehouse]
    try:
        importlib.import_module(package)
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{package} is required in CI (the dev extra installs it).", pytrace=False)
        pytest.skip(f"{package} is not installed: pip install 'actui[{warehouse}]'")
    engine: Any = sa.create_mock_engine(URLS[warehouse], lambda *_args, **_kwargs: None)
    return CompiledSource(URLS[warehouse], engine, warehouse, SourceSettings())


def _value(operator: str, kind: str) -> Any:
    operator = NEGATIONS.get(operator, operator)
    if operator == "between":
        return {"number": [1, 2], "date": ["2026-01-01", "2026-02-01"]}.get(
            kind, ["2026-01-01", "2026-02-01"]
        )
    if operator == "is":
        return "CA" if kind == "string" else 42
    return VALUES.get(operator)


def _every_operator() -> Segment:
    """One segment using every operator of every column kind, both case rules, and a reference."""
    conditions: list[dict[str, Any]] = []
    for kind, column in COLUMNS.items():
        for operator in operators_for(kind):
            condition: dict[str, Any] = {"attribute": column, "operator": operator}
            value = _value(operator, kind)
            if value is not None and operator not in ("is empty", "is not empty"):
                condition["value"] = value
            conditions.append(condition)
            if kind == "string" and "value" in condition:
                conditions.append({**condition, "case_sensitive": True})
    conditions.append({"segment": "gold", "operator": "not in segment"})
    return parse_segment(
        {
            "version": 1,
            "name": "every operator",
            "as_of": "2026-06-15",
            "match": "any",
            "conditions": conditions,
        }
    )


def _resolver() -> DictResolver:
    gold = parse_segment(
        {
            "version": 1,
            "name": "gold",
            "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
        }
    )
    return DictResolver([gold])


def _compiled(statement: Any, source: Source) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(
        dialect=source.engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    return str(compiled), dict(compiled.params)


@pytest.mark.parametrize("warehouse", list(URLS))
def test_every_operator_and_the_email_rule_use_the_documented_functions(warehouse: str) -> None:
    source = _source(warehouse)
    assert source.dialect == warehouse
    sql, params = _compiled(audience_size_query(_every_operator(), source, _resolver()), source)
    present, absent = DOCUMENTED[warehouse]
    for fragment in present:
        assert fragment in sql, fragment
    for fragment in absent:
        assert fragment not in sql, fragment
    assert is_exact(warehouse)
    # the values travel as parameters, never inside the SQL text
    assert "o'brien" not in sql and "50%" not in sql
    texts = [value for value in params.values() if isinstance(value, str)]
    escaped = "%50\\%\\_off!%" if warehouse == "bigquery" else "%50!%!_off!!%"
    assert escaped in texts  # "contains 50%_off!": the wildcards and the escape, escaped


@pytest.mark.parametrize("warehouse", list(URLS))
def test_the_email_rule_is_the_shared_regular_expressions(warehouse: str) -> None:
    source = _source(warehouse)
    column = demo_metadata.tables["customer_360"].c.email
    sql, params = _compiled(sa.select(valid_email_sql(column, warehouse)), source)
    patterns = [value for value in params.values() if isinstance(value, str) and "@" in value]
    assert any(value.startswith("^[a-z0-9!#$%&'*+/=?^_`{|}~-]+") for value in patterns)
    for value in patterns:
        assert "(?:" not in value  # POSIX engines (Snowflake, Redshift) have no such group
        re.compile(value)  # and each is a well-formed expression
    special = [value for value in params.values() if isinstance(value, str) and "onion" in value]
    assert special and all(tld in special[0] for tld in SPECIAL_USE_TLDS)
    assert "254" in sql or 254 in params.values()


@pytest.mark.parametrize("warehouse", list(URLS))
def test_a_campaigns_streamed_query_compiles(warehouse: str) -> None:
    source = _source(warehouse)
    segment = parse_segment(
        {
            "version": 1,
            "name": "west",
            "conditions": [{"attribute": "state", "operator": "is one of", "value": ["CA", "WA"]}],
        }
    )
    plan = plan_for_segment(segment, source, DictResolver(), "primary", "West")
    sql, _params = _compiled(plan.send_statement(), source)
    order = sql[sql.rindex("ORDER BY") :]
    trim = "btrim(" if warehouse in ("redshift", "databricks") else "trim("
    assert f"lower({trim}" in sql  # the normalized email, selected as email_key ...
    assert order.replace("`", "").startswith("ORDER BY email_key, sub_audience_index,")  # ... and
    assert "customer_id" in order  # sorted by it, so duplicates arrive together
    assert "merged_customers" in sql  # attributes joined on the customer key


@pytest.mark.parametrize("warehouse", list(URLS))
def test_reads_get_the_documented_statement_timeout(warehouse: str) -> None:
    source = _source(warehouse)
    assert read_only_statements(source.engine.dialect, 120_000) == TIMEOUTS[warehouse]


def test_the_relative_dates_are_computed_before_the_query() -> None:
    source = _source("bigquery")
    sql, params = _compiled(audience_size_query(_every_operator(), source, _resolver()), source)
    assert date(2026, 3, 15) in params.values()  # "in the last 3 months" as of 2026-06-15
    assert "current_date" not in sql.lower() and "interval" not in sql.lower()


def test_mysql_8_compares_text_in_its_own_binary_collation() -> None:
    """MySQL 8 (MariaDB is the one executed): the same SQL, with MySQL's collation name."""
    url = "mysql+pymysql://user:secret@host/db"
    engine: Any = sa.create_mock_engine(url, lambda *_args, **_kwargs: None)
    source = CompiledSource(url, engine, "mysql", SourceSettings())
    assert not getattr(engine.dialect, "is_mariadb", False)
    sql, _params = _compiled(audience_size_query(_every_operator(), source, _resolver()), source)
    assert "COLLATE utf8mb4_0900_bin" in sql and "nopad" not in sql
    assert " REGEXP " in sql and "regexp_replace(" in sql and "char_length(" in sql
    assert "NULLS LAST" not in sql and "ESCAPE '!'" in sql
    assert read_only_statements(engine.dialect, 120_000) == [
        "SET TRANSACTION READ ONLY",
        "SET SESSION max_execution_time = 120000",
    ]
