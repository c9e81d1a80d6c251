"""The campaign file (version 1) as pydantic models, its validation and its JSON import and export.

```json
{"version": 1, "name": "Spring promo", "audience": "West coast, high value",
 "exclusions": ["Opted out of email"],
 "sub_audiences": [
   {"name": "Gold", "segment": "Gold tier", "groups": [
     {"name": "A", "percent": 45, "destination": "ActiveCampaign", "list": "Spring - Gold A"},
     {"name": "B", "percent": 45, "destination": "ActiveCampaign"},
     {"name": "Control", "percent": 10, "control": true}]},
   {"name": "Everyone else",
    "groups": [{"name": "All", "percent": 100, "destination": "ActiveCampaign"}]}],
 "attributes": {"email": "email", "first_name": "given_name", "last_name": "surname"}}
```
"""

from __future__ import annotations

import json
import math
import string
import uuid
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from actui.errors import ActuiError
from actui.jsonfiles import parse_json_text, read_json_file

#: a saved segment's name, or an inline segment object in the segment file format
SegmentRef = str | dict[str, Any]

#: the ActiveCampaign contact attributes a campaign maps (custom fields are ``field:<name>``)
STANDARD_ATTRIBUTES: tuple[str, ...] = ("email", "first_name", "last_name", "phone", "tags")
FIELD_PREFIX = "field:"
TEMPLATE_PLACEHOLDERS = frozenset({"campaign", "sub_audience", "group"})
DEFAULT_LIST_TEMPLATE = "{campaign} - {group}"
DEFAULT_SUB_AUDIENCE_LIST_TEMPLATE = "{campaign} - {sub_audience} - {group}"
_PERCENT_TOLERANCE = 1e-6
#: the namespace of ids derived from campaign names
_ID_NAMESPACE = uuid.UUID("5b0f6c1e-3d1a-4c5e-9a57-6f1e0c2b7d40")


class CampaignError(ActuiError):
    """A campaign that cannot be read, validated or planned; ``problems`` lists every reason."""

    def __init__(self, summary: str, problems: list[str] | None = None) -> None:
        self.summary = summary
        self.problems = list(problems or [])
        super().__init__("\n".join([summary, *(f"  {problem}" for problem in self.problems)]))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TreatmentGroup(_Strict):
    """A share of a sub-audience: sent to a destination list, or held out when ``control``."""

    name: str = Field(min_length=1, max_length=200)
    percent: float = Field(gt=0, le=100)
    control: bool = False
    destination: str | None = None
    list_name: str | None = Field(default=None, alias="list")


class SubAudience(_Strict):
    """Members of the audience that match ``segment`` (or no earlier one, when it has none)."""

    name: str = Field(min_length=1, max_length=200)
    segment: SegmentRef | None = None
    groups: list[TreatmentGroup] = Field(min_length=1)

    @property
    def is_everyone_else(self) -> bool:
        return self.segment is None


class Outcome(_Strict):
    """What a campaign is meant to cause, read from the Customer 360 to measure its results.

    Either a ``table`` (its ``customer_key``, ``date`` and optional ``value`` columns; any left
    out are detected) or a ``sql`` query returning ``customer_key``, ``date`` and ``value``. A
    member converts with an outcome row dated after the send and inside ``window_days``.
    """

    table: str | None = Field(default=None, min_length=1)
    customer_key: str | None = Field(default=None, min_length=1)
    date: str | None = Field(default=None, min_length=1)
    value: str | None = Field(default=None, min_length=1)
    sql: str | None = Field(default=None, min_length=1)
    window_days: int = Field(default=30, ge=1, le=3650)


