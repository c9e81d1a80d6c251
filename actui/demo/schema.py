"""The demo Customer 360's two tables and their indexes, declared with SQLAlchemy Core types."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
)

SEGMENT_TABLE = "customer_360"
ATTRIBUTE_TABLE = "merged_customers"
ORDERS_TABLE = "orders"

demo_metadata = MetaData()

customer_360 = Table(
    SEGMENT_TABLE,
    demo_metadata,
    Column("customer_id", Text, primary_key=True),
    Column("email", Text),
    Column("given_name", Text),
    Column("surname", Text),
    Column("birthdate", Date),
    Column("gender", Text),
    Column("phone", Text),
    Column("city", Text),
    Column("state", Text),
    Column("postal_code", Text),
    Column("country", Text),
    Column("loyalty_tier", Text),
    Column("lifetime_value", Float),
    Column("order_count", Integer),
    Column("average_order_value", Float),
    Column("first_order_date", Date),
    Column("last_order_date", Date),
    Column("churn_propensity", Float),
    Column("email_opt_in", Boolean),
    Column("sms_opt_in", Boolean),
    Column("preferred_channel", Text),
    Column("preferred_store", Text),
    Column("signup_date", Date),
    Column("last_seen_at", DateTime),
)

merged_customers = Table(
    ATTRIBUTE_TABLE,
    demo_metadata,
    Column("customer_id", Text, primary_key=True),
    Column("email", Text),
    Column("given_name", Text),
    Column("surname", Text),
    Column("phone", Text),
    Column("birthdate", Date),
    Column("city", Text),
    Column("state", Text),
    Column("postal_code", Text),
    Column("country", Text),
    Column("gender", Text),
)

#: one row per order; see actui.demo.orders for how they are made
orders = Table(
    ORDERS_TABLE,
    demo_metadata,
    Column("order_id", Integer, primary_key=True),
    Column("customer_id", Text, nullable=False),
    Column("order_date", Date, nullable=False),
    Column("amount", Float, nullable=False),
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
