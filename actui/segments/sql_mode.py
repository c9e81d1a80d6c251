"""SQL-mode segments: accept one read-only SELECT/WITH, find its columns, suggest the email.

The statement is checked before anything runs (comments stripped, string literals skipped): one
statement only, starting with ``SELECT`` or ``WITH``, and none of the keywords that write, change
the schema or the session. It then only ever runs inside ``source.read_only()``, which makes the
connection itself read-only (SQLite ``query_only``; a PostgreSQL read-only transaction with a
statement timeout), so the check is the friendly message and the connection is the guarantee.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Subquery, column, select, text
from sqlalchemy.exc import SQLAlchemyError

from actui.segments.errors import Problem, SegmentError

if TYPE_CHECKING:
    from actui.source import Source

#: statements and clauses a read-only segment query never needs
FORBIDDEN_KEYWORDS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "ALTER", "DROP", "TRUNCATE",
        "GRANT", "REVOKE", "ATTACH", "DETACH", "PRAGMA", "COPY", "INTO", "VACUUM", "REINDEX",
        "ANALYZE", "CALL", "EXECUTE", "EXEC", "DO", "LOCK", "SET", "RESET", "BEGIN", "COMMIT",
        "ROLLBACK", "SAVEPOINT", "RELEASE", "LISTEN", "NOTIFY", "UNLISTEN", "LOAD", "PREPARE",
        "DEALLOCATE", "DISCARD", "REFRESH", "CLUSTER", "COMMENT", "SECURITY", "IMPORT",
    }
)  # fmt: skip
#: functions that act on the server or its files rather than read data
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "PG_TERMINATE_BACKEND", "PG_CANCEL_BACKEND", "PG_READ_FILE", "PG_READ_BINARY_FILE",
        "PG_LS_DIR", "PG_RELOAD_CONF", "LO_IMPORT", "LO_EXPORT", "DBLINK", "DBLINK_EXEC",
        "SET_CONFIG", "NEXTVAL", "SETVAL", "LOAD_EXTENSION", "WRITEFILE", "READFILE", "EDIT",
        "PG_ADVISORY_LOCK", "PG_SLEEP",
    }
)  # fmt: skip

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_EMAIL_NAME = re.compile(r"e[-_ ]?mail", re.IGNORECASE)
_EMAIL_VALUE = re.compile(r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$")


@dataclass(frozen=True, slots=True)
class ScannedSql:
    """A statement with its comments replaced by spaces, and its code outside string literals."""

    statement: str
    code: str


def scan_sql(sql: str) -> ScannedSql:
    """Strip comments (string literals and quoted names kept intact); collect the code parts."""
    kept: list[str] = []
    code: list[str] = []
    index, length = 0, len(sql)
    while index < length:
        char = sql[index]
        pair = sql[index : index + 2]
        if pair == "--":
            end = sql.find("\n", index)
            index = length if end < 0 else end
            kept.append(" ")
            code.append(" ")
        elif pair == "/*":
            end = sql.find("*/", index + 2)
            if end < 0:
                raise SegmentError("The query has a /* comment that is never closed with */.")
            index = end + 2
            kept.append(" ")
            code.append(" ")
        elif char in "'\"`":
            end = _literal_end(sql, index, char)
            kept.append(sql[index:end])
            code.append(" " if char == "'" else "_")
            index = end
        elif (
            char == "$" and (match := _DOLLAR_TAG.match(sql, index)) and not _after_word(sql, index)
        ):
            closing = sql.find(match.group(0), match.end())
            if closing < 0:
                raise SegmentError(f"The query has a {match.group(0)} string that is never closed.")
            end = closing + len(match.group(0))
            kept.append(sql[index:end])
            code.append(" ")
            index = end
        else:
            kept.append(char)
            code.append(char)
            index += 1
    return ScannedSql("".join(kept), "".join(code))


def _after_word(sql: str, index: int) -> bool:
    return index > 0 and (sql[index - 1].isalnum() or sql[index - 1] == "_")


def _literal_end(sql: str, start: int, quote: str) -> int:
    backslash_escapes = quote == "'" and start > 0 and sql[start - 1] in "eE"
    index = start + 1
    while index < len(sql):
        char = sql[index]
        if backslash_escapes and char == "\\":
            index += 2
            continue
        if char == quote:
            if sql[index + 1 : index + 2] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    raise SegmentError(f"The query has a {quote} quote that is never closed.")


def check_read_only_sql(sql: str) -> str:
    """The statement, comments stripped and any final ``;`` removed, if it is one read-only query.

    Raises :class:`SegmentError` saying what was refused and what is accepted instead.
    """
    scanned = scan_sql(sql)
    code = scanned.code.strip()
    statement = scanned.statement.strip()
    if code.endswith(";"):
        code = code[:-1].rstrip()
        statement = statement[: statement.rstrip().rfind(";")].rstrip()
    if not code:
        raise SegmentError("The query is empty; write one SELECT statement that returns emails.")
    if ";" in code:
        raise SegmentError(
            "The query holds more than one statement (a ';' in the middle); "
            "keep a single SELECT or WITH statement."
        )
    words = [word.upper() for word in _WORD.findall(code)]
    first = words[0] if words else ""
    if first not in ("SELECT", "WITH"):
        raise SegmentError(
            f"The query starts with {first or code[:10]!r}; only a read-only SELECT or WITH "
            "statement can define a segment."
        )
    for word in words:
        if word in FORBIDDEN_KEYWORDS:
            raise SegmentError(
                f"The query uses {word}, which a read-only segment query may not; "
                "write a plain SELECT (quote a column named like a keyword with double quotes)."
            )
    for match in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", code):
        if match.group(1).upper() in FORBIDDEN_FUNCTIONS:
            raise SegmentError(
                f"The query calls {match.group(1)}(), which acts on the server rather than "
                "reading data; remove it."
            )
    return statement


def sql_problems(sql: str) -> list[Problem]:
    """The static check as a list of problems (empty when the statement is accepted)."""
    try:
        check_read_only_sql(sql)
    except SegmentError as error:
        return [Problem("sql", error.summary)]
    return []


def query_columns(source: Source, sql: str) -> list[str]:
    """The column names the query returns, found by running it with no rows, read-only."""
    statement = check_read_only_sql(sql)
    probe = (
        select(text("*")).select_from(text(f"({statement}) AS actui_probe")).where(text("1 = 0"))
    )
    try:
        with source.read_only() as connection:
            result = connection.execute(probe)
            return list(result.keys())
    except SQLAlchemyError as error:
        raise SegmentError(
            f"The query failed in the database: {_first_line(error)}; fix it and try again."
        ) from None


def sql_subquery(source: Source, sql: str, name: str = "sql_segment") -> Subquery:
    """The checked query as a named subquery with its columns declared, for wrapping in Core."""
    statement = check_read_only_sql(sql)
    names = query_columns(source, sql)
    return text(statement).columns(*(column(item) for item in names)).subquery(name)


def suggest_email_column(source: Source, sql: str, sample: int = 200) -> str | None:
    """The column most likely to hold emails: by name first, then by what its values look like."""
    names = query_columns(source, sql)
    exact = [item for item in names if item.lower() == "email"]
    if exact:
        return exact[0]
    named = [item for item in names if _EMAIL_NAME.search(item)]
    if named:
        return named[0]
    subquery = sql_subquery(source, sql, "email_probe")
    with source.read_only() as connection:
        rows = connection.execute(select(subquery).limit(sample)).all()
    best, best_hits = None, 0
    for position, item in enumerate(names):
        hits = sum(
            1
            for row in rows
            if isinstance(row[position], str) and _EMAIL_VALUE.match(row[position])
        )
        if hits > best_hits:
            best, best_hits = item, hits
    return best if rows and best_hits * 2 >= len(rows) else None


def _first_line(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0].rstrip(".")
