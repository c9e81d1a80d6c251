"""The segment compiler: a condition tree becomes one portable SQLAlchemy Core expression.

Every user value is a bound parameter. Negation (``is not``, ``none``, ``not in segment``) is
pushed down to the leaves, and each negated leaf adds its own ``IS NULL`` test, so a negative
operator is the exact complement of its positive one (a missing value "is not" anything) without
relying on three-valued logic. Relative dates become bound ``DATE`` values computed in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    FromClause,
    Integer,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement as _Column
from sqlalchemy.types import TypeEngine

from actui.segments.case import case_insensitive_in, case_insensitive_like, exact_text
from actui.segments.dates import relative_range
from actui.segments.email_sql import normalized_email_sql
from actui.segments.errors import SegmentError
from actui.segments.model import (
    Condition,
    Group,
    Node,
    RuleSegment,
    Segment,
    SegmentReference,
    SqlSegment,
)
from actui.segments.operators import NEGATIONS, RELATIVE_OPERATORS, kind_name
from actui.segments.resolver import DictResolver, SegmentResolver
from actui.segments.sql_mode import sql_subquery, suggest_email_column
from actui.segments.validate import validate_segment
from actui.segments.values import parse_day
from actui.source.catalog import SourceError
from actui.source.detect import KEY_NAMES, find_named

if TYPE_CHECKING:
    from actui.source import Source

#: the LIKE escape character; user text has it, ``%`` and ``_`` escaped with it
LIKE_ESCAPE = "!"


#: BigQuery's LIKE has no ESCAPE clause: a backslash escapes there
BIGQUERY_LIKE_ESCAPE = "\\"


def like_escape(text: str, escape: str = LIKE_ESCAPE) -> str:
    """``text`` with ``escape``, ``%`` and ``_`` escaped so LIKE matches it literally."""
    return text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")


def _like(
    text: ColumnElement[Any], pattern: ColumnElement[Any], dialect: str
) -> ColumnElement[bool]:
    """``text LIKE pattern`` with the escape character of :func:`like_escape` for ``dialect``."""
    if dialect == "bigquery":
        return text.like(pattern)
    return text.like(pattern, escape=LIKE_ESCAPE)


def segment_table_name(segment: Segment, source: Source) -> str:
    """The table a segment's conditions read: its own ``table`` or the source's segment table."""
    if isinstance(segment, RuleSegment) and segment.table:
        return segment.table
    return source.segment_table


def segment_condition(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> ColumnElement[bool]:
    """The WHERE expression selecting ``segment``'s rows of its table (``source.table(...)``)."""
    resolver = resolver or DictResolver()
    validate_segment(segment, source, resolver)
    name = segment_table_name(segment, source)
    return _Compiler(source, resolver).over(segment, source.table(name), name, (segment.name,))


