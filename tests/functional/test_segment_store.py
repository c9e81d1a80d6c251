"""Saved segments: create, read, update, rename, duplicate, delete, and refusing loops."""

from __future__ import annotations

import time

import pytest

from actui.segments.errors import SegmentError
from actui.segments.model import RuleSegment, parse_segment
from actui.segments.store import (
    SavedSegmentResolver,
    delete_segment,
    duplicate_segment,
    get_segment,
    list_segments,
    rename_segment,
    save_segment,
)


def _segment(name: str, conditions: list[dict[str, object]] | None = None) -> RuleSegment:
    segment = parse_segment({"version": 1, "name": name, "conditions": conditions or []})
    assert isinstance(segment, RuleSegment)
    return segment


GOLD = [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}]


def test_save_get_update_list_delete() -> None:
    saved = save_segment(_segment("Gold members", GOLD))
    assert saved.created_at == saved.updated_at
    assert get_segment("Gold members").segment == _segment("Gold members", GOLD)
    time.sleep(0.01)
    updated = save_segment(_segment("Gold members"))
    assert updated.created_at == saved.created_at and updated.updated_at > saved.updated_at
    assert get_segment("Gold members").segment.conditions == []  # type: ignore[union-attr]
    save_segment(_segment("Another"))
    assert [item.name for item in list_segments()] == ["Another", "Gold members"]
    delete_segment("Another")
    assert [item.name for item in list_segments()] == ["Gold members"]


def test_unknown_names_suggest_close_ones() -> None:
    save_segment(_segment("Gold members"))
    with pytest.raises(SegmentError, match="did you mean 'Gold members'"):
        get_segment("gold member")
    with pytest.raises(SegmentError, match="no saved segment named 'nothing'"):
        delete_segment("nothing")


def test_rename_and_duplicate_keep_the_body() -> None:
    save_segment(_segment("a", GOLD))
    renamed = rename_segment("a", "b")
    assert renamed.segment.name == "b"
    assert [item.name for item in list_segments()] == ["b"]
    copy = duplicate_segment("b", "c")
    assert copy.segment.conditions == renamed.segment.conditions  # type: ignore[union-attr]
    with pytest.raises(SegmentError, match="already saved"):
        duplicate_segment("b", "c")
    with pytest.raises(SegmentError, match="already saved"):
        rename_segment("b", "c")


def test_saving_a_loop_is_refused_and_the_resolver_reads_the_store() -> None:
    save_segment(_segment("a", [{"segment": "b", "operator": "in segment"}]))
    save_segment(_segment("b", [{"segment": "c", "operator": "not in segment"}]))
    with pytest.raises(SegmentError, match="c -> a -> b -> c"):
        save_segment(_segment("c", [{"segment": "a", "operator": "in segment"}]))
    assert SavedSegmentResolver().get("a").name == "a"
    with pytest.raises(SegmentError):
        SavedSegmentResolver().get("c")