class Campaign(_Strict):
    """One campaign: audience minus exclusions, split in sub-audiences and treatment groups."""

    version: Literal[1] = 1
    id: str = Field(default="", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    audience: SegmentRef
    exclusions: list[SegmentRef] = Field(default_factory=list)
    sub_audiences: list[SubAudience] = Field(default_factory=list)
    groups: list[TreatmentGroup] = Field(default_factory=list)
    list_template: str | None = None
    attributes: dict[str, str] = Field(default_factory=lambda: {"email": "email"})
    attribute_table: str | None = None
    customer_key: str | None = None
    outcome: Outcome | None = None

    @model_validator(mode="after")
    def _stable_id(self) -> Campaign:
        """A campaign without an ``id`` gets one derived from its name (a UUID 5), so previewing
        the same file twice, or importing it, splits customers the same way."""
        if not self.id.strip():
            self.id = str(uuid.uuid5(_ID_NAMESPACE, self.name))
        return self

    def effective_sub_audiences(self) -> list[SubAudience]:
        """The sub-audiences; top-level ``groups`` become one unnamed "everyone" sub-audience."""
        if self.sub_audiences:
            return list(self.sub_audiences)
        return [SubAudience.model_construct(name="", segment=None, groups=list(self.groups))]

    @property
    def has_sub_audiences(self) -> bool:
        return bool(self.sub_audiences)

    def list_name_for(self, sub_audience: SubAudience, group: TreatmentGroup) -> str:
        """The group's list: its own ``list``, else the campaign's template filled in."""
        if group.list_name:
            return group.list_name
        template = self.list_template or (
            DEFAULT_SUB_AUDIENCE_LIST_TEMPLATE if self.has_sub_audiences else DEFAULT_LIST_TEMPLATE
        )
        return template.format(
            campaign=self.name, sub_audience=sub_audience.name, group=group.name
        ).strip()

    def mapped_attributes(self) -> dict[str, str]:
        """The attribute mapping with ``email`` always present (default column ``email``)."""
        return {"email": "email", **self.attributes}

    def custom_field_names(self) -> list[str]:
        """The titles or perstags of the ActiveCampaign custom fields this campaign fills."""
        return [key[len(FIELD_PREFIX) :] for key in self.attributes if key.startswith(FIELD_PREFIX)]


def problems_of(campaign: Campaign) -> list[str]:
    """Everything wrong with a campaign's shape (the catalog is checked when it is planned)."""
    problems: list[str] = []
    if campaign.sub_audiences and campaign.groups:
        problems.append(
            "use either 'sub_audiences' or top-level 'groups', not both; move the groups into a "
            "sub-audience"
        )
    if not campaign.sub_audiences and not campaign.groups:
        problems.append("add 'groups' (or 'sub_audiences' with groups): a campaign needs a group")
    problems.extend(_sub_audience_problems(campaign))
    problems.extend(_attribute_problems(campaign.attributes))
    if campaign.list_template is not None:
        problems.extend(_template_problems(campaign.list_template))
    if campaign.outcome is not None:
        problems.extend(_outcome_problems(campaign.outcome))
    if not problems:
        problems.extend(_list_problems(campaign))
    return problems


def _sub_audience_problems(campaign: Campaign) -> list[str]:
    problems: list[str] = []
    sub_audiences = campaign.sub_audiences
    names = [sub.name for sub in sub_audiences]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"sub-audience {name!r} appears twice; give each a unique name")
    everyone_else = [sub.name for sub in sub_audiences if sub.is_everyone_else]
    if len(everyone_else) > 1:
        problems.append(
            f"only one sub-audience may leave out 'segment' (everyone else); "
            f"{', '.join(repr(name) for name in everyone_else)} all do"
        )
    elif everyone_else and not sub_audiences[-1].is_everyone_else:
        problems.append(
            f"the everyone-else sub-audience {everyone_else[0]!r} must come last; "
            "move it to the end"
        )
    for sub in campaign.effective_sub_audiences():
        where = f"sub-audience {sub.name!r}" if sub.name else "the campaign"
        problems.extend(_group_problems(where, sub.groups))
    return problems


def _group_problems(where: str, groups: list[TreatmentGroup]) -> list[str]:
    problems: list[str] = []
    total = math.fsum(group.percent for group in groups)
    if groups and abs(total - 100) > _PERCENT_TOLERANCE:
        problems.append(
            f"the groups of {where} add up to {total:g} %, not 100 %; adjust their percentages"
        )
    names = [group.name for group in groups]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"group {name!r} appears twice in {where}; give each a unique name")
    for group in groups:
        hundredths = group.percent * 100
        if abs(hundredths - round(hundredths)) > _PERCENT_TOLERANCE:
            problems.append(
                f"group {group.name!r} in {where} is {group.percent:g} %: use at most two decimals"
            )
        if group.control and (group.destination or group.list_name):
            problems.append(
                f"control group {group.name!r} in {where} is never sent: remove its destination "
                "and list"
            )
        if not group.control and not group.destination:
            problems.append(
                f"group {group.name!r} in {where} needs a 'destination' (or \"control\": true)"
            )
    return problems


