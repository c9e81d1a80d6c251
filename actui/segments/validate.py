"""Validation of a segment against the source catalog: every problem with its path and a fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from actui.jsonfiles import MAX_JSON_DEPTH
from actui.segments.errors import Problem, SegmentError, join_path
from actui.segments.model import Condition, Group, Node, RuleSegment, Segment, SegmentReference
from actui.segments.operators import kind_name, operators_for
from actui.segments.resolver import DictResolver, SegmentResolver, suggestion
from actui.segments.sql_mode import query_columns, sql_problems
from actui.segments.values import value_problem

if TYPE_CHECKING:
    from actui.source import ColumnInfo, Source

__all__ = ["operators_for", "segment_problems", "validate_segment"]

#: groups inside groups a segment may hold, so its file stays within MAX_JSON_DEPTH levels
MAX_GROUP_DEPTH = 30


def validate_segment(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> None:
    """Raise :class:`SegmentError` listing every problem of ``segment`` over ``source``."""
    problems = segment_problems(segment, source, resolver)
    if problems:
        count = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise SegmentError(
            f"The segment {segment.name!r} has {count}; fix each one below and try again.",
            problems,
        )


def segment_problems(
    segment: Segment, source: Source, resolver: SegmentResolver | None = None
) -> list[Problem]:
    """Every problem of ``segment`` over ``source`` (empty when it can be compiled and run)."""
    return _Validator(source, resolver or DictResolver()).segment(segment, (segment.name,))


class _Validator:
    def __init__(self, source: Source, resolver: SegmentResolver) -> None:
        self.source = source
        self.resolver = resolver

    def segment(self, segment: Segment, chain: Sequence[str]) -> list[Problem]:
        if isinstance(segment, RuleSegment):
            return self.rules(segment, chain)
        problems = sql_problems(segment.sql)
        if problems or segment.email_column is None:
            return problems
        try:
            names = query_columns(self.source, segment.sql)
        except SegmentError as error:
            return [Problem("sql", error.summary)]
        if segment.email_column not in names:
            hint = suggestion(segment.email_column, names) or f" (it returns {', '.join(names)})"
            return [
                Problem(
                    "email_column",
                    f"the query returns no column {segment.email_column!r}{hint}",
                )
            ]
        return []

    def _qualified_table(self, name: str) -> bool:
        """True for an existing ``schema.table`` outside the listed schema."""
        from actui.source import SourceError

        if "." not in name:
            return False
        try:
            self.source.table(name)
        except SourceError:
            return False
        return True

    def rules(self, segment: RuleSegment, chain: Sequence[str]) -> list[Problem]:
        table = segment.table or self.source.segment_table
        tables = self.source.tables()
        if table not in tables and not self._qualified_table(table):
            return [
                Problem(
                    "table",
                    f"the source has no table {table!r}{suggestion(table, tables)}; "
                    f"tables: {', '.join(tables[:10])}",
                )
            ]
        columns = {info.name: info for info in self.source.columns(table)}
        walker = _Walker(self, columns, chain)
        for index, node in enumerate(segment.conditions):
            walker.node(node, join_path("conditions", index))
        return walker.problems


class _Walker:
    def __init__(
        self, validator: _Validator, columns: dict[str, ColumnInfo], chain: Sequence[str]
    ) -> None:
        self.validator = validator
        self.columns = columns
        self.chain = chain
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def node(self, node: Node, path: str) -> None:
        if isinstance(node, Group):
            self.group(node, path)
        elif isinstance(node, SegmentReference):
            self.reference(node, path)
        else:
            self.condition(node, path)

    def group(self, group: Group, path: str) -> None:
        if path.count("conditions[") > MAX_GROUP_DEPTH:
            self.add(
                path,
                f"groups nest more than {MAX_GROUP_DEPTH} deep; flatten them (a segment file "
                f"nests at most {MAX_JSON_DEPTH} JSON levels)",
            )
            return
        if not group.conditions:
            self.add(path, "the group has no conditions; add at least one or remove the group")
        for index, child in enumerate(group.conditions):
            self.node(child, join_path(join_path(path, "conditions"), index))

    def condition(self, condition: Condition, path: str) -> None:
        info = self.columns.get(condition.attribute)
        if info is None:
            near = suggestion(condition.attribute, self.columns)
            self.add(
                join_path(path, "attribute"),
                f"unknown attribute {condition.attribute!r}{near}",
            )
            return
        kind = kind_name(info.kind)
        valid = operators_for(info.kind)
        if condition.operator not in valid:
            self.add(
                join_path(path, "operator"),
                f"{condition.operator!r} does not apply to {condition.attribute!r} ({kind}); "
                f"use one of: {', '.join(valid)}",
            )
            return
        problem = value_problem(kind, condition.operator, condition.value, info.sql_type)
        if problem:
            self.add(join_path(path, "value"), problem)

    def reference(self, reference: SegmentReference, path: str) -> None:
        name = reference.segment
        if name in self.chain:
            loop = " -> ".join([*self.chain[self.chain.index(name) :], name])
            self.add(join_path(path, "segment"), f"segments refer to each other in a loop: {loop}")
            return
        try:
            target = self.validator.resolver.get(name)
        except SegmentError as error:
            self.add(join_path(path, "segment"), error.summary.rstrip("."))
            return
        for problem in self.validator.segment(target, [*self.chain, name]):
            inner = f" {problem.path}" if problem.path else ""
            self.add(path, f"in segment {name!r}{inner}: {problem.message}")
