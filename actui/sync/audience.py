"""Where a send's contacts come from: a saved campaign or segment, planned over the Customer 360."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from actui.accounting import Accounting
from actui.campaigns.contacts import Contact, RejectedContact
from actui.campaigns.plan import CampaignPlan, GroupKey, SendingGroup
from actui.errors import ActuiError
from actui.sync.models import SendRequest


class SendError(ActuiError):
    """A send cannot start or go on; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Audience:
    """A planned campaign and the sending groups this send covers."""

    plan: CampaignPlan
    groups: list[SendingGroup]

    def close(self) -> None:
        self.plan.source.dispose()


def build_audience(request: SendRequest, db_url: str) -> Audience:
    """Plan the campaign (or the segment as a one-group campaign) over the Customer 360."""
    from actui.campaigns.plan import build_plan, plan_for_segment
    from actui.campaigns.store import get_campaign
    from actui.credentials import get_destination
    from actui.segments import load_segment_file
    from actui.segments.store import SavedSegmentResolver
    from actui.source import open_source

    resolver = SavedSegmentResolver()
    source = open_source(db_url)
    try:
        if request.campaign:
            plan = build_plan(get_campaign(request.campaign), source, resolver)
        else:
            if not request.segment or not request.destination:
                raise SendError(
                    "A segment send needs a segment and a destination: pick both, or send a "
                    "campaign whose groups name their destinations."
                )
            destination = get_destination(request.destination)
            name = request.segment
            segment = load_segment_file(name) if Path(name).is_file() else name
            plan = plan_for_segment(
                segment,
                source,
                resolver,
                destination.name,
                request.list_name or destination.list_name,
                destination.default_attributes,
            )
    except BaseException:
        source.dispose()
        raise
    groups = [g for g in plan.sending_groups if _wanted(g.key, request.group)]
    if not groups:
        source.dispose()
        which = f"group {request.group!r} of " if request.group else ""
        raise SendError(
            f"Nothing to send: {which}{request.source_kind} {request.source_name!r} has no group "
            "with a destination and a list; set them in the campaign."
        )
    return Audience(plan, groups)


def _wanted(key: GroupKey, group: str | None) -> bool:
    return group is None or key.group == group or key.label() == group


def iter_audience(
    audience: Audience,
    field_ids: dict[str, str],
    group: GroupKey | str | None,
    rejected: list[tuple[GroupKey, RejectedContact]],
    accounting: Accounting | None = None,
) -> Iterator[list[tuple[GroupKey, Contact]]]:
    """The contacts in chunks; rejected rows are appended to ``rejected`` as they come, and
    every row read is counted in ``accounting`` when given."""
    from actui.campaigns.stream import iter_contacts

    def collect(key: GroupKey, row: RejectedContact) -> None:
        rejected.append((key, row))

    yield from iter_contacts(  # paced: staging waits while the senders catch up
        audience.plan,
        field_ids=field_ids,
        group=group,
        chunk_size=5000,
        on_rejected=collect,
        paced=True,
        accounting=accounting,
    )
