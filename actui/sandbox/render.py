"""Records rendered as ActiveCampaign's JSON: every id and count a string, links under ``links``."""

from __future__ import annotations

import hashlib
from typing import Any

from actui.sandbox.model import (
    Contact,
    CustomField,
    Exclusion,
    Group,
    ListGroup,
    MailingList,
    Membership,
)

CONTACT_LINKS = (
    "bounceLogs",
    "contactAutomations",
    "contactData",
    "contactGoals",
    "contactLists",
    "contactLogs",
    "contactTags",
    "contactDeals",
    "deals",
    "fieldValues",
    "geoIps",
    "notes",
    "organization",
    "plusAppend",
    "trackingLogs",
    "scoreValues",
)
GROUP_LINKS = (
    "userGroups",
    "groupLimit",
    "dealGroupGroups",
    "listGroups",
    "addressGroups",
    "automationGroups",
)
GROUP_PERMISSIONS = [
    "pgListAdd",
    "pgListEdit",
    "pgListDelete",
    "pgListHeaders",
    "pgListEmailaccount",
    "pgListBounce",
    "pgMessageAdd",
    "pgMessageEdit",
    "pgMessageDelete",
    "pgMessageSend",
    "pgContactAdd",
    "pgContactEdit",
    "pgContactDelete",
    "pgContactMerge",
    "pgContactImport",
    "pgContactApprove",
    "pgContactExport",
    "pgContactSync",
    "pgContactFilters",
    "pgContactActions",
    "pgContactFields",
    "pg_user_add",
    "pg_user_edit",
    "pg_user_delete",
    "pgGroupAdd",
    "pgGroupEdit",
    "pgGroupDelete",
    "pgTemplateAdd",
    "pgTemplateEdit",
    "pgTemplateDelete",
    "pgPersonalizationAdd",
    "pgPersonalizationEdit",
    "pgPersonalizationDelete",
    "pgAutomationManage",
    "pgFormEdit",
    "pgReportsCampaign",
    "pgReportsList",
    "pgReportsUser",
    "pgReportsTrend",
    "pgStartupReports",
    "pgStartupGettingstarted",
    "pgDeal",
    "pgDealDelete",
    "pgDealReassign",
    "pgDealGroupAdd",
    "pgDealGroupEdit",
    "pgDealGroupDelete",
    "pgSavedResponsesManage",
]


def _links(base: str, kind: str, record_id: int, names: tuple[str, ...]) -> dict[str, str]:
    return {name: f"{base}/{kind}/{record_id}/{name}" for name in names}


def user(base: str, email: str) -> dict[str, Any]:
    return {
        "username": "admin",
        "firstName": "Sandbox",
        "lastName": "Admin",
        "email": email,
        "phone": "",
        "signature": None,
        "links": _links(
            base, "users", 1, ("lists", "userGroup", "dealGroupTotals", "dealGroupUsers", "configs")
        ),
        "id": "1",
    }


def group(base: str, item: Group) -> dict[str, Any]:
    """A group as ``GET /groups`` lists it (every flag a string)."""
    admin = "1" if item.id == 1 else "0"
    data: dict[str, Any] = {
        "title": item.title,
        "descript": item.descript or None,
        "unsubscribelink": "0",
        "optinconfirm": "0",
        "p_admin": admin,
    }
    data.update(dict.fromkeys(GROUP_PERMISSIONS, admin))
    data.update(
        {
            # ActiveCampaign's examples show null for a group added after the account was made
            "sdate": item.sdate if item.id == 1 else None,
            "reqApproval": "0",
            "reqApproval1st": "2",
            "reqApprovalNotify": "",
            "socialdata": "0",
            "links": _links(base, "groups", item.id, GROUP_LINKS),
            "id": str(item.id),
        }
    )
    return data


def created_group(base: str, item: Group) -> dict[str, Any]:
    """A group as ``POST /groups`` answers it (``p_admin`` an integer)."""
    return {
        "title": item.title,
        "descript": item.descript or None,
        "p_admin": 1 if item.id == 1 else 0,
        "links": _links(base, "groups", item.id, GROUP_LINKS),
        "id": str(item.id),
    }


def mailing_list(base: str, item: MailingList) -> dict[str, Any]:
    return {
        "stringid": item.stringid,
        "userid": "1",
        "name": item.name,
        "cdate": item.cdate,
        "p_use_tracking": "1",
        "p_use_analytics_read": "0",
        "p_use_analytics_link": "0",
        "p_use_twitter": "0",
        "p_use_facebook": "0",
        "p_embed_image": "1",
        "p_use_captcha": "1",
        "send_last_broadcast": "0",
        "private": "0",
        "analytics_domains": None,
        "analytics_source": "",
        "analytics_ua": "",
        "twitter_token": "",
        "twitter_token_secret": "",
        "facebook_session": None,
        "carboncopy": None,
        "subscription_notify": None,
        "unsubscription_notify": None,
        "require_name": "0",
        "get_unsubscribe_reason": "0",
        "to_name": "Subscriber",
        "optinoptout": "1",
        "sender_name": "",
        "sender_addr1": "",
        "sender_addr2": "",
        "sender_city": "",
        "sender_state": "",
        "sender_zip": "",
        "sender_country": "",
        "sender_phone": "",
        # a list made in ActiveCampaign's interface has no sender details: nulls, as in its examples
        "sender_url": item.sender_url or None,
        "sender_reminder": item.sender_reminder or None,
        "fulladdress": "" if item.sender_url else None,
        "optinmessageid": "0",
        "optoutconf": "0",
        "deletestamp": None,
        "udate": item.cdate,
        "links": _links(base, "lists", item.id, ("contactGoalLists", "user", "addressLists")),
        "id": str(item.id),
        "user": "1" if item.sender_url else None,
    }


