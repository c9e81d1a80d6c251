"""The send's email rule (:mod:`actui.emails`) as SQL: normalized email, validity and reason.

This is the one place insights use dialect-specific SQL for emails:

* **SQLite** calls the rule itself through the deterministic function
  :data:`~actui.emails.SQLITE_EMAIL_REASON_FUNCTION`, registered on every connection of a
  Source's engine (``actui.source.connect``), so both sides agree by construction;
* **PostgreSQL** uses POSIX regular expressions (``~``) and length checks equivalent to the rule,
  and a ``CASE`` ladder giving the same reasons as :func:`~actui.emails.invalid_reason`;
* **any other dialect** gets the old portable ``LIKE`` approximation (missing, a space inside,
  more than one ``@``, not shaped like ``name@domain.tld``): its counts may differ slightly from
  what a send accepts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, null
from sqlalchemy.sql.elements import ColumnElement as _Column

from actui.emails import (
    ATOM_PATTERN,
    LABEL_PATTERN,
    REASON_MISSING,
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


def normalized_email_sql(expr: _Column[Any], dialect: str) -> ColumnElement[Any]:
    """``lower(trim(expr))`` stripping exactly the characters a send strips, where possible."""
    if dialect == "sqlite":
        return func.lower(func.trim(expr, literal(STRIP_CHARS)))
    if dialect == "postgresql":
        return func.lower(func.btrim(expr, literal(STRIP_CHARS)))
    return func.lower(func.trim(expr))


def email_reason_sql(expr: _Column[Any], dialect: str) -> ColumnElement[Any]:
    """Why a send would reject the raw email ``expr`` (text), or NULL when it would accept it."""
    if dialect == "sqlite":
        reason: ColumnElement[Any] = getattr(func, SQLITE_EMAIL_REASON_FUNCTION)(expr)
        return reason
    normalized = normalized_email_sql(expr, dialect)
    if dialect == "postgresql":
        return _postgresql_reason(expr, normalized)
    return case(
        ((expr.is_(None)) | (normalized == ""), literal(REASON_MISSING)),
        (normalized.like(literal("% %")), literal(APPROXIMATE_REASONS[0])),
        (normalized.like(literal("%@%@%")), literal(APPROXIMATE_REASONS[1])),
        (normalized.not_like(literal("_%@_%._%")), literal(APPROXIMATE_REASONS[2])),
        else_=null(),
    )


def valid_email_sql(expr: _Column[Any], dialect: str) -> ColumnElement[bool]:
    """True when a send would accept the raw email ``expr`` (exact on SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        return (
            expr.is_not(None)
            & ~expr.regexp_match(literal(_PG_NON_ASCII))
            & _postgresql_rule(normalized_email_sql(expr, dialect))
        )
    return email_reason_sql(expr, dialect).is_(None)


def _postgresql_rule(normalized: ColumnElement[Any]) -> ColumnElement[bool]:
    """:data:`actui.emails.VALID_EMAIL` on a normalized email, as regular expressions."""
    return (
        normalized.regexp_match(literal(_PG_VALID))
        & ~normalized.regexp_match(literal(_PG_SPECIAL_TLD))
        & (func.char_length(normalized) <= 254)
        & (func.char_length(func.split_part(normalized, "@", 1)) <= 64)
        & ~func.split_part(normalized, "@", 2).regexp_match(literal(_PG_LONG_LABEL))
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
            ~domain.regexp_match(literal(f"^{LABEL_PATTERN}(\\.{LABEL_PATTERN})*$")),
            literal("invalid email: the domain is malformed"),
        ),
        *special,
        else_=literal("invalid email: the top-level domain must be 2 or more letters"),
    )


__all__ = [
    "APPROXIMATE_REASONS",
    "email_reason_sql",
    "normalized_email_sql",
    "valid_email_sql",
]
