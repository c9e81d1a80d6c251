"""The campaign file: the issue's example loads, mistakes are named, JSON round-trips."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from actui.campaigns.model import (
    CampaignError,
    campaign_to_json,
    parse_campaign,
    parse_campaign_json,
)

EXAMPLE: dict[str, Any] = {
    "version": 1,
    "name": "Spring promo",
    "audience": "West coast, high value",
    "exclusions": ["Opted out of email"],
    "sub_audiences": [
        {
            "name": "Gold",
            "segment": "Gold tier",
            "groups": [
                {
                    "name": "A",
                    "percent": 45,
                    "destination": "ActiveCampaign",
                    "list": "Spring - Gold A",
                },
                {"name": "B", "percent": 45, "destination": "ActiveCampaign"},
                {"name": "Control", "percent": 10, "control": True},
            ],
        },
        {
            "name": "Everyone else",
            "groups": [{"name": "All", "percent": 100, "destination": "ActiveCampaign"}],
        },
    ],
    "attributes": {"email": "email", "first_name": "given_name", "last_name": "surname"},
}


def example(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return data


def problems(data: dict[str, Any]) -> str:
    with pytest.raises(CampaignError) as raised:
        parse_campaign(data)
    return str(raised.value)


def test_the_issue_example_loads_with_list_names_from_the_template() -> None:
    campaign = parse_campaign(example())
    gold, rest = campaign.sub_audiences
    assert [group.name for group in gold.groups] == ["A", "B", "Control"]
    assert campaign.list_name_for(gold, gold.groups[0]) == "Spring - Gold A"
    assert campaign.list_name_for(gold, gold.groups[1]) == "Spring promo - Gold - B"
    assert campaign.list_name_for(rest, rest.groups[0]) == "Spring promo - Everyone else - All"
    assert rest.is_everyone_else
    assert campaign.id  # generated when created


def test_top_level_groups_use_the_campaign_group_template() -> None:
    data = example(groups=[{"name": "All", "percent": 100, "destination": "AC"}])
    del data["sub_audiences"]
    campaign = parse_campaign(data)
    (sub,) = campaign.effective_sub_audiences()
    assert campaign.list_name_for(sub, sub.groups[0]) == "Spring promo - All"


def test_a_custom_list_template_is_filled_in() -> None:
    campaign = parse_campaign(example(list_template="{group} of {campaign} ({sub_audience})"))
    gold = campaign.sub_audiences[0]
    assert campaign.list_name_for(gold, gold.groups[1]) == "B of Spring promo (Gold)"
    assert "{channel}" in problems(example(list_template="{campaign} {channel}"))


def test_percentages_must_add_up_to_100_naming_the_sub_audience_and_sum() -> None:
    data = example()
    data["sub_audiences"][0]["groups"][1]["percent"] = 40
    message = problems(data)
    assert "'Gold'" in message and "95 %" in message


def test_each_mistake_is_named() -> None:
    data = example()
    gold = data["sub_audiences"][0]["groups"]
    gold[1]["name"] = "A"
    gold[2]["destination"] = "ActiveCampaign"
    data["sub_audiences"][1]["groups"][0].pop("destination")
    message = problems(data)
    assert "group 'A' appears twice" in message
    assert "control group 'Control'" in message
    assert "group 'All' in sub-audience 'Everyone else' needs a 'destination'" in message


def test_only_one_everyone_else_and_it_comes_last() -> None:
    data = example()
    data["sub_audiences"].append(copy.deepcopy(data["sub_audiences"][1]) | {"name": "Rest"})
    assert "only one sub-audience may leave out 'segment'" in problems(data)
    data = example()
    data["sub_audiences"].reverse()
    assert "must come last" in problems(data)


def test_attributes_are_checked_and_email_defaults_to_the_email_column() -> None:
    assert "unknown attribute 'fax'" in problems(example(attributes={"fax": "phone"}))
    assert "'field:<title or perstag>'" in problems(example(attributes={"field:": "city"}))
    campaign = parse_campaign(example(attributes={"field:LOYALTY": "loyalty_tier", "tags": "x"}))
    assert campaign.mapped_attributes()["email"] == "email"
    assert campaign.custom_field_names() == ["LOYALTY"]


def test_two_groups_may_not_send_to_the_same_list() -> None:
    data = example()
    data["sub_audiences"][0]["groups"][1]["list"] = "Spring - Gold A"
    assert "both send to list 'Spring - Gold A'" in problems(data)


def test_groups_and_sub_audiences_together_or_neither_are_refused() -> None:
    both = example(groups=[{"name": "X", "percent": 100, "destination": "AC"}])
    assert "either 'sub_audiences' or top-level 'groups'" in problems(both)
    neither = example()
    del neither["sub_audiences"]
    assert "a campaign needs a group" in problems(neither)


def test_inline_segments_are_validated_where_they_stand() -> None:
    inline = {
        "name": "West",
        "conditions": [{"attribute": "state", "operator": "is", "value": "CA"}],
    }
    assert parse_campaign(example(audience=inline)).audience == inline
    assert "audience" in problems(example(audience={"name": "Bad", "conditions": 3}))


def test_unknown_keys_and_versions_are_refused() -> None:
    assert "unknown key" in problems(example(colour="red"))
    assert "version 1" in problems(example(version=2))
    with pytest.raises(CampaignError, match="not valid JSON"):
        parse_campaign_json("{")


def test_json_export_round_trips_with_the_id_and_list_keys() -> None:
    campaign = parse_campaign(example())
    text = campaign_to_json(campaign)
    data = json.loads(text)
    assert data["id"] == campaign.id
    assert data["sub_audiences"][0]["groups"][0]["list"] == "Spring - Gold A"
    assert "control" not in data["sub_audiences"][0]["groups"][0]
    assert parse_campaign_json(text) == campaign


def test_a_file_without_an_id_gets_the_same_id_every_time() -> None:
    first, second = parse_campaign(example()), parse_campaign(example())
    assert first.id == second.id
    assert parse_campaign(example(name="Summer promo")).id != first.id
    assert parse_campaign(example(id="kept-as-is")).id == "kept-as-is"
