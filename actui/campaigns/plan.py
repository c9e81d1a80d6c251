"""Turn a campaign into one checked SQL query plus what Python needs to split and map its rows.

The query (see :func:`build_plan`) does the set work in the database: the audience's members,
a flag for those excluded (exclusions always win: a member is excluded when it is in any exclusion
segment, or when its normalized email is the email of any customer in one, whatever record carries
it), a ``CASE`` giving each member's sub-audience (the first whose segment matches; "everyone
else" when none does), and a ``LEFT JOIN`` of the attribute table on the customer key for the
mapped columns, ordered by the normalized email, then the sub-audience, then the customer key, so
the rows of one email arrive one after another and the first of each run wins: the first
sub-audience that holds the email, and within it the lowest customer key. An email is therefore in
one group of the whole campaign.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    case,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from actui.campaigns.assignment import GroupAssigner
from actui.campaigns.emails import STRIP_CHARS
from actui.campaigns.model import (
    FIELD_PREFIX,
    Campaign,
    CampaignError,
    SegmentRef,
    TreatmentGroup,
    problems_of,
)
from actui.segments.compiler import (
    key_is_unique,
    members_query,
    segment_condition,
    segment_table_name,
)
from actui.segments.model import RuleSegment, Segment, parse_segment, segment_to_dict
from actui.segments.resolver import SegmentResolver
from actui.source import Source, SourceError


class GroupKey(NamedTuple):
    """Which group a contact belongs to: sub-audience name (None without sub-audiences), group."""

    sub_audience: str | None
    group: str

    def label(self) -> str:
        return f"{self.sub_audience} / {self.group}" if self.sub_audience else self.group


@dataclass(frozen=True, slots=True)
class SendingGroup:
    """A group that is sent: where its contacts go."""

    sub_audience: str | None
    group: str
    destination: str
    list_name: str

    @property
    def key(self) -> GroupKey:
        return GroupKey(self.sub_audience, self.group)


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """One treatment group as planned: its key, whether it is held out, and its attribute mapping.

    ``columns`` maps each contact attribute (``first_name``, ``tags``, ``field:Title``...) to the
    position of its value in a query row.
    """

    key: GroupKey
    control: bool
    destination: str | None
    list_name: str | None
    columns: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    """A campaign checked against the Customer 360, ready to preview or stream.

    Query rows are ``(customer_key, sub_audience_index, excluded, email_key, email, *attributes)``;
    ``groups[i][j]`` is group ``j`` of sub-audience ``i``.
    """

    campaign: Campaign
    source: Source
    statement: Select[Any]
    groups: tuple[tuple[GroupSpec, ...], ...]
    assigner: GroupAssigner
    field_names: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def sending_groups(self) -> list[SendingGroup]:
        """Every group that is sent, in campaign order."""
        return [
            SendingGroup(spec.key.sub_audience, spec.key.group, spec.destination, spec.list_name)
            for specs in self.groups
            for spec in specs
            if not spec.control and spec.destination and spec.list_name
        ]

    @property
    def group_keys(self) -> list[GroupKey]:
        return [spec.key for specs in self.groups for spec in specs]

    def send_statement(self) -> Select[Any]:
        """The query without excluded or unplaced members (a stream that counts them, as a send's
        does for its accounting, reads :attr:`statement` instead)."""
        columns = self.statement.selected_columns
        return self.statement.where(columns.excluded == 0, columns.sub_audience_index.is_not(None))


#: row positions shared by the plan and the streams (``NOTHING`` is always NULL)
KEY, SUB, EXCLUDED, EMAIL_KEY, EMAIL, NOTHING = range(6)
_FIRST_ATTRIBUTE = 6


def field_names(plan: CampaignPlan) -> list[str]:
    """The custom field titles or perstags the plan fills; the sender resolves them to ids."""
    return list(plan.field_names)


def build_plan(
    campaign: Campaign,
    source: Source,
    resolver: SegmentResolver,
    *,
    destination_defaults: Mapping[str, Mapping[str, str]] | None = None,
) -> CampaignPlan:
    """Check ``campaign`` against the source's catalog and compile its query.

    ``destination_defaults`` maps a destination name to its default attributes; when omitted
    they are read from the saved destinations (a destination that is not saved yet has none, and
    the plan says so in ``warnings``). The campaign's own ``attributes`` win over the defaults.
    """
    problems = problems_of(campaign)
    if problems:
        raise CampaignError(f"Campaign {campaign.name!r} is not valid.", problems)
    warnings: list[str] = []
    defaults = (
        dict(destination_defaults)
        if destination_defaults is not None
        else _saved_defaults(campaign, warnings)
    )
    settings = source.settings
    customer_key = campaign.customer_key or settings.customer_key
    attribute_table = _table(
        source, campaign.attribute_table or settings.attribute_table, "attribute"
    )
    segment_table = _table(source, settings.segment_table, "segment")
    if customer_key not in attribute_table.c:
        raise CampaignError(
            f"The attribute table {attribute_table.name!r} has no customer key column "
            f"{customer_key!r}{_near(customer_key, attribute_table.c.keys())}; set "
            "'customer_key' in the campaign."
        )

    members = _Members(source, resolver, segment_table)
    base, member_key, audience_condition = members.base(campaign.audience)
    excluded_by_key = [
        members.test(ref, f"exclusion {i + 1}") for i, ref in enumerate(campaign.exclusions)
    ]
    sub_audience_index = _sub_audience_case(campaign, members)

    email_column = _email_column(campaign, defaults)
    mappings = _group_mappings(campaign, defaults, email_column)
    wanted = sorted(
        {
            column
            for mapping in mappings.values()
            for attribute, column in mapping.items()
            if attribute != "email"
        }
    )
    resolved = {
        column: _attribute_column(column, attribute_table, segment_table)
        for column in [email_column, *wanted]
    }
    email_expr = resolved[email_column]
    trimmed = _trim(email_expr, source.dialect)
    attribute_positions = {column: _FIRST_ATTRIBUTE + i for i, column in enumerate(wanted)}

    joined = base
    if attribute_table is not base:
        joined = joined.outerjoin(attribute_table, attribute_table.c[customer_key] == member_key)
    if segment_table not in (base, attribute_table) and any(
        _table_of(expr) is segment_table for expr in resolved.values()
    ):
        seg_key = settings.customer_key
        joined = joined.outerjoin(segment_table, segment_table.c[seg_key] == member_key)
    email_key = func.lower(trimmed)
    excluded_emails = _excluded_emails(
        campaign, members, email_expr, customer_key, attribute_table, segment_table
    )
    excluded = or_(
        false(),
        *excluded_by_key,
        *([email_key.in_(excluded_emails)] if excluded_emails is not None else []),
    )
    sub_label = sub_audience_index.label("sub_audience_index")
    email_key_label = email_key.label("email_key")
    statement = (
        select(
            member_key.label("customer_key"),
            sub_label,
            case((excluded, 1), else_=0).label("excluded"),
            email_key_label,
            email_expr.label("email"),
            null().label("no_value"),
            *(resolved[column].label(f"attribute_{i}") for i, column in enumerate(wanted)),
        )
        .select_from(joined)
        .where(audience_condition)
        .order_by(email_key_label, sub_label, member_key)
    )
    groups = tuple(
        tuple(
            GroupSpec(
                key=GroupKey(sub.name or None, group.name),
                control=group.control,
                destination=group.destination,
                list_name=None if group.control else campaign.list_name_for(sub, group),
                columns=tuple(
                    (attribute, attribute_positions[column])
                    for attribute, column in mappings[(sub.name, group.name)].items()
                    if attribute != "email"
                ),
            )
            for group in sub.groups
        )
        for sub in campaign.effective_sub_audiences()
    )
    assigner = GroupAssigner(
        campaign.id,
        [[group.percent for group in sub.groups] for sub in campaign.effective_sub_audiences()],
    )
    names = {
        attribute[len(FIELD_PREFIX) :]
        for mapping in mappings.values()
        for attribute in mapping
        if attribute.startswith(FIELD_PREFIX)
    }
    return CampaignPlan(
        campaign=campaign,
        source=source,
        statement=statement,
        groups=groups,
        assigner=assigner,
        field_names=tuple(sorted(names)),
        warnings=tuple(warnings),
    )


def plan_for_segment(
    segment: Segment | str,
    source: Source,
    resolver: SegmentResolver,
    destination: str,
    list_name: str,
    attributes: Mapping[str, str] | None = None,
    *,
    destination_defaults: Mapping[str, Mapping[str, str]] | None = None,
) -> CampaignPlan:
    """A one-group plan that sends a segment's members to one list ("send query results")."""
    audience: SegmentRef = segment if isinstance(segment, str) else segment_to_dict(segment)
    name = segment if isinstance(segment, str) else segment.name
    campaign = Campaign(
        id=f"segment:{name}"[:64],
        name=name,
        audience=audience,
        groups=[
            TreatmentGroup(name="All", percent=100, destination=destination, list_name=list_name)
        ],
        attributes=dict(attributes or {}),
    )
    return build_plan(campaign, source, resolver, destination_defaults=destination_defaults)


