"""Short human labels for conditions, groups and references ("state is one of WA, OR")."""

from __future__ import annotations

from typing import Any

from actui.segments.model import Condition, Group, Node, SegmentReference


def describe_value(value: Any) -> str:
    """A value as a user would write it in a sentence."""
    if isinstance(value, list):
        return ", ".join(describe_value(item) for item in value)
    if isinstance(value, dict) and {"amount", "unit"} <= set(value):
        return f"{value['amount']} {value['unit']}"
    return str(value)


def describe(node: Node) -> str:
    """One line saying what ``node`` selects."""
    if isinstance(node, Condition):
        if node.value is None:
            return f"{node.attribute} {node.operator}"
        return f"{node.attribute} {node.operator} {describe_value(node.value)}"
    if isinstance(node, SegmentReference):
        return f"{node.operator} {node.segment!r}"
    assert isinstance(node, Group)
    inner = f"{len(node.conditions)} condition" + ("" if len(node.conditions) == 1 else "s")
    return f"{node.match} of {inner}"
