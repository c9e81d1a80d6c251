"""The send's email rule (:mod:`actui.emails`) as SQL: normalized email, validity and reason.

This is the one place insights use dialect-specific SQL for emails:

* **SQLite** calls the rule itself through the deterministic function
  :data:`~actui.emails.SQLITE_EMAIL_REASON_FUNCTION`, registered on every connection of a
  Source's engine (``actui.source.connect``), so both sides agree by construction;
* **PostgreSQL** uses POSIX regular expressions (``~``) and length checks equivalent to the rule,
  and a ``CASE`` ladder giving the same reasons as :func:`~actui.emails.invalid_reason`;
* **MySQL and MariaDB** (``REGEXP``), **DuckDB** (``regexp_full_match``, ``regexp_matches``),
  **Snowflake** (``RLIKE``, ``REGEXP_INSTR``), **BigQuery** (``REGEXP_CONTAINS``), **Redshift**
  (``~``) and **Databricks** (``RLIKE``) use one set of regular expressions every engine reads
  alike, through :class:`RegexDialect`, with each step of the ladder a regex of its own;
* **any other dialect** gets the old portable ``LIKE`` approximation (missing, a space inside,
  more than one ``@``, not shaped like ``name@domain.tld``): its counts may differ slightly from
  what a send accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, case, cast, func, literal, null
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.elements import ColumnElement as _Column

from actui.emails import (
    ATOM_PATTERN,
    LABEL_PATTERN,
    REASON_MISSING,
    RESERVED_HYPHENS_PATTERN,
    SPECIAL_USE_TLDS,
    SQLITE_EMAIL_REASON_FUNCTION,
    STRIP_CHARS,
)

#: the reasons given by dialects without an exact translation of the rule
APPROXIMATE_REASONS = (
    "invalid email: has spaces or control characters inside",
    "invalid email: needs exactly one @",
    "invalid email: not like name@domain.tld",
)

_LOCAL = f"{ATOM_PATTERN}(\\.{ATOM_PATTERN})*"
# labels without their 63-character bound, which makes PostgreSQL's regex engine five times
# slower; the bound is checked apart (no run of 64 characters without a dot after the @)
_FAST_LABEL = "[a-z0-9]([a-z0-9-]*[a-z0-9])?"
_PG_VALID = f"^{_LOCAL}@({_FAST_LABEL}\\.)+[a-z][a-z]+$"
_PG_LONG_LABEL = "[^.]{64}"
_PG_SPECIAL_TLD = f"\\.({'|'.join(sorted(SPECIAL_USE_TLDS))})$"
_PG_NON_ASCII = "[^\x01-\x7f]"
_PG_SPACE_OR_CONTROL = "[\x01-\x20\x7f]"


def trimmed_email_sql(expr: _Column[Any], dialect: str) -> ColumnElement[Any]:
    """``expr`` without the characters a send strips around an address, where possible."""
    if dialect in ("sqlite", "duckdb", "snowflake", "bigquery"):
        return func.trim(expr, literal(STRIP_CHARS))
    if dialect in ("postgresql", "redshift", "databricks"):
        return func.btrim(expr, literal(STRIP_CHARS))
    if dialect in ("mysql", "mariadb"):  # TRIM strips one string, not a set of characters
        return func.regexp_replace(expr, literal(_MYSQL_STRIP), literal(""))
    return func.trim(expr)


def normalized_email_sql(expr: _Column[Any], dialect: str) -> ColumnElement[Any]:
    """``lower(trim(expr))`` stripping exactly the characters a send strips, where possible."""
    return func.lower(trimmed_email_sql(expr, dialect))


def email_reason_sql(expr: _Column[Any], dialect: str) -> ColumnElement[Any]:
    """Why a send would reject the raw email ``expr`` (text), or NULL when it would accept it."""
    if dialect == "sqlite":
        reason: ColumnElement[Any] = getattr(func, SQLITE_EMAIL_REASON_FUNCTION)(expr)
        return reason
    normalized = normalized_email_sql(expr, dialect)
    if dialect == "postgresql":
        return _postgresql_reason(expr, normalized)
    regex = regex_dialect(dialect)
    if regex is not None:
        return _regex_reason(regex, expr, normalized)
    return case(
        ((expr.is_(None)) | (normalized == ""), literal(REASON_MISSING)),
        (normalized.like(literal("% %")), literal(APPROXIMATE_REASONS[0])),
        (normalized.like(literal("%@%@%")), literal(APPROXIMATE_REASONS[1])),
        (normalized.not_like(literal("_%@_%._%")), literal(APPROXIMATE_REASONS[2])),
        else_=null(),
    )


def valid_email_sql(expr: _Column[Any], dialect: str) -> ColumnElement[bool]:
    """True when a send would accept the raw email ``expr`` (exact where :func:`is_exact`)."""
    if dialect == "postgresql":
        return (
            expr.is_not(None)
            & ~expr.regexp_match(literal(_PG_NON_ASCII))
            & _postgresql_rule(normalized_email_sql(expr, dialect))
        )
    regex = regex_dialect(dialect)
    if regex is not None:
        return _regex_valid(regex, expr, normalized_email_sql(expr, dialect))
    return email_reason_sql(expr, dialect).is_(None)


def is_exact(dialect: str) -> bool:
    """Whether the SQL of ``dialect`` judges emails exactly as a send (else: an approximation)."""
    return dialect in ("sqlite", "postgresql") or regex_dialect(dialect) is not None


def _postgresql_rule(normalized: ColumnElement[Any]) -> ColumnElement[bool]:
    """:data:`actui.emails.VALID_EMAIL` on a normalized email, as regular expressions."""
    return (
        normalized.regexp_match(literal(_PG_VALID))
        & ~normalized.regexp_match(literal(_PG_SPECIAL_TLD))
        & (func.char_length(normalized) <= 254)
        & (func.char_length(func.split_part(normalized, "@", 1)) <= 64)
        & ~func.split_part(normalized, "@", 2).regexp_match(literal(_PG_LONG_LABEL))
        & ~normalized.regexp_match(literal(RESERVED_HYPHENS_PATTERN))
    )


def _postgresql_reason(expr: _Column[Any], normalized: ColumnElement[Any]) -> ColumnElement[Any]:
    """The ``CASE`` ladder of :func:`actui.emails.invalid_reason`, in the same order."""
    local = func.split_part(normalized, "@", 1)
    domain = func.split_part(normalized, "@", 2)
    at_signs = func.char_length(normalized) - func.char_length(func.replace(normalized, "@", ""))
    special = [
        (
            domain.like(literal(f"%.{tld}")),
            literal(f"invalid email: .{tld} addresses cannot receive mail"),
        )
        for tld in sorted(SPECIAL_USE_TLDS)
    ]
    return case(
        (valid_email_sql(expr, "postgresql"), null()),
        ((expr.is_(None)) | (normalized == ""), literal(REASON_MISSING)),
        (
            # non-ASCII before lower-casing (the Kelvin sign becomes "k"), or still after it
            _postgresql_rule(normalized) | normalized.regexp_match(literal(_PG_NON_ASCII)),
            literal("invalid email: has non-ASCII characters"),
        ),
        (
            normalized.regexp_match(literal(_PG_SPACE_OR_CONTROL)),
            literal("invalid email: has spaces or control characters inside"),
        ),
        (at_signs != 1, literal("invalid email: needs exactly one @")),
        (local == "", literal("invalid email: nothing before the @")),
        (
            func.char_length(local) > 64,
            literal("invalid email: more than 64 characters before the @"),
        ),
        (
            func.char_length(normalized) > 254,
            literal("invalid email: longer than 254 characters"),
        ),
        (
            local.like(literal(".%")) | local.like(literal("%.")) | local.like(literal("%..%")),
            literal("invalid email: misplaced dots before the @"),
        ),
        (
            ~local.regexp_match(literal(f"^{_LOCAL}$")),
            literal("invalid email: characters not allowed before the @"),
        ),
        (func.strpos(domain, ".") == 0, literal("invalid email: the domain has no dot")),
        (
            ~domain.regexp_match(literal(f"^{LABEL_PATTERN}(\\.{LABEL_PATTERN})*$"))
            | normalized.regexp_match(literal(RESERVED_HYPHENS_PATTERN)),
            literal("invalid email: the domain is malformed"),
        ),
        *special,
        else_=literal("invalid email: the top-level domain must be 2 or more letters"),
    )


#: MySQL and MariaDB: the characters a send strips, at either end (for ``REGEXP_REPLACE``)
_MYSQL_STRIP = "^[ \t\r\n]+|[ \t\r\n]+$"

# The rule as regular expressions every engine below reads alike (POSIX ERE, RE2, ICU, PCRE and
# Java): plain groups rather than ``(?:``, bracket expressions, bounded repeats, no escapes
# but ``\.``. Each is searched for (matched anywhere) unless anchored.
_RX_LABEL = LABEL_PATTERN.replace("(?:", "(")
_RX_LOCAL = f"{ATOM_PATTERN}(\\.{ATOM_PATTERN})*"
_RX_VALID = f"^{_RX_LOCAL}@({_RX_LABEL}\\.)+[a-z]{{2,63}}$"
_RX_LOCAL_LENGTH = "^[^@]{1,64}@"
_RX_ONE_AT = "^[^@]*@[^@]*$"
_RX_TOO_LONG_LOCAL = "^[^@]{65}"
_RX_MISPLACED_DOTS = "^\\.|\\.@|\\.\\.[^@]*@"
_RX_LOCAL_ALLOWED = f"^{_RX_LOCAL}@"
_RX_DOMAIN_DOT = "@[^@]*\\."
_RX_DOMAIN = f"@{_RX_LABEL}(\\.{_RX_LABEL})*$"
_RX_SPECIAL_TLD = f"\\.({'|'.join(sorted(SPECIAL_USE_TLDS))})$"


_Match = Callable[[ColumnElement[Any], str], ColumnElement[bool]]
_Measure = Callable[[ColumnElement[Any]], ColumnElement[Any]]


@dataclass(frozen=True)
class RegexDialect:
    """How one dialect matches a regular expression and measures text, for the exact rule."""

    #: True when the pattern matches anywhere in the text
    search: _Match
    #: True when the pattern matches the whole text (patterns here are anchored anyway)
    full: _Match
    #: the length of a text in characters
    length: _Measure
    #: True when a text has a character outside ASCII (NUL aside, which no engine stores)
    non_ascii: Callable[[ColumnElement[Any]], ColumnElement[bool]]


def _operator(name: str) -> _Match:
    return lambda text, pattern: text.op(name, is_comparison=True)(literal(pattern))


def _function(name: str) -> _Match:
    return lambda text, pattern: getattr(func, name)(text, literal(pattern), type_=Boolean)


def _non_ascii_by_regex(search: _Match) -> Callable[[ColumnElement[Any]], ColumnElement[bool]]:
    return lambda text: search(text, _PG_NON_ASCII)


def _mysql_non_ascii(text: ColumnElement[Any]) -> ColumnElement[bool]:
    # more bytes than characters in UTF-8: whatever the column's character set and collation
    # (a case-insensitive collation would fold the long s into the ASCII range of a regex)
    as_utf8 = cast(text, mysql.CHAR(charset="utf8mb4"))
    return func.octet_length(as_utf8) != func.char_length(as_utf8)


def _snowflake_search(text: ColumnElement[Any], pattern: str) -> ColumnElement[bool]:
    # RLIKE matches the whole subject; REGEXP_INSTR finds the pattern anywhere
    return func.regexp_instr(text, literal(pattern)) > 0


_REGEX_DIALECTS: dict[str, RegexDialect] = {
    # MySQL 8 (ICU) and MariaDB (PCRE): ``REGEXP`` is MySQL's synonym of ``REGEXP_LIKE``
    "mysql": RegexDialect(
        _operator("REGEXP"), _operator("REGEXP"), func.char_length, _mysql_non_ascii
    ),
    # DuckDB (RE2)
    "duckdb": RegexDialect(
        _function("regexp_matches"),
        _function("regexp_full_match"),
        func.length,
        _non_ascii_by_regex(_function("regexp_matches")),
    ),
    # Snowflake (POSIX extended)
    "snowflake": RegexDialect(
        _snowflake_search,
        _function("rlike"),
        func.length,
        _non_ascii_by_regex(_snowflake_search),
    ),
    # BigQuery (RE2)
    "bigquery": RegexDialect(
        _function("regexp_contains"),
        _function("regexp_contains"),
        func.char_length,
        _non_ascii_by_regex(_function("regexp_contains")),
    ),
    # Redshift (POSIX)
    "redshift": RegexDialect(
        _operator("~"), _operator("~"), func.char_length, _non_ascii_by_regex(_operator("~"))
    ),
    # Databricks (Java)
    "databricks": RegexDialect(
        _operator("RLIKE"),
        _operator("RLIKE"),
        func.char_length,
        _non_ascii_by_regex(_operator("RLIKE")),
    ),
}
_REGEX_DIALECTS["mariadb"] = _REGEX_DIALECTS["mysql"]


def regex_dialect(dialect: str) -> RegexDialect | None:
    """The regular-expression toolkit of ``dialect`` (None: it has no regex actui uses)."""
    return _REGEX_DIALECTS.get(dialect)


def _regex_valid(
    regex: RegexDialect, expr: _Column[Any], normalized: ColumnElement[Any]
) -> ColumnElement[bool]:
    """:data:`actui.emails.VALID_EMAIL`, and ASCII before lower-casing, as regular expressions."""
    return expr.is_not(None) & ~regex.non_ascii(expr) & _regex_rule(regex, normalized)


def _regex_rule(regex: RegexDialect, normalized: ColumnElement[Any]) -> ColumnElement[bool]:
    return (
        regex.full(normalized, _RX_VALID)
        & regex.search(normalized, _RX_LOCAL_LENGTH)
        & (regex.length(normalized) <= 254)
        & ~regex.search(normalized, _RX_SPECIAL_TLD)
        & ~regex.search(normalized, RESERVED_HYPHENS_PATTERN)
    )


def _regex_reason(
    regex: RegexDialect, expr: _Column[Any], normalized: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The ``CASE`` ladder of :func:`actui.emails.invalid_reason`, each step a regex."""
    search = regex.search
    special = [
        (
            search(normalized, f"\\.{tld}$"),
            literal(f"invalid email: .{tld} addresses cannot receive mail"),
        )
        for tld in sorted(SPECIAL_USE_TLDS)
    ]
    return case(
        (_regex_valid(regex, expr, normalized), null()),
        ((expr.is_(None)) | (normalized == ""), literal(REASON_MISSING)),
        (
            _regex_rule(regex, normalized) | regex.non_ascii(normalized),
            literal("invalid email: has non-ASCII characters"),
        ),
        (
            search(normalized, _PG_SPACE_OR_CONTROL),
            literal("invalid email: has spaces or control characters inside"),
        ),
        (~search(normalized, _RX_ONE_AT), literal("invalid email: needs exactly one @")),
        (search(normalized, "^@"), literal("invalid email: nothing before the @")),
        (
            search(normalized, _RX_TOO_LONG_LOCAL),
            literal("invalid email: more than 64 characters before the @"),
        ),
        (
            regex.length(normalized) > 254,
            literal("invalid email: longer than 254 characters"),
        ),
        (
            search(normalized, _RX_MISPLACED_DOTS),
            literal("invalid email: misplaced dots before the @"),
        ),
        (
            ~search(normalized, _RX_LOCAL_ALLOWED),
            literal("invalid email: characters not allowed before the @"),
        ),
        (~search(normalized, _RX_DOMAIN_DOT), literal("invalid email: the domain has no dot")),
        (
            ~search(normalized, _RX_DOMAIN) | search(normalized, RESERVED_HYPHENS_PATTERN),
            literal("invalid email: the domain is malformed"),
        ),
        *special,
        else_=literal("invalid email: the top-level domain must be 2 or more letters"),
    )


__all__ = [
    "APPROXIMATE_REASONS",
    "RegexDialect",
    "email_reason_sql",
    "is_exact",
    "normalized_email_sql",
    "regex_dialect",
    "trimmed_email_sql",
    "valid_email_sql",
]