def members_query(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> Select[Any]:
    """``SELECT customer_key, email`` of the segment's members: one row per customer.

    ``email`` is the raw email column (not normalized). For SQL-mode segments the user's query is
    wrapped as a subquery; ``customer_key`` is the customer key column when the query returns it,
    else the normalized email.
    """
    return members_with_key(segment, source, resolver)[0]


def members_with_key(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> tuple[Select[Any], str | None]:
    """:func:`members_query`, and the key column its ``customer_key`` holds (None: the email)."""
    resolver = resolver or DictResolver()
    validate_segment(segment, source, resolver)
    if isinstance(segment, RuleSegment):
        name = segment_table_name(segment, source)
        table = source.table(name)
        key = key_expression(table, source, name)
        email = table.c[source.email_column(name)]
        condition = _Compiler(source, resolver).over(segment, table, name, (segment.name,))
        key_name = source.customer_key(name)
        if source.rows_are_customers(name):
            query = select(key.label("customer_key"), email.label("email")).where(condition)
            return query, key_name
        grouped = (
            select(key.label("customer_key"), func.min(email).label("email"))
            .where(condition)
            .group_by(key)
        )
        return grouped, key_name
    return _sql_members(segment, source)


def _sql_members(segment: SqlSegment, source: Source) -> tuple[Select[Any], str | None]:
    """A SQL-mode segment's members query, and the key column its ``customer_key`` holds.

    The query's rows are the members. Their key is a returned column named like the segment
    table's key (or a usual key name), case-insensitively; otherwise their email.
    """
    subquery = sql_subquery(source, segment.sql)
    email_name = segment.email_column or suggest_email_column(source, segment.sql)
    if email_name is None:
        raise SegmentError(
            f"The query of segment {segment.name!r} returns no column that looks like an email; "
            'set "email_column" to the column that holds the emails.'
        )
    key_name = sql_key_column(source, list(subquery.c.keys()))
    key_column = (
        subquery.c[key_name]
        if key_name
        else normalized_email_sql(subquery.c[email_name], source.dialect)
    )
    query = select(
        key_column.label("customer_key"), subquery.c[email_name].label("email")
    ).distinct()
    return query, key_name


def sql_key_column(source: Source, returned: list[str]) -> str | None:
    """The column of a SQL segment's result that holds the customer key, if it returns one."""
    wanted: list[str] = []
    try:
        key = source.customer_key(source.segment_table)
    except SourceError:
        key = None
    if key:
        wanted.append(key)
    wanted.extend(KEY_NAMES[:-1])  # "id" alone is too common to mean the customer
    for name in wanted:
        found = find_named(returned, name)
        if found is not None:
            return found
    return None


def key_expression(table: FromClause, source: Source, name: str) -> ColumnElement[Any]:
    """What names a customer in ``table`` (the table ``name`` or an alias of it).

    Its customer key column; for a table without one, the normalized email: rows with the same
    address are then one contact.
    """
    key = source.customer_key(name)
    if key is None:
        return normalized_email_sql(table.c[source.email_column(name)], source.dialect)
    if key not in table.c:
        raise SegmentError(
            f"The table {name!r} has no customer key column {key!r}; set the customer key with "
            "'actui source set --customer-key COLUMN'."
        )
    return table.c[key]


@dataclass(frozen=True, slots=True)
class _Scope:
    """What the leaves of one segment need: its table, its day, its case rule and the chain."""

    table: FromClause
    table_name: str
    today: date
    case_sensitive: bool
    chain: tuple[str, ...]


class _Compiler:
    def __init__(self, source: Source, resolver: SegmentResolver) -> None:
        self.source = source
        self.resolver = resolver

    def over(
        self,
        segment: Segment,
        table: FromClause,
        table_name: str,
        chain: tuple[str, ...],
        negated: bool = False,
    ) -> ColumnElement[bool]:
        """``segment``'s members as a condition over ``table`` (an alias or the table itself)."""
        own_table = segment_table_name(segment, self.source)
        if isinstance(segment, RuleSegment) and own_table == table_name:
            scope = _Scope(
                table,
                table_name,
                segment.as_of or date.today(),
                segment.case_sensitive,
                chain,
            )
            return self.group(segment.match, segment.conditions, scope, negated)
        if isinstance(segment, SqlSegment):
            matched = self._sql_membership(segment, table, table_name)
        else:  # a rule segment over another table: matched on the customer key
            matched = exists(self._member_keys(segment, table, table_name, chain))
        return not_(matched) if negated else matched

    def _sql_membership(
        self, segment: SqlSegment, outer: FromClause, outer_name: str
    ) -> ColumnElement[bool]:
        """``outer``'s key (or normalized email) is among the query's: one uncorrelated ``IN``.

        The query runs once (SQLite materializes it, PostgreSQL hashes it) instead of once per
        outer row, as a correlated ``EXISTS`` on an expression would; NULLs never match, and the
        ``CASE`` keeps the test two-valued so ``NOT`` still selects rows without a key or email.
        """
        query, key_name = _sql_members(segment, self.source)
        members = query.subquery("sql_members")
        if key_name is not None and self.source.customer_key(outer_name) is not None:
            outer_value: ColumnElement[Any] = key_expression(outer, self.source, outer_name)
            inner_value: ColumnElement[Any] = members.c.customer_key
        else:
            dialect = self.source.dialect
            outer_email = outer.c[self.source.email_column(outer_name)]
            outer_value = normalized_email_sql(outer_email, dialect)
            inner_value = normalized_email_sql(members.c.email, dialect)
        keys = select(inner_value).select_from(members).where(inner_value.is_not(None))
        return case((outer_value.in_(keys), true()), else_=false()) == true()

    def _member_keys(
        self, segment: RuleSegment, outer: FromClause, outer_name: str, chain: tuple[str, ...]
    ) -> Select[Any]:
        outer_key = key_expression(outer, self.source, outer_name)
        name = segment_table_name(segment, self.source)
        inner = self.source.table(name).alias(f"ref_{len(chain)}")
        inner_key = key_expression(inner, self.source, name)
        condition = self.over(segment, inner, name, chain)
        return select(literal(1)).select_from(inner).where(inner_key == outer_key, condition)

    def group(
        self, match: str, nodes: list[Node], scope: _Scope, negated: bool
    ) -> ColumnElement[bool]:
        if not nodes:
            return false() if negated else true()
        child_negated = negated != (match == "none")
        parts = [self.node(node, scope, child_negated) for node in nodes]
        if len(parts) == 1:
            return parts[0]
        use_and = (match != "any") != negated
        return and_(*parts) if use_and else or_(*parts)

    def node(self, node: Node, scope: _Scope, negated: bool) -> ColumnElement[bool]:
        if isinstance(node, Group):
            return self.group(node.match, node.conditions, scope, negated)
        if isinstance(node, SegmentReference):
            return self.reference(node, scope, negated)
        return self.leaf(node, scope, negated)

    def reference(
        self, reference: SegmentReference, scope: _Scope, negated: bool
    ) -> ColumnElement[bool]:
        name = reference.segment
        if name in scope.chain:
            loop = " -> ".join([*scope.chain[scope.chain.index(name) :], name])
            raise SegmentError(f"Segments refer to each other in a loop ({loop}); break the loop.")
        target = self.resolver.get(name)
        negated = negated != (reference.operator == "not in segment")
        chain = (*scope.chain, name)
        same_rows = self.source.rows_are_customers(scope.table_name)
        if not same_rows and isinstance(target, RuleSegment):
            matched = exists(self._member_keys(target, scope.table, scope.table_name, chain))
            return not_(matched) if negated else matched
        return self.over(target, scope.table, scope.table_name, chain, negated)

    def leaf(self, condition: Condition, scope: _Scope, negated: bool) -> ColumnElement[bool]:
        if condition.attribute not in scope.table.c:
            raise SegmentError(
                f"The table {scope.table_name!r} has no attribute {condition.attribute!r}."
            )
        column: _Column[Any] = scope.table.c[condition.attribute]
        kind = kind_name(self.source.column(scope.table_name, condition.attribute).kind)
        operator = condition.operator
        if operator in NEGATIONS:
            operator, negated = NEGATIONS[operator], not negated
        case_sensitive = (
            scope.case_sensitive if condition.case_sensitive is None else condition.case_sensitive
        )
        dialect = self.source.engine.dialect
        if kind == "string":
            column = exact_text(column, dialect)
        predicate, null_safe = _positive(
            operator, column, kind, condition.value, case_sensitive, scope.today, dialect.name
        )
        if not negated:
            return predicate
        if null_safe:
            return not_(predicate)
        return or_(column.is_(None), not_(predicate))


def _positive(
    operator: str,
    column: _Column[Any],
    kind: str,
    value: Any,
    case_sensitive: bool,
    today: date,
    dialect: str = "",
) -> tuple[ColumnElement[bool], bool]:
    """The positive test of a leaf, and whether it is already false (never NULL) on NULL values."""
    if operator == "is empty":
        if kind == "string":
            return or_(column.is_(None), column == ""), True
        return column.is_(None), True
    if operator == "is true":
        return column == true(), False
    if operator == "is false":
        return column == false(), False
    if kind == "string":
        return _string(operator, column, value, case_sensitive, dialect), False
    if kind == "number":
        return _number(operator, column, value), False
    return _date(operator, column, kind, value, today), False


def _string(
    operator: str, column: _Column[Any], value: Any, case_sensitive: bool, dialect: str = ""
) -> ColumnElement[bool]:
    """A text leaf; on SQLite, the forms that spare it a Python call a row."""
    if operator in ("is", "is one of"):
        values = [value] if operator == "is" else list(value)
        if case_sensitive:
            return column == values[0] if len(values) == 1 else column.in_(values)
        return case_insensitive_in(column, values, dialect == "sqlite")
    text = str(value)
    escaped = like_escape(text, BIGQUERY_LIKE_ESCAPE if dialect == "bigquery" else LIKE_ESCAPE)
    pattern = {
        "contains": f"%{escaped}%",
        "starts with": f"{escaped}%",
        "ends with": f"%{escaped}",
    }[operator]
    if not case_sensitive:
        escape = None if dialect == "bigquery" else LIKE_ESCAPE
        return case_insensitive_like(column, pattern, escape, dialect == "sqlite")
    if operator == "contains":
        return func.replace(column, literal(text), literal("")) != column
    like = _like(column, literal(pattern), dialect)
    size = len(text)
    # MySQL's length() counts bytes
    length = func.char_length if dialect in ("mysql", "mariadb") else func.length
    if operator == "starts with":
        return and_(like, func.substr(column, 1, size) == literal(text))
    return and_(
        like,
        length(column) >= size,
        func.substr(column, length(column) - (size - 1)) == literal(text),
    )


def _number_bind(column: _Column[Any], value: Any) -> ColumnElement[Any]:
    bind_type: TypeEngine[Any] = column.type
    if isinstance(value, float) and isinstance(column.type, Integer):
        bind_type = Float()
    return literal(value, bind_type)


def _number(operator: str, column: _Column[Any], value: Any) -> ColumnElement[bool]:
    if operator == "between":
        low, high = value
        return and_(column >= _number_bind(column, low), column <= _number_bind(column, high))
    bound = _number_bind(column, value)
    comparisons = {
        "is": column == bound,
        "less than": column < bound,
        "at most": column <= bound,
        "greater than": column > bound,
        "at least": column >= bound,
    }
    return comparisons[operator]


def _day(value: date) -> ColumnElement[Any]:
    """A calendar day as a bound DATE (ISO text on SQLite, so it compares with stored text)."""
    return literal(value, Date())


def _date(
    operator: str, column: _Column[Any], kind: str, value: Any, today: date
) -> ColumnElement[bool]:
    first: date | None
    last: date | None
    if operator in RELATIVE_OPERATORS:
        first, last = relative_range(operator, int(value["amount"]), str(value["unit"]), today)
    elif operator == "between":
        first, last = parse_day(value[0]), parse_day(value[1])
    else:
        day = parse_day(value)
        assert day is not None
        first, last = {
            "is on": (day, day),
            "before": (None, day - timedelta(days=1)),
            "after": (day + timedelta(days=1), None),
        }[operator]
    return _day_range(column, kind, first, last)


def _day_range(
    column: _Column[Any], kind: str, first: date | None, last: date | None
) -> ColumnElement[bool]:
    """``first <= column's day <= last``; datetimes compare against day starts (no functions)."""
    tests: list[ColumnElement[bool]] = []
    if first is not None:
        tests.append(column >= _day(first))
    if last is not None:
        if kind == "datetime":
            tests.append(column < _day(last + timedelta(days=1)))
        else:
            tests.append(column <= _day(last))
    if not tests:
        return column.is_not(None)
    return tests[0] if len(tests) == 1 else and_(*tests)


def with_segment(segment: RuleSegment, **changes: Any) -> RuleSegment:
    """A copy of a rule segment with some fields changed (used to count one condition alone)."""
    return segment.model_copy(update=changes)


__all__ = [
    "LIKE_ESCAPE",
    "key_expression",
    "like_escape",
    "members_query",
    "members_with_key",
    "segment_condition",
    "segment_table_name",
    "with_segment",
]
