"""How a segment reference (``{"segment": NAME}``) finds the segment it names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Protocol

from actui.segments.errors import SegmentError
from actui.segments.model import Segment


class SegmentResolver(Protocol):
    """Finds segments by name; ``get`` raises :class:`SegmentError` for an unknown name."""

    def get(self, name: str) -> Segment: ...


class DictResolver:
    """Segments held in memory by name (tests, inline campaign segments)."""

    def __init__(self, segments: Mapping[str, Segment] | Iterable[Segment] = ()) -> None:
        self._segments: dict[str, Segment]
        if isinstance(segments, Mapping):
            self._segments = dict(segments)
        else:
            self._segments = {segment.name: segment for segment in segments}

    def get(self, name: str) -> Segment:
        segment = self._segments.get(name)
        if segment is None:
            raise unknown_segment_error(name, list(self._segments))
        return segment


def close_names(name: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``names`` nearest to ``name`` (case-insensitive first, then difflib)."""
    pool = list(names)
    exact = [candidate for candidate in pool if candidate.lower() == name.lower()]
    lowered = {candidate.lower(): candidate for candidate in pool}
    fuzzy = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
    ordered = exact + [lowered[match] for match in fuzzy]
    return list(dict.fromkeys(ordered))[:limit]


def suggestion(name: str, names: Iterable[str]) -> str:
    """`` (did you mean 'a' or 'b'?)`` or an empty string when nothing is close."""
    near = close_names(name, names)
    if not near:
        return ""
    return " (did you mean " + " or ".join(repr(item) for item in near) + "?)"


def unknown_segment_error(name: str, names: Iterable[str]) -> SegmentError:
    """The error for a segment name that is not saved, naming the nearest saved ones."""
    pool = list(names)
    hint = suggestion(name, pool)
    if not hint and pool:
        hint = f"; saved segments: {', '.join(sorted(pool)[:10])}"
    elif not pool:
        hint = "; no segment is saved yet (import one with 'actui segments import FILE')"
    return SegmentError(f"There is no saved segment named {name!r}{hint}.")