def _attribute_problems(attributes: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for attribute, column in attributes.items():
        if attribute.startswith(FIELD_PREFIX):
            if not attribute[len(FIELD_PREFIX) :].strip():
                problems.append("a custom field attribute needs a name: 'field:<title or perstag>'")
        elif attribute not in STANDARD_ATTRIBUTES:
            problems.append(
                f"unknown attribute {attribute!r}; use one of "
                f"{', '.join(STANDARD_ATTRIBUTES)} or 'field:<title or perstag>'"
            )
        if not column.strip():
            problems.append(f"attribute {attribute!r} needs a column name")
    return problems


def _outcome_problems(outcome: Outcome) -> list[str]:
    if outcome.sql is None:
        return []
    named = [name for name in ("table", "customer_key", "date", "value") if getattr(outcome, name)]
    if named:
        return [
            f"outcome: use either 'sql' or {', '.join(repr(name) for name in named)}, not both; "
            "the query returns customer_key, date and value"
        ]
    return []


def _template_problems(template: str) -> list[str]:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError:
        return [f"the list template {template!r} has an unmatched brace"]
    unknown = sorted(fields - TEMPLATE_PLACEHOLDERS)
    if unknown:
        return [
            f"the list template uses {', '.join('{' + name + '}' for name in unknown)}; "
            "use {campaign}, {sub_audience} and {group}"
        ]
    return []


def _list_problems(campaign: Campaign) -> list[str]:
    seen: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for sub in campaign.effective_sub_audiences():
        for group in sub.groups:
            if group.control or not group.destination:
                continue
            target = (group.destination, campaign.list_name_for(sub, group))
            label = f"{sub.name} / {group.name}" if sub.name else group.name
            if target in seen:
                problems.append(
                    f"groups {seen[target]!r} and {label!r} both send to list {target[1]!r} of "
                    f"{target[0]!r}; give each sending group its own list"
                )
            else:
                seen[target] = label
    return problems


def parse_campaign(data: Any, source_name: str = "The campaign") -> Campaign:
    """Build a campaign from decoded JSON, or raise :class:`CampaignError` listing every problem."""
    if not isinstance(data, dict):
        raise CampaignError(f"{source_name} must be a JSON object with a name and an audience.")
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as error:
        problems = [_friendly(item) for item in error.errors()]
        raise CampaignError(f"{source_name} is not a valid campaign file.", problems) from None
    problems = problems_of(campaign)
    problems.extend(_inline_segment_problems(campaign))
    if problems:
        raise CampaignError(f"{source_name} is not a valid campaign.", problems)
    return campaign


def parse_campaign_json(text: str, source_name: str = "The campaign") -> Campaign:
    """Parse campaign JSON text (a file's contents or a saved body)."""
    return parse_campaign(parse_json_text(text, source_name, CampaignError), source_name)


def load_campaign_file(path: str | Path) -> Campaign:
    """Read a campaign JSON file."""
    text, source_name = read_json_file(path, "campaign", CampaignError)
    return parse_campaign_json(text, source_name)


def campaign_to_dict(campaign: Campaign) -> dict[str, Any]:
    """The campaign as the plain JSON object of the file format (``list`` keys, no nulls)."""
    data = campaign.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ("exclusions", "sub_audiences", "groups"):
        if not data.get(key):
            data.pop(key, None)
    for sub in data.get("sub_audiences", []):
        _drop_false_control(sub["groups"])
    _drop_false_control(data.get("groups", []))
    return data


def campaign_to_json(campaign: Campaign) -> str:
    """The campaign as human-editable JSON text (two-space indent)."""
    return json.dumps(campaign_to_dict(campaign), indent=2, ensure_ascii=False) + "\n"


def _drop_false_control(groups: list[dict[str, Any]]) -> None:
    for group in groups:
        if not group.get("control"):
            group.pop("control", None)


def _inline_segment_problems(campaign: Campaign) -> list[str]:
    from actui.segments.errors import SegmentError
    from actui.segments.model import parse_segment

    problems: list[str] = []
    places: list[tuple[str, SegmentRef | None]] = [("audience", campaign.audience)]
    places += [(f"exclusions[{i}]", ref) for i, ref in enumerate(campaign.exclusions)]
    places += [
        (f"sub-audience {sub.name!r} segment", sub.segment) for sub in campaign.sub_audiences
    ]
    for where, ref in places:
        if isinstance(ref, str) and not ref.strip():
            problems.append(f"{where}: name a saved segment or give an inline segment object")
        elif isinstance(ref, dict):
            try:
                parse_segment(ref, f"the inline segment of {where}")
            except SegmentError as error:
                problems.append(str(error).replace("\n", "\n  "))
    return problems


def _friendly(item: Any) -> str:
    location = ".".join(str(part) for part in item.get("loc", ()) if not _is_union_tag(part))
    kind = item.get("type", "")
    where = location or "the campaign"
    if kind == "extra_forbidden":
        return f"{where}: unknown key; remove it or check its spelling"
    if kind == "missing":
        return f"{where} is required"
    if kind == "literal_error" and location == "version":
        return 'this actui reads campaign files of version 1; set "version": 1'
    return f"{where}: {item.get('msg', 'is not valid')}"


def _is_union_tag(part: object) -> bool:
    return part in ("str", "dict[str,any]")
