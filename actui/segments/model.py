"""The segment file (version 1) as pydantic models: rule trees, segment references and SQL mode."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    Tag,
    ValidationError,
)

from actui.jsonfiles import parse_json_text, read_json_file
from actui.segments.errors import Problem, SegmentError, join_path

Match = Literal["all", "any", "none"]
SegmentOperator = Literal["in segment", "not in segment"]

#: the node tags pydantic adds to error locations; they are not part of a condition's path
_NODE_TAGS = frozenset({"condition", "group", "reference", "rules", "sql"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """``{"attribute": ..., "operator": ..., "value": ...}``: one test on one column."""

    attribute: str = Field(min_length=1)
    operator: str = Field(min_length=1)
    value: JsonValue = None
    case_sensitive: bool | None = None


class SegmentReference(_Strict):
    """``{"segment": NAME, "operator": "in segment"}`` (or "not in segment"): a saved segment."""

    segment: str = Field(min_length=1)
    operator: SegmentOperator = "in segment"


class Group(_Strict):
    """``{"match": "all" | "any" | "none", "conditions": [...]}``: a nested group of nodes."""

    match: Match = "all"
    conditions: list[Node] = Field(default_factory=list)


def _node_tag(raw: Any) -> str:
    if isinstance(raw, dict):
        if "segment" in raw:
            return "reference"
        if "conditions" in raw or "match" in raw:
            return "group"
        return "condition"
    if isinstance(raw, SegmentReference):
        return "reference"
    return "group" if isinstance(raw, Group) else "condition"


Node = Annotated[
    Annotated[Condition, Tag("condition")]
    | Annotated[Group, Tag("group")]
    | Annotated[SegmentReference, Tag("reference")],
    Discriminator(_node_tag),
]
Group.model_rebuild()


class RuleSegment(_Strict):
    """A segment built from conditions over one table (by default the source's segment table)."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    table: str | None = None
    match: Match = "all"
    conditions: list[Node] = Field(default_factory=list)
    case_sensitive: bool = False
    as_of: date | None = None

    @property
    def is_sql(self) -> bool:
        return False


class SqlSegment(_Strict):
    """A segment defined by one read-only ``SELECT``/``WITH`` query that returns an email column."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    sql: str = Field(min_length=1)
    email_column: str | None = None

    @property
    def is_sql(self) -> bool:
        return True


def _segment_tag(raw: Any) -> str:
    if isinstance(raw, dict):
        return "sql" if "sql" in raw else "rules"
    return "sql" if isinstance(raw, SqlSegment) else "rules"


Segment = RuleSegment | SqlSegment


class _SegmentFile(BaseModel):
    segment: Annotated[
        Annotated[RuleSegment, Tag("rules")] | Annotated[SqlSegment, Tag("sql")],
        Discriminator(_segment_tag),
    ]


def error_path(location: tuple[str | int, ...]) -> str:
    """Turn a pydantic error location into a condition path such as ``conditions[2].operator``."""
    path = ""
    for part in location:
        if isinstance(part, str) and part in _NODE_TAGS:
            continue
        path = join_path(path, part)
    return path


def parse_segment(data: Any, source_name: str = "the segment") -> Segment:
    """Build a segment from decoded JSON, or raise :class:`SegmentError` listing every problem."""
    if not isinstance(data, dict):
        raise SegmentError(
            f"{source_name} must be a JSON object with a name and either conditions or sql."
        )
    try:
        return _SegmentFile.model_validate({"segment": data}).segment
    except ValidationError as error:
        problems = [
            Problem(error_path(tuple(item["loc"][1:])), _friendly(item)) for item in error.errors()
        ]
        raise SegmentError(f"{source_name} is not a valid segment file.", problems) from None


def parse_segment_json(text: str, source_name: str = "the segment") -> Segment:
    """Parse segment JSON text (a file's contents or a saved body)."""
    return parse_segment(parse_json_text(text, source_name, SegmentError), source_name)


def load_segment_file(path: str | Path) -> Segment:
    """Read a segment JSON file."""
    text, source_name = read_json_file(path, "segment", SegmentError)
    return parse_segment_json(text, source_name)


def segment_to_dict(segment: Segment) -> dict[str, Any]:
    """The segment as the plain JSON object of the file format (no nulls, no default flags)."""
    data = segment.model_dump(mode="json", exclude_none=True)
    if isinstance(segment, RuleSegment) and not segment.case_sensitive:
        data.pop("case_sensitive", None)
    return data


def segment_to_json(segment: Segment) -> str:
    """The segment as human-editable JSON text (two-space indent, keys in file order)."""
    return json.dumps(segment_to_dict(segment), indent=2, ensure_ascii=False) + "\n"


def _friendly(item: Any) -> str:
    kind = item.get("type", "")
    location = item.get("loc", ())
    field = location[-1] if location else ""
    if kind == "extra_forbidden":
        return f"unknown key {field!r}; remove it or check its spelling"
    if kind == "missing":
        return f"{field!r} is required"
    if kind == "literal_error" and field == "match":
        return "'match' must be one of 'all', 'any' or 'none'"
    if kind == "literal_error" and field == "operator":
        return "a segment reference's operator must be 'in segment' or 'not in segment'"
    if kind == "literal_error" and field == "version":
        return 'this actui reads segment files of version 1; set "version": 1'
    return str(item.get("msg", "is not valid"))
