"""The records one emulated ActiveCampaign account holds, as plain dataclasses."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

#: the last stamp made and the second it is for (a bulk import stamps hundreds of records at once)
_last_stamp: tuple[int, str] = (-1, "")


def now_stamp() -> str:
    """The current local time as ActiveCampaign writes it: ``2019-02-27T19:06:23-05:00``."""
    global _last_stamp
    second = int(time.time())
    if _last_stamp[0] != second:
        stamp = datetime.fromtimestamp(second).astimezone().isoformat(timespec="seconds")
        _last_stamp = (second, stamp)
    return _last_stamp[1]


@dataclass
class Contact:
    id: int
    email: str
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    cdate: str = field(default_factory=now_stamp)
    udate: str = field(default_factory=now_stamp)
    tags: list[str] = field(default_factory=list)
    #: custom field id -> value
    field_values: dict[int, str] = field(default_factory=dict)


@dataclass
class MailingList:
    id: int
    name: str
    stringid: str
    sender_url: str
    sender_reminder: str
    cdate: str = field(default_factory=now_stamp)


@dataclass
class Membership:
    """A contact's status on one list: 1 subscribed, 2 unsubscribed."""

    id: int
    contact_id: int
    list_id: int
    status: int
    sdate: str = field(default_factory=now_stamp)
    udate: str = field(default_factory=now_stamp)
    #: how the latest status change happened: "api", "bulk_import" or "by_hand"
    source: str = "api"
    #: True once someone unsubscribed by hand and an API call subscribed them again
    resubscribed_after_unsubscribe: bool = False


@dataclass
class Group:
    id: int
    title: str
    descript: str = ""
    sdate: str = field(default_factory=now_stamp)


@dataclass
class ListGroup:
    id: int
    list_id: int
    group_id: int


@dataclass
class CustomField:
    id: int
    title: str
    type: str
    perstag: str
    descript: str = ""
    cdate: str = field(default_factory=now_stamp)


@dataclass
class Exclusion:
    id: int
    match_phrase: str
    match_type: str


@dataclass
class Batch:
    """One queued bulk import: its contacts are applied once ``ready_at`` (epoch seconds) passed."""

    id: str
    contacts: list[dict[str, object]]
    submitted_at: float
    ready_at: float
    queued_contacts: int = 0
    status: str = "processing"
    success: list[str] = field(default_factory=list)
    failure: list[str] = field(default_factory=list)
