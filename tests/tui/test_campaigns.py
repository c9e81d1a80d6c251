"""Pilot tests of the campaign editor: a campaign with a control group, validated, saved, sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable, Input, Select, SelectionList, Static

from actui.campaigns.store import get_campaign, list_campaigns
from actui.credentials import add_credential, make_destination, save_destination
from actui.segments.model import parse_segment
from actui.segments.store import save_segment
from actui.tui.screens.campaigns import CampaignsScreen
from actui.tui.services import Services
from actui.tui.widgets.campaign_groups import CampaignGroups, GroupRow

HIGH_VALUE = {
    "version": 1,
    "name": "High value",
    "conditions": [{"attribute": "lifetime_value", "operator": "greater than", "value": 500}],
}
OPTED_OUT = {
    "version": 1,
    "name": "Opted out",
    "conditions": [{"attribute": "email_opt_in", "operator": "is false"}],
}


class CampaignsApp(App[None]):
    """Only the campaign editor."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        self.push_screen(CampaignsScreen(self.services))


@pytest.fixture
def saved_setup(sandbox_server: Any) -> None:
    """Two saved segments and a destination on the sandbox."""
    save_segment(parse_segment(HIGH_VALUE))
    save_segment(parse_segment(OPTED_OUT))
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    save_destination(make_destination(name="Sandbox", credential="sandbox", list="Unused"))


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def problem_text(app: App[None]) -> str:
    return str(app.screen.query_one("#campaign-problem", Static).render())


async def build_spring_campaign(pilot: Any) -> None:
    """By keys: name, audience, one exclusion, groups 90/10 with a control group."""
    app = pilot.app
    app.screen.query_one("#campaign-name", Input).focus()
    await pilot.press(*"Spring promo", "tab")  # -> audience select
    await pilot.press("enter", "down", "enter")  # first saved segment: High value
    await pilot.press("tab")  # -> exclusions
    await pilot.press("down", "down", "space")  # second entry: Opted out
    await settle(pilot)


async def test_new_campaign_with_control_group_is_saved_and_previewed(
    saved_setup: None, make_services: Callable[..., Services]
) -> None:
    app = CampaignsApp(make_services())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # a new campaign starts with a treatment group and a 10 % control group
        groups = app.screen.query_one(CampaignGroups).groups()
        assert [(g.name, g.percent, g.control) for g in groups] == [
            ("Treatment", 90, False),
            ("Control", 10, True),
        ]
        assert groups[0].destination == "Sandbox"
        await build_spring_campaign(pilot)
        assert app.screen.query_one("#campaign-audience", Select).value == "High value"
        assert app.screen.query_one(SelectionList).selected == ["Opted out"]

        # percentages are checked live
        app.screen.query_one("#tab-groups").focus()
        percent = app.screen.query_one(GroupRow).query_one(".group-percent", Input)
        percent.value = "80"
        await pilot.pause()
        assert "add up to 90" in str(app.screen.query_one("#group-total", Static).render())
        assert "add up to 90" in problem_text(app)
        percent.value = "90"
        await pilot.pause()
        assert problem_text(app) == ""

        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = get_campaign("Spring promo")
        assert saved.audience == "High value"
        assert saved.exclusions == ["Opted out"]
        assert [(g.name, g.percent, g.control, g.destination) for g in saved.groups] == [
            ("Treatment", 90, False, "Sandbox"),
            ("Control", 10, True, None),
        ]
        assert saved.attributes == {"email": "email"}

        await pilot.press("f8")
        await settle(pilot)
        table: DataTable[str] = app.screen.query_one("#campaign-preview DataTable", DataTable)
        totals = str(app.screen.query_one("#preview-totals", Static).render())
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert rows, totals
        assert [row[0] for row in rows] == ["Treatment", "Control"]
        assert str(rows[1][2]) == "held out (control group)"
        sizes = [int(str(row[1]).replace(",", "")) for row in rows]
        assert sum(sizes) > 0
        assert 0.8 < sizes[0] / sum(sizes) < 0.97  # about 90 % in treatment


