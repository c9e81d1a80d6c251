"""The segment builder by keys alone: conditions, groups, SQL mode, live counts, saved segments."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Digits, Select, Static, TextArea

from actui.segments.insights import audience_size
from actui.segments.model import parse_segment
from actui.segments.store import get_segment, list_segments, save_segment
from actui.tui.app import ActuiApp
from actui.tui.services import Services
from actui.tui.widgets.condition_row import ConditionRow
from tests.tui.conftest import settle_app


def engine_count(services: Services, body: dict[str, Any]) -> int:
    segment = parse_segment({"version": 1, "name": "expected", **body})
    return audience_size(segment, services.require_source(), services.segment_resolver()).customers


async def settle(app: ActuiApp, pilot: Pilot[None]) -> None:
    """Let debounced counts start and every worker finish."""
    await settle_app(app, pilot)


def shown_count(app: ActuiApp) -> int:
    return int(app.screen.query_one("#audience-size", Digits).value.replace(",", ""))


async def add_condition(app: ActuiApp, pilot: Pilot[None], search: str) -> ConditionRow:
    before = len(app.screen.query(ConditionRow))
    await pilot.press("ctrl+n")
    await pilot.press(*search, "enter")
    await settle(app, pilot)
    rows = list(app.screen.query(ConditionRow))
    assert len(rows) == before + 1
    return rows[-1]


async def test_three_conditions_by_keys_match_the_engine(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        total = shown_count(app)
        assert total == engine_count(services, {"conditions": []})

        tier = await add_condition(app, pilot, "loyalty")
        assert tier.attribute.column == "loyalty_tier"
        await pilot.press("tab", "enter", "down", "enter")  # value drop-down: first value
        await settle(app, pilot)
        value = app.screen.query_one("#choice", Select).value
        assert isinstance(value, str) and value

        await add_condition(app, pilot, "lifetime")
        await pilot.press("tab", *"100")
        await add_condition(app, pilot, "email opt")
        await settle(app, pilot)

        expected_body = {
            "conditions": [
                {"attribute": "loyalty_tier", "operator": "is", "value": value},
                {"attribute": "lifetime_value", "operator": "at least", "value": 100},
                {"attribute": "email_opt_in", "operator": "is true"},
            ]
        }
        expected = engine_count(services, expected_body)
        assert 0 < expected < total
        assert shown_count(app) == expected
        sizes = str(app.screen.query_one("#condition-sizes", Static).render())
        alone = engine_count(services, {"conditions": expected_body["conditions"][2:]})
        assert f"{alone:,}" in sizes


async def test_save_then_reload_from_the_open_dialog(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await add_condition(app, pilot, "order_count")
        await pilot.press("tab", *"3")
        await settle(app, pilot)
        name_input = app.screen.query_one("#segment-name")
        name_input.value = "Frequent buyers"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        saved = get_segment("Frequent buyers").segment
        body = saved.model_dump(mode="json", exclude_none=True)
        assert body["conditions"] == [
            {"attribute": "order_count", "operator": "at least", "value": 3}
        ]
        count = shown_count(app)

        await pilot.press("ctrl+l")  # clear
        await settle(app, pilot)
        assert not app.screen.query(ConditionRow)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        rows = list(app.screen.query(ConditionRow))
        assert [row.to_node() for row in rows] == body["conditions"]
        assert shown_count(app) == count


async def test_duplicate_and_delete_saved_segments(services: Services) -> None:
    save_segment(
        parse_segment(
            {
                "version": 1,
                "name": "Golds",
                "conditions": [{"attribute": "loyalty_tier", "operator": "is", "value": "gold"}],
            }
        )
    )
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert sorted(s.name for s in list_segments()) == ["Golds", "Golds copy"]
        assert app.screen.query_one("#segment-name").value == "Golds copy"  # type: ignore[attr-defined]
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        await pilot.press("x", "y")  # delete, then confirm
        await settle(app, pilot)
        assert [s.name for s in list_segments()] == ["Golds copy"]


async def test_nested_group_counts_like_the_engine(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await add_condition(app, pilot, "email opt")
        await pilot.press("ctrl+g")  # a group (match any), focused on its match drop-down
        await settle(app, pilot)
        await add_condition(app, pilot, "order_count")
        await pilot.press("tab", *"10")
        await add_condition(app, pilot, "churn")
        await pilot.press("tab", *"0.9")
        await settle(app, pilot)
        body = app.screen.segment_body()  # type: ignore[attr-defined]
        assert body["conditions"][1]["match"] == "any"
        assert [node["attribute"] for node in body["conditions"][1]["conditions"]] == [
            "order_count",
            "churn_propensity",
        ]
        assert shown_count(app) == engine_count(services, {"conditions": body["conditions"]})

        await pilot.press("ctrl+r")  # removes the focused condition (churn)
        await settle(app, pilot)
        body = app.screen.segment_body()  # type: ignore[attr-defined]
        assert len(body["conditions"][1]["conditions"]) == 1
        assert shown_count(app) == engine_count(services, {"conditions": body["conditions"]})


async def test_sql_mode_counts_and_explains_errors(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+t")
        sql = "SELECT email FROM customer_360 WHERE order_count > 5"
        editor = app.screen.query_one("#sql", TextArea)
        assert editor.has_focus
        editor.insert(sql)  # pasted, as an analyst would
        await settle(app, pilot)
        assert shown_count(app) == engine_count(services, {"sql": sql})
        await pilot.press("end")
        editor.insert(" AND nope=1")
        await settle(app, pilot)
        problem = str(app.screen.query_one("#count-problem", Static).render())
        assert "nope" in problem


async def test_an_edit_during_a_count_shows_only_the_newest(services: Services) -> None:
    app = ActuiApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await add_condition(app, pilot, "order_count")
        await pilot.press("tab", *"1", *"2", *"3")  # three edits inside the debounce
        await settle(app, pilot)
        body = {"conditions": [{"attribute": "order_count", "operator": "at least", "value": 123}]}
        assert shown_count(app) == engine_count(services, body)
