"""Snapshots of the segment builder, the first-run screen and F1 help at 120x36 and 80x24."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from actui.tui.app import ActuiApp
from actui.tui.services import Services
from tests.tui.conftest import settle_app

SIZES = [(120, 36), (80, 24)]

EXAMPLE = {
    "version": 1,
    "name": "West coast, high value",
    "match": "all",
    "conditions": [
        {"attribute": "state", "operator": "is one of", "value": ["CA", "OR", "WA"]},
        {"attribute": "lifetime_value", "operator": "at least", "value": 250},
        {
            "match": "any",
            "conditions": [
                {
                    "attribute": "last_order_date",
                    "operator": "in the last",
                    "value": {"amount": 365, "unit": "days"},
                },
                {"attribute": "loyalty_tier", "operator": "is", "value": "gold"},
            ],
        },
    ],
}


async def _settle(pilot: Pilot[Any]) -> None:
    await settle_app(pilot.app, pilot)


def _loading(body: dict[str, Any]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.app.screen.load_body(body)  # type: ignore[attr-defined]
        await _settle(pilot)
        pilot.app.screen.set_focus(None)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_empty_segment_builder(
    snap_compare: Any, services: Services, size: tuple[int, int]
) -> None:
    assert snap_compare(ActuiApp(services), run_before=_settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_segment_with_nested_group(
    snap_compare: Any, services: Services, size: tuple[int, int]
) -> None:
    assert snap_compare(ActuiApp(services), run_before=_loading(EXAMPLE), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_sql_mode(snap_compare: Any, services: Services, size: tuple[int, int]) -> None:
    body = {
        "version": 1,
        "name": "Recent big spenders",
        "sql": "SELECT email\nFROM customer_360\nWHERE lifetime_value > 1000",
    }
    assert snap_compare(ActuiApp(services), run_before=_loading(body), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_welcome(
    snap_compare: Any, make_services: Callable[..., Services], size: tuple[int, int]
) -> None:
    app = ActuiApp(make_services(None))
    assert snap_compare(app, run_before=_settle, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_help(snap_compare: Any, services: Services, size: tuple[int, int]) -> None:
    assert snap_compare(ActuiApp(services), press=["f1"], run_before=_settle, terminal_size=size)
