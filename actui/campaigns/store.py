"""Saved campaigns in the state database: save, get, list, delete, and import keeping the id."""

from __future__ import annotations

import json
import time
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Column, Float, String, Table, Text, delete, select

from actui.campaigns.model import (
    Campaign,
    CampaignError,
    campaign_to_json,
    parse_campaign,
    parse_campaign_json,
)
from actui.segments.resolver import suggestion
from actui.state import ensure_tables, metadata, state_engine

#: one row per campaign; ``body`` is the campaign file's JSON (its id included)
campaign_table = Table(
    "campaigns",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)


class CampaignSummary(BaseModel):
    """One line of ``actui campaigns list``."""

    id: str
    name: str
    sub_audiences: int
    groups: int
    updated_at: float


def save_campaign(campaign: Campaign, *, replace: bool = True) -> Campaign:
    """Save ``campaign`` under its id; a campaign with the same id is replaced when ``replace``.

    Another campaign holding the same name is an error: names pick campaigns on the command line.
    """
    engine = state_engine()
    ensure_tables(engine)
    now = time.time()
    with engine.begin() as connection:
        clash = connection.execute(
            select(campaign_table.c.id).where(
                campaign_table.c.name == campaign.name, campaign_table.c.id != campaign.id
            )
        ).first()
        if clash is not None:
            raise CampaignError(
                f"Another campaign is already named {campaign.name!r}: rename this one or delete "
                f"the other with 'actui campaigns delete {campaign.name!r}'."
            )
        exists = connection.execute(
            select(campaign_table.c.id).where(campaign_table.c.id == campaign.id)
        ).first()
        body = campaign_to_json(campaign)
        if exists is None:
            connection.execute(
                campaign_table.insert().values(
                    id=campaign.id, name=campaign.name, body=body, created_at=now, updated_at=now
                )
            )
        elif replace:
            connection.execute(
                campaign_table.update()
                .where(campaign_table.c.id == campaign.id)
                .values(name=campaign.name, body=body, updated_at=now)
            )
        else:
            raise CampaignError(
                f"Campaign {campaign.name!r} is already saved: pass --replace to overwrite it."
            )
    return campaign


def import_campaign(
    data: Any, source_name: str = "The campaign", *, replace: bool = True
) -> Campaign:
    """Validate and save a decoded campaign file.

    A file without an ``id`` that names a saved campaign keeps that campaign's id, so re-importing
    an edited file never reshuffles its members between groups.
    """
    if isinstance(data, dict) and "id" not in data and isinstance(data.get("name"), str):
        saved = _find(data["name"])
        if saved is not None:
            data = {**data, "id": saved.id}
    return save_campaign(parse_campaign(data, source_name), replace=replace)


def get_campaign(name_or_id: str) -> Campaign:
    """The saved campaign with this name (or id); an unknown one is an error naming close names."""
    campaign = _find(name_or_id)
    if campaign is None:
        names = [summary.name for summary in list_campaigns()]
        hint = suggestion(name_or_id, names)
        if not hint:
            hint = (
                f"; saved campaigns: {', '.join(sorted(names)[:10])}"
                if names
                else "; no campaign is saved yet (import one with 'actui campaigns import FILE')"
            )
        raise CampaignError(f"There is no saved campaign named {name_or_id!r}{hint}.")
    return campaign


def list_campaigns() -> list[CampaignSummary]:
    """Every saved campaign, by name."""
    engine = state_engine()
    ensure_tables(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                campaign_table.c.id, campaign_table.c.body, campaign_table.c.updated_at
            ).order_by(campaign_table.c.name)
        ).all()
    summaries = []
    for campaign_id, body, updated_at in rows:
        data = json.loads(body)
        subs = data.get("sub_audiences") or [{"groups": data.get("groups", [])}]
        summaries.append(
            CampaignSummary(
                id=campaign_id,
                name=data["name"],
                sub_audiences=len(data.get("sub_audiences", [])),
                groups=sum(len(sub["groups"]) for sub in subs),
                updated_at=updated_at,
            )
        )
    return summaries


def delete_campaign(name_or_id: str) -> Campaign:
    """Delete a saved campaign and return what was deleted."""
    campaign = get_campaign(name_or_id)
    engine = state_engine()
    with engine.begin() as connection:
        connection.execute(delete(campaign_table).where(campaign_table.c.id == campaign.id))
    return campaign


def _find(name_or_id: str) -> Campaign | None:
    engine = state_engine()
    ensure_tables(engine)
    with engine.connect() as connection:
        row = connection.execute(
            select(campaign_table.c.body).where(campaign_table.c.name == name_or_id)
        ).first()
        if row is None:
            row = connection.execute(
                select(campaign_table.c.body).where(campaign_table.c.id == name_or_id)
            ).first()
    if row is None:
        return None
    return parse_campaign_json(row[0], f"The saved campaign {name_or_id!r}")
