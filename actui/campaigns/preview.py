"""A campaign's preview: counts per sub-audience and group, and a sample of the exact contacts sent.

The preview streams the whole audience once through the same classification as a send (see
:mod:`actui.campaigns.stream`), so its numbers are what a send would do: a group's ``size`` is
the contacts it would send (or hold out, for a control group) after invalid and duplicate emails
are set aside. Its campaign-wide figures are the terms of :mod:`actui.accounting`:
``customers = contacts + duplicate_email + missing_email + invalid_email + excluded +
not_in_any_sub_audience``, ``contacts`` being ``to_send + held_out``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from actui.accounting import reason_code
from actui.campaigns.contacts import Contact, RejectedContact
from actui.campaigns.emails import EMAIL_RULE
from actui.campaigns.plan import CampaignPlan, GroupKey, GroupSpec
from actui.campaigns.stream import (
    CHUNK_SIZE,
    EXCLUDED_ROW,
    UNPLACED,
    contact_builders,
    stream_rows,
)


class GroupPreview(BaseModel):
    """One treatment group's share of the campaign."""

    model_config = ConfigDict(populate_by_name=True)

    sub_audience: str | None
    group: str
    control: bool
    percent: float
    size: int = 0
    destination: str | None = None
    list_name: str | None = Field(default=None, alias="list")
    excluded: int = 0
    duplicate_email: int = 0
    missing_email: int = 0
    invalid_email: int = 0
    sample: list[dict[str, Any]] = Field(default_factory=list)


class SubAudiencePreview(BaseModel):
    """One sub-audience's totals (its groups' sums)."""

    name: str | None
    size: int = 0
    excluded: int = 0
    duplicate_email: int = 0
    missing_email: int = 0
    invalid_email: int = 0


class CampaignPreview(BaseModel):
    """Campaign-wide counts, then each sub-audience and group."""

    campaign: str
    id: str
    customers: int = 0
    contacts: int = 0
    duplicate_email: int = 0
    missing_email: int = 0
    invalid_email: int = 0
    excluded: int = 0
    not_in_any_sub_audience: int = 0
    to_send: int = 0
    held_out: int = 0
    email_rule: str = EMAIL_RULE
    sub_audiences: list[SubAudiencePreview] = Field(default_factory=list)
    groups: list[GroupPreview] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON object ``actui campaigns preview --json`` prints (``list`` keys)."""
        return self.model_dump(mode="json", by_alias=True)


def contact_row(contact: Contact) -> dict[str, Any]:
    """A contact as a sample row: the fields that would be sent, plus its customer key."""
    row: dict[str, Any] = {"email": contact.email}
    for name in ("first_name", "last_name", "phone"):
        value = getattr(contact, name)
        if value is not None:
            row[name] = value
    if contact.tags:
        row["tags"] = list(contact.tags)
    if contact.fields:
        row["fields"] = dict(contact.fields)
    row["customer_key"] = contact.customer_key
    return row


def preview(plan: CampaignPlan, sample: int = 10, chunk_size: int = CHUNK_SIZE) -> CampaignPreview:
    """Stream the campaign once and count what a send would do; keep ``sample`` rows per group."""
    campaign = plan.campaign
    result = CampaignPreview(campaign=campaign.name, id=campaign.id, warnings=list(plan.warnings))
    by_key: dict[GroupKey, GroupPreview] = {}
    sub_of: dict[GroupKey, SubAudiencePreview] = {}
    for sub, specs in zip(campaign.effective_sub_audiences(), plan.groups, strict=True):
        sub_preview = SubAudiencePreview(name=sub.name or None)
        result.sub_audiences.append(sub_preview)
        for group, spec in zip(sub.groups, specs, strict=True):
            group_preview = GroupPreview(
                sub_audience=spec.key.sub_audience,
                group=spec.key.group,
                control=spec.control,
                percent=group.percent,
                destination=spec.destination,
                list_name=spec.list_name,
            )
            by_key[spec.key] = group_preview
            sub_of[spec.key] = sub_preview
            result.groups.append(group_preview)

    def count(kind: str, spec: GroupSpec | None) -> None:
        setattr(result, kind, getattr(result, kind) + 1)
        if spec is not None:
            for part in (by_key[spec.key], sub_of[spec.key]):
                setattr(part, kind, getattr(part, kind) + 1)

    def other(outcome: int, spec: GroupSpec | None, item: Contact | RejectedContact | None) -> None:
        result.customers += 1
        if outcome == UNPLACED:
            result.not_in_any_sub_audience += 1
        elif outcome == EXCLUDED_ROW:
            count("excluded", spec)
        elif isinstance(item, RejectedContact):
            count(reason_code(item.reason), spec)

    control = {key for key, group in by_key.items() if group.control}
    builders = contact_builders(plan, None, control=True)  # control rows too, to count and sample
    for chunk in stream_rows(plan, plan.statement, chunk_size, builders, other):
        for key, contact in chunk:
            result.customers += 1
            result.contacts += 1
            if key in control:
                result.held_out += 1
            else:
                result.to_send += 1
            _add(by_key[key], sub_of[key], contact, sample)
    return result


def _add(group: GroupPreview, sub: SubAudiencePreview, contact: Contact, sample: int) -> None:
    group.size += 1
    sub.size += 1
    if len(group.sample) < sample:
        group.sample.append(contact_row(contact))
