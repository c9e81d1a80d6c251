"""Table reflection for DuckDB under SQLAlchemy 2.1, which duckdb-engine 0.17 cannot do alone.

duckdb-engine's dialect is PostgreSQL's, with its own ``get_multi_columns`` written for
SQLAlchemy 2.0. SQLAlchemy 2.1 changed PostgreSQL's column reflection twice over: its column query
reads each column's collation from ``pg_catalog.pg_collation``, a table DuckDB's
PostgreSQL-compatible catalog lacks, and ``_get_columns_info`` now takes a lazy loader of enums
and domains instead of two dictionaries, so duckdb-engine's override fails with a ``TypeError``.
Its primary-key, foreign-key, constraint, comment and option queries cast to ``REGCLASS`` or read
``pg_inherits``, which DuckDB lacks too.

:func:`patch_duckdb_reflection` gives the dialect of one engine what actui reads: the 2.1 column
reflection with the collation left NULL (DuckDB has no per-column collations; SQLAlchemy 2.0 did
not read them), primary keys from DuckDB's own ``duckdb_constraints()``, and nothing for the
rest (duckdb-engine reflects no indexes either). Under SQLAlchemy 2.0 nothing is changed.
"""

from __future__ import annotations

import types
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import base as _postgresql_base
from sqlalchemy.engine.reflection import ReflectionDefaults

#: SQLAlchemy 2.1's lazy loader of enums and domains (None on 2.0, which duckdb-engine supports)
_NamedTypeLoader: Any = getattr(_postgresql_base, "_NamedTypeLoader", None)


def patch_duckdb_reflection(engine: sa.Engine) -> None:
    """Make ``engine`` (a ``duckdb://`` one) reflect columns under SQLAlchemy 2.1."""
    dialect: Any = engine.dialect
    if _NamedTypeLoader is None or getattr(dialect, "_actui_reflection_patched", False):
        return
    columns_query = type(dialect)._columns_query

    def without_collation(self: Any, *args: Any, **kwargs: Any) -> Any:
        query = columns_query(self, *args, **kwargs)
        kept = [column for column in query.selected_columns if column.name != "collation"]
        if len(kept) == len(query.selected_columns):
            return query
        return query.with_only_columns(*kept, sa.null().label("collation"))

    def get_multi_columns(
        self: Any,
        connection: sa.Connection,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        has_filter_names, params = self._prepare_filter_names(filter_names)
        query = self._columns_query(schema, has_filter_names, scope, kind)
        # read every row first: duckdb-engine runs a connection's queries on one cursor
        rows = list(connection.execute(query, params).mappings())
        loader = _NamedTypeLoader(self, connection, kw)
        return self._get_columns_info(rows, loader, schema).items()

    def get_multi_pk_constraint(
        self: Any,
        connection: sa.Connection,
        schema: str | None = None,
        filter_names: Any = None,
        scope: Any = None,
        kind: Any = None,
        **kw: Any,
    ) -> Any:
        # PostgreSQL's query casts to REGCLASS, a type DuckDB lacks: ask DuckDB's own catalog
        rows = connection.execute(
            sa.text(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY' AND schema_name = "
                "coalesce(:schema, current_schema())"
            ),
            {"schema": schema},
        ).all()
        keys = {name: list(columns) for name, columns in rows}
        names = filter_names if filter_names is not None else keys
        return [
            ((schema, name), {"constrained_columns": keys.get(name, []), "name": None})
            for name in names
        ]

    def nothing_for(default: Any) -> Any:
        # foreign keys, unique and check constraints, comments, options, indexes: PostgreSQL's
        # queries cast to REGCLASS or read pg_inherits, and actui reads none of them
        def reflect(
            self: Any,
            connection: sa.Connection,
            schema: str | None = None,
            filter_names: Any = None,
            **kw: Any,
        ) -> Any:
            names = filter_names
            if names is None:
                names = self.get_table_names(connection, schema) + self.get_view_names(
                    connection, schema
                )
            return [((schema, name), default()) for name in names]

        return reflect

    dialect._columns_query = types.MethodType(without_collation, dialect)
    defaults = ReflectionDefaults
    for method, default in (
        ("get_multi_foreign_keys", defaults.foreign_keys),
        ("get_multi_unique_constraints", defaults.unique_constraints),
        ("get_multi_check_constraints", defaults.check_constraints),
        ("get_multi_table_comment", defaults.table_comment),
        ("get_multi_table_options", defaults.table_options),
        ("get_multi_indexes", defaults.indexes),
    ):
        setattr(dialect, method, types.MethodType(nothing_for(default), dialect))
    dialect.get_multi_pk_constraint = types.MethodType(get_multi_pk_constraint, dialect)
    dialect.get_multi_columns = types.MethodType(get_multi_columns, dialect)
    dialect._actui_reflection_patched = True
