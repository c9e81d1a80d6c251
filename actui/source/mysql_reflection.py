"""MySQL and MariaDB reflected as the other databases read: booleans, and floats as floats.

They store ``BOOLEAN`` columns as ``TINYINT(1)``, and SQLAlchemy reads their ``DOUBLE`` and
``FLOAT`` columns as ``Decimal`` unless told otherwise.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import mysql


def _boolean_columns(inspector: Any, _table: sa.Table, column: dict[str, Any]) -> None:
    """A ``column_reflect`` hook: ``TINYINT(1)`` reads as a boolean, ``DOUBLE`` as a float."""
    if inspector.dialect.name not in ("mysql", "mariadb"):
        return
    reflected = column.get("type")
    if isinstance(reflected, mysql.TINYINT) and reflected.display_width == 1:
        column["type"] = sa.Boolean()
    elif isinstance(reflected, mysql.DOUBLE | mysql.FLOAT | mysql.REAL):
        reflected.asdecimal = False


def reflect_mysql_booleans() -> None:
    """Read MySQL and MariaDB columns as :func:`_boolean_columns` says (set up once)."""
    if not event.contains(sa.Table, "column_reflect", _boolean_columns):
        event.listen(sa.Table, "column_reflect", _boolean_columns)
