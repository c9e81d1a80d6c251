"""Segments: the condition-tree model, its validation, the SQL compiler and audience insights.

Import what you need from the submodules (``actui.segments.compiler``, ``.insights``, ``.store``
...); this package keeps the model and error types at hand without importing SQLAlchemy.
"""

from __future__ import annotations

from actui.segments.errors import Problem, SegmentError
from actui.segments.model import (
    Condition,
    Group,
    RuleSegment,
    Segment,
    SegmentReference,
    SqlSegment,
    load_segment_file,
    parse_segment,
    parse_segment_json,
    segment_to_json,
)
from actui.segments.operators import operators_for

__all__ = [
    "Condition",
    "Group",
    "Problem",
    "RuleSegment",
    "Segment",
    "SegmentError",
    "SegmentReference",
    "SqlSegment",
    "load_segment_file",
    "operators_for",
    "parse_segment",
    "parse_segment_json",
    "segment_to_json",
]