async def test_reopening_a_saved_campaign_shows_its_groups_and_mapping(
    saved_setup: None, make_services: Callable[..., Services]
) -> None:
    from actui.campaigns.model import parse_campaign
    from actui.campaigns.store import save_campaign

    save_campaign(
        parse_campaign(
            {
                "name": "Tiers",
                "audience": "High value",
                "sub_audiences": [
                    {
                        "name": "Everyone else",
                        "groups": [
                            {"name": "A", "percent": 50, "destination": "Sandbox"},
                            {"name": "Hold", "percent": 50, "control": True},
                        ],
                    }
                ],
                "attributes": {"email": "email", "first_name": "given_name"},
            }
        )
    )
    app = CampaignsApp(make_services())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [s.name for s in list_campaigns()] == ["Tiers"]
        app.screen.query_one("#campaign-list").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#campaign-name", Input).value == "Tiers"
        groups = app.screen.query_one(CampaignGroups).groups()
        assert [(g.name, g.percent, g.control) for g in groups] == [
            ("A", 50, False),
            ("Hold", 50, True),
        ]
        assert app.screen.query_one("#sub-name", Input).value == "Everyone else"
        mapping = app.screen.query_one("CampaignMapping")
        assert mapping.attributes() == {"email": "email", "first_name": "given_name"}  # type: ignore[attr-defined]


def sandbox_members(sandbox_server: Any, list_name: str) -> set[str]:
    """Emails subscribed to ``list_name`` in the sandbox."""
    state = sandbox_server.sandbox.dump()
    list_ids = [item["id"] for item in state["lists"] if item["name"] == list_name]
    assert len(list_ids) == 1, [item["name"] for item in state["lists"]]
    emails = {contact["id"]: contact["email"] for contact in state["contacts"]}
    return {
        emails[m["contact_id"]]
        for m in state["memberships"]
        if m["list_id"] == list_ids[0] and m["status"] == 1
    }


def expected_members(services: Services, group: str) -> set[str]:
    """What the campaign engine says the group holds (control groups are never emitted)."""
    from actui.campaigns.plan import build_plan
    from actui.campaigns.stream import iter_contacts

    plan = build_plan(
        get_campaign("Spring promo"), services.require_source(), services.segment_resolver()
    )
    return {contact.email for chunk in iter_contacts(plan, group=group) for _, contact in chunk}


async def test_campaign_sent_with_one_key_lands_exactly_the_treatment_group(
    saved_setup: None, sandbox_server: Any, make_services: Callable[..., Services]
) -> None:
    from actui.tui.screens.send import SendScreen
    from actui.tui.widgets.run_tracker import RunState, run_tracker

    services = make_services()
    app = CampaignsApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await build_spring_campaign(pilot)
        await pilot.press("f9")  # save, then open the send confirmation with its dry run
        await settle(pilot)
        assert isinstance(app.screen, SendScreen)
        expected = expected_members(services, "Treatment")
        assert expected
        estimate = app.screen.estimate
        assert estimate is not None
        assert estimate.counts.subscribe == len(expected)
        assert estimate.counts.unsubscribe == 0
        await pilot.press("ctrl+s")  # confirm
        run = run_tracker(app).latest()
        assert run is not None
        for _ in range(600):
            if run.state.is_over:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert run.state in (RunState.FINISHED, RunState.PARTIAL), run.log
        assert run.run_id is not None
        assert sandbox_members(sandbox_server, "Spring promo - Treatment") == expected
        assert not any("Control" in item["name"] for item in sandbox_server.sandbox.dump()["lists"])


async def test_results_tab_shows_each_group_and_the_lift_of_the_sample_send(
    demo_sqlite_url: str, make_services: Callable[..., Services]
) -> None:
    from actui.demo.sample_send import save_sample_campaign
    from actui.results import campaign_results
    from actui.state import state_engine

    save_sample_campaign(demo_sqlite_url)
    services = make_services()
    expected = campaign_results(
        get_campaign("Autumn offer"), services.require_source(), state_engine()
    )
    app = CampaignsApp(services)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#campaign-name", Input).value == "Autumn offer"
        await pilot.press("ctrl+r")  # opens the Results tab and measures, off the UI thread
        await settle(pilot)
        assert app.screen.query_one("#campaign-tabs").active == "tab-results"  # type: ignore[attr-defined]
        bars = str(app.screen.query_one("#results-groups", Static).render())
        for group in expected.groups:
            assert f"{group.converters:,} of {group.members:,}" in bars
        assert "(held out)" in bars and "█" in bars
        lift = str(app.screen.query_one("#results-lift", Static).render())
        low, high = expected.lift[0].ci95
        assert low is not None and high is not None
        assert "Offer vs Control" in lift and f"[{low * 100:+.2f}, {high * 100:+.2f}]" in lift
        sentence = str(app.screen.query_one("#results-sentence", Static).render())
        assert sentence == expected.significance_sentence()
        head = str(app.screen.query_one("#results-head", Static).render())
        assert "30-day window 2026-10-01 to 2026-10-31 (closed)" in head