def _saved_defaults(campaign: Campaign, warnings: list[str]) -> dict[str, Mapping[str, str]]:
    from actui.credentials.destinations import get_destination
    from actui.errors import ActuiError

    defaults: dict[str, Mapping[str, str]] = {}
    names = {
        group.destination
        for sub in campaign.effective_sub_audiences()
        for group in sub.groups
        if group.destination and not group.control
    }
    for name in sorted(names):
        try:
            defaults[name] = get_destination(name).default_attributes
        except ActuiError:
            warnings.append(
                f"destination {name!r} is not saved yet: add it with 'actui destinations add' "
                "before sending"
            )
    return defaults


def _table(source: Source, name: str, role: str) -> Table:
    try:
        return source.table(name)
    except SourceError as error:
        raise CampaignError(
            f"{str(error).rstrip('.')}; set '{role}_table' in the campaign or the source settings."
        ) from None


class _Members:
    """Membership tests for a campaign's segments, as cheap as the segments allow.

    When the audience is a rule segment over the segment table with a unique customer key, the
    query reads that table once: the audience, exclusions and sub-audiences over the same table
    become plain conditions on each row. Anything else (SQL segments, other tables) is a
    correlated ``EXISTS`` over the segment's members query.
    """

    def __init__(self, source: Source, resolver: SegmentResolver, segment_table: Table) -> None:
        self.source = source
        self.resolver = resolver
        self.segment_table = segment_table
        self.member_key: ColumnElement[Any] | None = None
        self.row_table: Table | None = None

    def base(self, ref: SegmentRef) -> tuple[FromClause, ColumnElement[Any], ColumnElement[bool]]:
        """The FROM of the campaign query, its customer key column and the audience condition."""
        segment = self.resolve(ref, "audience")
        if self._over_rows(segment):
            table = self.segment_table
            self.row_table = table
            self.member_key = table.c[self.source.settings.customer_key]
            return table, self.member_key, segment_condition(segment, self.source, self.resolver)
        audience = members_query(segment, self.source, self.resolver).subquery("audience")
        self.member_key = audience.c.customer_key
        return audience, self.member_key, true()

    def test(self, ref: SegmentRef, where: str) -> ColumnElement[bool]:
        """True for a campaign row whose customer is a member of the segment ``ref``."""
        assert self.member_key is not None, "call base() first"
        segment = self.resolve(ref, where)
        if self.row_table is not None and self._over_rows(segment):
            return segment_condition(segment, self.source, self.resolver)
        members = members_query(segment, self.source, self.resolver).subquery()
        return exists(
            select(literal(1)).select_from(members).where(members.c.customer_key == self.member_key)
        )

    def resolve(self, ref: SegmentRef, where: str) -> Segment:
        if isinstance(ref, str):
            return self.resolver.get(ref)
        return parse_segment(ref, f"the inline segment of the {where}")

    def _over_rows(self, segment: Segment) -> bool:
        name = self.segment_table.name
        return (
            isinstance(segment, RuleSegment)
            and segment_table_name(segment, self.source) == name
            and key_is_unique(self.segment_table, self.source.settings.customer_key)
        )


