"""Lower-casing text the way PostgreSQL's ``lower()`` does, for SQLite, whose own folds ASCII only.

PostgreSQL (libc provider, a UTF-8 locale such as ``C.UTF-8`` or ``en_US.UTF-8``) lowers each
character on its own with the C library's ``towlower``: ``Ü`` -> ``ü``, ``ẞ`` -> ``ß`` (``ß``
stays), ``İ`` -> ``i``, and ``Σ`` -> small sigma wherever it stands (no final ``ς``; a ``ς``
typed as such stays). Python's ``str.lower`` agrees except on two characters it treats by context or
expands: ``İ`` (to ``i̇``) and a word-final ``Σ`` (to ``ς``); :func:`lower_like_postgres` maps
those first. SQLite gets it as the deterministic SQL function :data:`SQLITE_LOWER_FUNCTION`.
"""

from __future__ import annotations

from typing import Any

#: the SQL name of :func:`lower_like_postgres` on SQLite connections
SQLITE_LOWER_FUNCTION = "actui_lower"

#: capital dotted I (U+0130) and capital sigma (U+03A3) to i and small sigma (U+03C3) first
_PER_CHARACTER = str.maketrans({"\u0130": "i", "\u03a3": "\u03c3"})


def lower_like_postgres(value: Any) -> Any:
    """``value`` lower-cased character by character, as PostgreSQL's ``lower()`` does it."""
    if isinstance(value, str):
        if value.isascii():
            return value.lower()
        return value.translate(_PER_CHARACTER).lower()
    if value is None or isinstance(value, bytes):
        return value
    return str(value).lower()


def register_sqlite_lower(dbapi_connection: Any) -> None:
    """Make :data:`SQLITE_LOWER_FUNCTION` callable in SQL on one ``sqlite3`` connection."""
    dbapi_connection.create_function(
        SQLITE_LOWER_FUNCTION, 1, lower_like_postgres, deterministic=True
    )