def list_group(base: str, item: ListGroup) -> dict[str, Any]:
    return {
        "list": item.list_id,
        "group": item.group_id,
        "links": _links(base, "listGroups", item.id, ("list", "group")),
        "id": str(item.id),
    }


def custom_field(base: str, item: CustomField) -> dict[str, Any]:
    return {
        "title": item.title,
        "descript": item.descript or None,
        "type": item.type,
        "isrequired": "0",
        "perstag": item.perstag,
        "defval": None,
        "show_in_list": "0",
        "rows": "0",
        "cols": "0",
        "visible": "1",
        "service": "",
        "ordernum": str(item.id),
        "cdate": item.cdate,
        "udate": item.cdate,
        "options": [],
        "relations": [],
        "links": _links(base, "fields", item.id, ("options", "relations")),
        "id": str(item.id),
    }


def exclusion(item: Exclusion) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "matchPhrase": item.match_phrase,
        "matchType": item.match_type,
        "channel": "email",
        "hidden": False,
        "lists": [],
    }


def _field_value_id(contact_id: int, field_id: int) -> str:
    return str(contact_id * 1000 + field_id)


def field_values(base: str, contact: Contact) -> list[dict[str, Any]]:
    rendered = []
    for field_id, value in sorted(contact.field_values.items()):
        value_id = _field_value_id(contact.id, field_id)
        rendered.append(
            {
                "contact": str(contact.id),
                "field": str(field_id),
                "value": value,
                "cdate": contact.cdate,
                "udate": contact.udate,
                "created_by": None,
                "updated_by": None,
                "links": {
                    "owner": f"{base}/fieldValues/{value_id}/owner",
                    "field": f"{base}/fieldValues/{value_id}/field",
                },
                "id": value_id,
                "owner": str(contact.id),
            }
        )
    return rendered


def contact(base: str, item: Contact) -> dict[str, Any]:
    """A contact as ``GET /contacts`` lists it."""
    local, _, domain = item.email.partition("@")
    return {
        "cdate": item.cdate,
        "email": item.email,
        "phone": item.phone,
        "firstName": item.first_name,
        "lastName": item.last_name,
        "orgid": "0",
        "segmentio_id": "",
        "bounced_hard": "0",
        "bounced_soft": "0",
        "bounced_date": "0000-00-00",
        "ip": "0",
        "ua": "",
        "hash": hashlib.md5(item.email.lower().encode(), usedforsecurity=False).hexdigest(),
        "socialdata_lastcheck": "0000-00-00 00:00:00",
        "email_local": local,
        "email_domain": domain,
        "sentcnt": "0",
        "rating_tstamp": "0000-00-00",
        "gravatar": "0",
        "deleted": "0",
        "anonymized": "0",
        "adate": item.udate,
        "udate": item.udate,
        "edate": item.udate,
        "deleted_at": "0000-00-00 00:00:00",
        "scoreValues": [],
        "links": _links(base, "contacts", item.id, CONTACT_LINKS),
        "id": str(item.id),
        "organization": None,
    }


def saved_contact(base: str, item: Contact) -> dict[str, Any]:
    """A contact as ``POST /contacts`` and ``POST /contact/sync`` answer it."""
    return {
        "email": item.email,
        "phone": item.phone,
        "firstName": item.first_name,
        "lastName": item.last_name,
        "email_empty": False,
        "cdate": item.cdate,
        "udate": item.udate,
        "orgid": "",
        "orgname": "",
        "links": _links(base, "contacts", item.id, CONTACT_LINKS),
        "hash": hashlib.md5(item.email.lower().encode(), usedforsecurity=False).hexdigest(),
        "fieldValues": [
            _field_value_id(item.id, field_id) for field_id in sorted(item.field_values)
        ],
        "id": str(item.id),
        "organization": "",
    }


def membership(
    base: str, item: Membership, person: Contact, status_as_text: bool
) -> dict[str, Any]:
    """A contact's list membership; ``POST /contactLists`` sends ``status`` as an integer."""
    status: int | str = str(item.status) if status_as_text else item.status
    return {
        "contact": str(item.contact_id),
        "list": str(item.list_id),
        "form": None,
        "seriesid": "0",
        "sdate": item.sdate,
        "udate": item.udate,
        "status": status,
        "responder": "1",
        "sync": "0",
        "unsubreason": "",
        "campaign": None,
        "message": None,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "ip4Sub": "0",
        "sourceid": "0",
        "autosyncLog": None,
        "ip4_last": "0",
        "ip4Unsub": "0",
        "unsubscribeAutomation": None,
        "links": _links(
            base,
            "contactLists",
            item.id,
            (
                "automation",
                "list",
                "contact",
                "form",
                "autosyncLog",
                "campaign",
                "unsubscribeAutomation",
                "message",
            ),
        ),
        "id": str(item.id),
        "automation": None,
    }


def contact_detail(base: str, item: Contact, memberships: list[Membership]) -> dict[str, Any]:
    """``GET /contacts/{id}``: the contact with its list memberships and custom field values."""
    body = contact(base, item)
    body.update(
        {
            "contactAutomations": [],
            "contactLists": [str(m.id) for m in memberships],
            "fieldValues": [_field_value_id(item.id, f) for f in sorted(item.field_values)],
            "geoIps": [],
            "deals": [],
            "accountContacts": [],
        }
    )
    return {
        "contactAutomations": [],
        "contactLists": [membership(base, m, item, status_as_text=True) for m in memberships],
        "deals": [],
        "fieldValues": field_values(base, item),
        "geoAddresses": [],
        "geoIps": [],
        "contact": body,
    }