def _sub_audience_case(campaign: Campaign, members: _Members) -> ColumnElement[Any]:
    subs = campaign.effective_sub_audiences()
    fallback: ColumnElement[Any] = null()
    whens: list[tuple[ColumnElement[bool], int]] = []
    for index, sub in enumerate(subs):
        if sub.segment is None:
            fallback = literal(index)
        else:
            whens.append((members.test(sub.segment, f"sub-audience {sub.name!r}"), index))
    if not whens:
        return fallback
    return case(*whens, else_=fallback)


def _excluded_emails(
    campaign: Campaign,
    members: _Members,
    email_expr: ColumnElement[Any],
    customer_key: str,
    attribute_table: Table,
    segment_table: Table,
) -> Select[Any] | None:
    """The normalized emails of every customer of the exclusion segments (None: no exclusions).

    Each excluded customer brings the email its segment reads and the email the campaign would
    send to it (the mapped email column, found by customer key), so a record the audience holds
    under another key is excluded all the same. The tables are aliased: nothing here correlates
    with the campaign query.
    """
    dialect = members.source.dialect
    email_table = _table_of(email_expr)
    email_name = getattr(email_expr, "name", None)
    key_name = (
        customer_key if email_table is attribute_table else members.source.settings.customer_key
    )
    parts: list[Select[Any]] = []
    for i, ref in enumerate(campaign.exclusions):
        segment = members.resolve(ref, f"exclusion {i + 1}")
        people = members_query(segment, members.source, members.resolver).subquery()
        own = func.lower(_trim(people.c.email, dialect))
        parts.append(select(own.label("email_key")).where(own != ""))
        if (
            isinstance(email_table, Table)
            and email_name in email_table.c
            and key_name in email_table.c
        ):
            records = email_table.alias(f"excluded_{i + 1}")
            mapped = records.c[email_name]
            parts.append(
                select(func.lower(_trim(mapped, dialect)).label("email_key")).where(
                    func.lower(_trim(mapped, dialect)) != "",
                    records.c[key_name].in_(select(people.c.customer_key)),
                )
            )
    if not parts:
        return None
    return select(union_all(*parts).subquery("excluded_emails").c.email_key)


