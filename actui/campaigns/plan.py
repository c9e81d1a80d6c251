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
    cast,
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
from sqlalchemy.dialects import mysql

from actui.campaigns.assignment import GroupAssigner
from actui.campaigns.model import (
    FIELD_PREFIX,
    Campaign,
    CampaignError,
    SegmentRef,
    TreatmentGroup,
    problems_of,
)
from actui.segments.compiler import (
    key_expression,
    members_query,
    members_with_key,
    segment_condition,
    segment_table_name,
)
from actui.segments.email_sql import normalized_email_sql, trimmed_email_sql
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
    #: the customer key column the campaign resolved (the attribute table's join key)
    customer_key: str = ""

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
    attribute_name = campaign.attribute_table or _setting(source, "attribute_table")
    attribute_table = _table(source, attribute_name, "attribute")
    segment_name = _setting(source, "segment_table")
    segment_table = _table(source, segment_name, "segment")
    if campaign.customer_key and campaign.customer_key not in attribute_table.c:
        raise CampaignError(
            f"The attribute table {attribute_name!r} has no customer key column "
            f"{campaign.customer_key!r}{_near(campaign.customer_key, attribute_table.c.keys())}; "
            "set 'customer_key' in the campaign."
        )

    members = _Members(source, resolver, segment_table, segment_name)
    base, member_key, audience_condition = members.base(campaign.audience)
    excluded_by_key = [
        members.test(ref, f"exclusion {i + 1}") for i, ref in enumerate(campaign.exclusions)
    ]
    sub_audience_index = _sub_audience_case(campaign, members)

    email_column = _email_column(campaign, defaults)
    if email_column is None or (
        email_column == DEFAULT_EMAIL_COLUMN
        and email_column not in attribute_table.c
        and email_column not in segment_table.c
    ):  # "email to email" is the default mapping: the email column wherever it is found
        email_column = _default_email_column(source, attribute_name, segment_name)
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
        attribute_join = _join_key(
            source, attribute_table, attribute_name, campaign.customer_key, members
        )
        joined = joined.outerjoin(attribute_table, attribute_join == member_key)
    if segment_table not in (base, attribute_table) and any(
        _table_of(expr) is segment_table for expr in resolved.values()
    ):
        segment_key = _join_key(source, segment_table, segment_name, None, members)
        joined = joined.outerjoin(segment_table, segment_key == member_key)
    email_key = func.lower(trimmed)
    attribute_key = campaign.customer_key or (
        members.key_name
        if members.key_name is not None and members.key_name in attribute_table.c
        else source.customer_key(attribute_name)
    )
    excluded_emails = _excluded_emails(
        campaign,
        members,
        email_expr,
        {attribute_table: attribute_key, segment_table: source.customer_key(segment_name)},
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
        .order_by(_byte_order(email_key_label, email_key, source.dialect), sub_label, member_key)
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
        customer_key=campaign.customer_key or members.key_name or "",
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
            f"{str(error).rstrip('.')}; set '{role}_table' in the campaign, or save it with "
            f"'actui source set --{role}-table TABLE'."
        ) from None


class _Members:
    """Membership tests for a campaign's segments, as cheap as the segments allow.

    When the audience is a rule segment over the segment table with a unique customer key, the
    query reads that table once: the audience, exclusions and sub-audiences over the same table
    become plain conditions on each row. Anything else (SQL segments, other tables) is a
    correlated ``EXISTS`` over the segment's members query.
    """

    def __init__(
        self, source: Source, resolver: SegmentResolver, segment_table: Table, segment_name: str
    ) -> None:
        self.source = source
        self.resolver = resolver
        self.segment_table = segment_table
        self.segment_name = segment_name
        self.member_key: ColumnElement[Any] | None = None
        self.row_table: Table | None = None
        self.key_name: str | None = None  # the key column members are named by (None: email)

    def base(self, ref: SegmentRef) -> tuple[FromClause, ColumnElement[Any], ColumnElement[bool]]:
        """The FROM of the campaign query, its customer key column and the audience condition."""
        segment = self.resolve(ref, "audience")
        if self._over_rows(segment):
            table = self.segment_table
            self.row_table = table
            self.member_key = key_expression(table, self.source, self.segment_name)
            self.key_name = self.source.customer_key(self.segment_name)
            return table, self.member_key, segment_condition(segment, self.source, self.resolver)
        query, self.key_name = members_with_key(segment, self.source, self.resolver)
        audience = query.subquery("audience")
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
        name = self.segment_name
        return (
            isinstance(segment, RuleSegment)
            and segment_table_name(segment, self.source) == name
            and self.source.rows_are_customers(name)
        )


