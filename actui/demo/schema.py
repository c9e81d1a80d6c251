"""The demo Customer 360's two tables and their indexes, declared with SQLAlchemy Core types."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

# MySQL and MariaDB index and key only sized text, FLOAT is single precision on MySQL and DuckDB,
# and MySQL's DATETIME drops fractions of a second unless told: the same values everywhere
_TEXT = Text().with_variant(String(255), "mysql", "mariadb")
_FLOAT = Float().with_variant(Double(), "mysql", "mariadb", "duckdb")
_DATETIME = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

SEGMENT_TABLE = "customer_360"
ATTRIBUTE_TABLE = "merged_customers"
ORDERS_TABLE = "orders"

demo_metadata = MetaData()

customer_360 = Table(
    SEGMENT_TABLE,
    demo_metadata,
    Column("customer_id", _TEXT, primary_key=True),
    Column("email", _TEXT),
    Column("given_name", _TEXT),
    Column("surname", _TEXT),
    Column("birthdate", Date),
    Column("gender", _TEXT),
    Column("phone", _TEXT),
    Column("city", _TEXT),
    Column("state", _TEXT),
    Column("postal_code", _TEXT),
    Column("country", _TEXT),
    Column("loyalty_tier", _TEXT),
    Column("lifetime_value", _FLOAT),
    Column("order_count", Integer),
    Column("average_order_value", _FLOAT),
    Column("first_order_date", Date),
    Column("last_order_date", Date),
    Column("churn_propensity", _FLOAT),
    Column("email_opt_in", Boolean),
    Column("sms_opt_in", Boolean),
    Column("preferred_channel", _TEXT),
    Column("preferred_store", _TEXT),
    Column("signup_date", Date),
    Column("last_seen_at", _DATETIME),
)

merged_customers = Table(
    ATTRIBUTE_TABLE,
    demo_metadata,
    Column("customer_id", _TEXT, primary_key=True),
    Column("email", _TEXT),
    Column("given_name", _TEXT),
    Column("surname", _TEXT),
    Column("phone", _TEXT),
    Column("birthdate", Date),
    Column("city", _TEXT),
    Column("state", _TEXT),
    Column("postal_code", _TEXT),
    Column("country", _TEXT),
    Column("gender", _TEXT),
)

#: one row per order; see actui.demo.orders for how they are made
orders = Table(
    ORDERS_TABLE,
    demo_metadata,
    Column("order_id", Integer, primary_key=True, autoincrement=False),  # ids are given
    Column("customer_id", _TEXT, nullable=False),
    Column("order_date", Date, nullable=False),
    Column("amount", _FLOAT, nullable=False),
)

#: customer_360 column names, in table order (the order of :func:`actui.demo.data.iter_demo_rows`)
CUSTOMER_360_COLUMNS: tuple[str, ...] = tuple(column.name for column in customer_360.columns)
MERGED_CUSTOMERS_COLUMNS: tuple[str, ...] = tuple(
    column.name for column in merged_customers.columns
)

#: position of each merged_customers column inside a customer_360 row
MERGED_FROM_360: tuple[int, ...] = tuple(
    CUSTOMER_360_COLUMNS.index(name) for name in MERGED_CUSTOMERS_COLUMNS
)

#: the columns segments filter on; indexed after the load (building them once is faster)
INDEXED_COLUMNS: tuple[str, ...] = (
    "email",
    "state",
    "loyalty_tier",
    "lifetime_value",
    "last_order_date",
    "churn_propensity",
)


def index_statements() -> list[str]:
    """``CREATE INDEX`` statements for the filter columns, run after the rows are in.

    They are kept out of the table declarations so creating a table does not build its indexes
    before the load (building them once over the loaded rows is much faster). Every name here is a
    plain lower-case identifier, valid unquoted on every backend.
    """
    statements = [
        f"CREATE INDEX ix_{SEGMENT_TABLE}_{name} ON {SEGMENT_TABLE} ({name})"
        for name in INDEXED_COLUMNS
    ]
    statements.append(f"CREATE INDEX ix_{ORDERS_TABLE}_customer_id ON {ORDERS_TABLE} (customer_id)")
    return statements