def _table_of(expr: ColumnElement[Any]) -> object:
    return getattr(expr, "table", None)


def _email_column(campaign: Campaign, defaults: Mapping[str, Mapping[str, str]]) -> str:
    if "email" in campaign.attributes:
        return campaign.attributes["email"]
    choices = {mapping["email"] for mapping in defaults.values() if "email" in mapping}
    if len(choices) > 1:
        raise CampaignError(
            f"The destinations of campaign {campaign.name!r} map email to different columns "
            f'({", ".join(sorted(choices))}); set "email" in the campaign\'s attributes.'
        )
    return choices.pop() if choices else "email"


def _group_mappings(
    campaign: Campaign, defaults: Mapping[str, Mapping[str, str]], email_column: str
) -> dict[tuple[str, str], dict[str, str]]:
    mappings: dict[tuple[str, str], dict[str, str]] = {}
    for sub in campaign.effective_sub_audiences():
        for group in sub.groups:
            base = defaults.get(group.destination or "", {})
            mapping = {**base, **campaign.attributes, "email": email_column}
            mappings[(sub.name, group.name)] = mapping
    return mappings


def _attribute_column(
    column: str, attribute_table: Table, segment_table: Table
) -> ColumnElement[Any]:
    if column in attribute_table.c:
        return attribute_table.c[column]
    if column in segment_table.c:
        return segment_table.c[column]
    known = list(attribute_table.c.keys()) + list(segment_table.c.keys())
    raise CampaignError(
        f"The column {column!r} is in neither {attribute_table.name!r} nor "
        f"{segment_table.name!r}{_near(column, known)}; fix the campaign's attributes."
    )


def _near(name: str, names: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, list(names), n=2)
    return f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""


def _trim(expr: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Strip exactly :data:`STRIP_CHARS` in SQL, as Python does, where the database allows it."""
    if dialect == "sqlite":
        return func.trim(expr, literal(STRIP_CHARS))
    if dialect == "postgresql":
        return func.btrim(expr, literal(STRIP_CHARS))
    return func.trim(expr)


__all__ = [
    "CampaignPlan",
    "GroupKey",
    "GroupSpec",
    "SendingGroup",
    "build_plan",
    "field_names",
    "plan_for_segment",
]
