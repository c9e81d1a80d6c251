"""Saved campaigns: save, get, list, delete, and re-import that keeps the id."""

from __future__ import annotations

from typing import Any

import pytest

from actui.campaigns.model import CampaignError, campaign_to_dict
from actui.campaigns.store import (
    delete_campaign,
    get_campaign,
    import_campaign,
    list_campaigns,
)


def campaign_data(name: str = "Spring promo", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "name": name,
        "audience": "Everyone",
        "groups": [
            {"name": "A", "percent": 90, "destination": "AC"},
            {"name": "Holdout", "percent": 10, "control": True},
        ],
    }
    data.update(changes)
    return data


def test_an_imported_campaign_is_listed_shown_and_deleted() -> None:
    saved = import_campaign(campaign_data())
    assert get_campaign("Spring promo") == saved
    assert get_campaign(saved.id) == saved
    (summary,) = list_campaigns()
    assert (summary.name, summary.groups, summary.sub_audiences) == ("Spring promo", 2, 0)
    assert delete_campaign("Spring promo").id == saved.id
    assert list_campaigns() == []
    with pytest.raises(CampaignError, match="no saved campaign named 'Spring promo'"):
        get_campaign("Spring promo")


def test_reimporting_a_file_without_an_id_keeps_the_saved_id() -> None:
    first = import_campaign(campaign_data())
    edited = campaign_data(groups=[{"name": "A", "percent": 100, "destination": "AC"}])
    second = import_campaign(edited)
    assert second.id == first.id
    assert [group.name for group in get_campaign("Spring promo").groups] == ["A"]


def test_an_exported_campaign_imports_back_unchanged() -> None:
    original = import_campaign(campaign_data())
    delete_campaign(original.name)
    again = import_campaign(campaign_to_dict(original))
    assert again == original


def test_two_campaigns_cannot_share_a_name() -> None:
    first = import_campaign(campaign_data())
    clash = campaign_data(id="another-id")
    with pytest.raises(CampaignError, match="Another campaign is already named"):
        import_campaign(clash)
    assert get_campaign("Spring promo").id == first.id


def test_no_replace_refuses_to_overwrite() -> None:
    saved = import_campaign(campaign_data())
    with pytest.raises(CampaignError, match="--replace"):
        import_campaign(campaign_data(id=saved.id), replace=False)


def test_an_unknown_name_suggests_a_close_one() -> None:
    import_campaign(campaign_data())
    with pytest.raises(CampaignError, match="did you mean 'Spring promo'"):
        get_campaign("spring promo")
