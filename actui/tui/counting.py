"""The segment builder's count: audience size, then condition sizes, breakdown and sample rows.

Runs in a worker thread; yields one message per finished step so the size shows first, and stops
quietly when ``is_cancelled`` says a newer edit replaced this count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from textual.message import Message

from actui.errors import ActuiError
from actui.tui.messages import AudienceCounted, CountFailed, InsightsLoaded

if TYPE_CHECKING:
    from actui.tui.services import Services

SAMPLE_ROWS = 20


@contextmanager
def tagged_count(services: Services, tag: object) -> Iterator[None]:
    """Run the block's SQL under ``tag`` so :func:`stop_count` can interrupt it."""
    from actui.tui.query_interrupt import interrupter_for

    source = services.source
    with interrupter_for(source.engine).tagged(tag) if source is not None else nullcontext():
        yield


def stop_count(services: Services, tag: object) -> None:
    """Interrupt the SQL a replaced count is still running (its worker is already cancelled)."""
    if services.source is None:
        return
    from actui.tui.query_interrupt import interrupter_for

    interrupter_for(services.source.engine).interrupt(tag)


def run_count(
    services: Services,
    generation: int,
    body: dict[str, Any],
    breakdown_attribute: str | None,
    is_cancelled: Callable[[], bool],
) -> Iterator[Message]:
    """Count the segment ``body``; yield AudienceCounted, InsightsLoaded or CountFailed."""
    from actui.segments import insights
    from actui.segments.errors import SegmentError
    from actui.segments.model import RuleSegment, parse_segment

    source = services.require_source()
    try:
        segment = parse_segment(body)
        resolver = services.segment_resolver()
        size = insights.audience_size(segment, source, resolver, is_cancelled=is_cancelled)
        sizes: list[int | None] = []
        if isinstance(segment, RuleSegment) and len(segment.conditions) > 1:
            sizes = [
                item.customers
                for item in insights.condition_sizes(
                    segment, source, resolver, is_cancelled=is_cancelled
                )
            ]
        elif isinstance(segment, RuleSegment) and segment.conditions:
            sizes = [size.customers]
    except insights.Cancelled:
        return
    except SegmentError as error:
        problems = [(problem.path, problem.message) for problem in error.problems]
        yield CountFailed(generation, error.summary, problems)
        return
    except ActuiError as error:
        yield CountFailed(generation, str(error))
        return
    except Exception as error:  # a driver error the source did not translate
        yield CountFailed(generation, f"The count failed: {_first_line(error)}")
        return
    yield AudienceCounted(
        generation,
        size.customers,
        size.contacts,
        size.duplicate_email,
        size.missing_email,
        size.invalid_email,
        size.total,
        sizes,
    )
    if is_cancelled():
        return
    yield _insights(services, generation, segment, breakdown_attribute)


def _insights(
    services: Services, generation: int, segment: Any, breakdown_attribute: str | None
) -> Message:
    from actui.segments import insights

    source = services.require_source()
    resolver = services.segment_resolver()
    rows: list[tuple[str, int]] = []
    try:
        if breakdown_attribute:
            result = insights.breakdown(segment, source, resolver, breakdown_attribute)
            rows = [(row.label, row.customers) for row in result.rows]
            if result.other:
                rows.append(("other", result.other))
        sample = insights.sample_rows(segment, source, resolver, SAMPLE_ROWS)
    except ActuiError as error:
        return CountFailed(generation, str(error))
    except Exception as error:
        return CountFailed(generation, f"The insights failed: {_first_line(error)}")
    return InsightsLoaded(generation, breakdown_attribute, rows, sample.columns, sample.rows)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