def _join_key(
    source: Source, table: Table, name: str, key: str | None, members: _Members
) -> ColumnElement[Any]:
    """The column of ``table`` that matches the members' key.

    The campaign's ``customer_key`` if set; else the column named like the members' key; else the
    table's own key. Members named by their email match the table's normalized email.
    """
    if key:
        return table.c[key]
    if members.key_name is None:
        return normalized_email_sql(table.c[source.email_column(name)], source.dialect)
    if members.key_name in table.c:
        return table.c[members.key_name]
    return key_expression(table, source, name)


def _setting(source: Source, name: str) -> str:
    """The source's segment or attribute table, as a CampaignError when it can't be found."""
    try:
        return str(getattr(source, name))
    except SourceError as error:
        raise CampaignError(str(error)) from None


def _default_email_column(source: Source, attribute_name: str, segment_name: str) -> str:
    """The email column when no mapping names one: the attribute table's, else the segment's."""
    try:
        return source.email_column(attribute_name)
    except SourceError:
        return source.email_column(segment_name)


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
    keys: Mapping[Table, str | None],
) -> Select[Any] | None:
    """The normalized emails of every customer of the exclusion segments (None: no exclusions).

    Each excluded customer brings the email its segment reads and the email the campaign would
    send to it (the mapped email column, found by customer key), so a record the audience holds
    under another key is excluded all the same (``keys``: the key column of each table the email
    may come from). The tables are aliased: nothing here correlates with the campaign query.
    """
    dialect = members.source.dialect
    email_table = _table_of(email_expr)
    email_name = getattr(email_expr, "name", None)
    key_name = keys.get(email_table) if isinstance(email_table, Table) else None
    parts: list[Select[Any]] = []
    for i, ref in enumerate(campaign.exclusions):
        segment = members.resolve(ref, f"exclusion {i + 1}")
        people = members_query(segment, members.source, members.resolver).subquery()
        own = func.lower(_trim(people.c.email, dialect))
        parts.append(select(own.label("email_key")).where(own != ""))
        if (
            isinstance(email_table, Table)
            and email_name in email_table.c
            and key_name is not None
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


#: the column the default mapping names for email; the detected email column stands in for it
DEFAULT_EMAIL_COLUMN = "email"


def _email_column(campaign: Campaign, defaults: Mapping[str, Mapping[str, str]]) -> str | None:
    if "email" in campaign.attributes:
        return campaign.attributes["email"]
    choices = {mapping["email"] for mapping in defaults.values() if "email" in mapping}
    if len(choices) > 1:
        raise CampaignError(
            f"The destinations of campaign {campaign.name!r} map email to different columns "
            f'({", ".join(sorted(choices))}); set "email" in the campaign\'s attributes.'
        )
    return choices.pop() if choices else None


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
    """Strip exactly the characters a send strips, in SQL, where the database allows it."""
    return trimmed_email_sql(expr, dialect)


def _byte_order(
    label: ColumnElement[Any], expr: ColumnElement[Any], dialect: str
) -> ColumnElement[Any]:
    """What to sort ``expr`` (selected as ``label``) by, so that equal texts, and only those, are
    next to each other: the label itself (computed once), except on MySQL.

    MySQL's usual collations are case- and accent-insensitive (``e`` sorts with ``\u00e9``),
    which would put other addresses between two rows sharing one: they sort by their bytes.
    """
    if dialect in ("mysql", "mariadb"):
        return cast(expr, mysql.BINARY())
    return label


__all__ = [
    "CampaignPlan",
    "GroupKey",
    "GroupSpec",
    "SendingGroup",
    "build_plan",
    "field_names",
    "plan_for_segment",
]
