"""One emulated ActiveCampaign account's data and the rules that change it (no HTTP, no locking).

Choices where ActiveCampaign's documents are silent:

* ``POST /contactLists`` behaves like the live API: status 1 subscribes, even a contact who
  unsubscribed (by hand or through the API) before; such a re-subscription is recorded on the
  membership (``resubscribed_after_unsubscribe``) so tests can see a client that does it silently.
  Status 2 unsubscribes, creating the membership when there was none. Bulk import, in contrast,
  never re-subscribes (see ``imports``).
* Exclusions only affect bulk import (the documented case); ``/contact/sync`` and ``/contactLists``
  ignore them.
* A list's ``stringid`` is unique (422 ``duplicate``); names may repeat. Group titles are unique.
* Linking a list to a group twice answers 422 ``duplicate``.
* An unknown custom field id in ``fieldValues`` answers 422 ``field_invalid``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from actui.sandbox.emails import exclusion_matches, is_valid_email, normalize
from actui.sandbox.errors import ApiError, field_error, not_found
from actui.sandbox.model import (
    Batch,
    Contact,
    CustomField,
    Exclusion,
    Group,
    ListGroup,
    MailingList,
    Membership,
    now_stamp,
)

SEED_FIELDS = (
    ("Loyalty Tier", "dropdown", "LOYALTY_TIER"),
    ("Lifetime Value", "text", "LIFETIME_VALUE"),
    ("Preferred Store", "text", "PREFERRED_STORE"),
)

ID_KINDS = ("contact", "list", "membership", "group", "list_group", "field", "exclusion")


class AccountState:
    """Contacts, lists, memberships, groups, fields, exclusions and import batches."""

    def __init__(self) -> None:
        self.contacts: dict[int, Contact] = {}
        self.contact_ids_by_email: dict[str, int] = {}
        self.lists: dict[int, MailingList] = {}
        self.memberships: dict[tuple[int, int], Membership] = {}
        self.groups: dict[int, Group] = {}
        self.list_groups: dict[int, ListGroup] = {}
        self.fields: dict[int, CustomField] = {}
        self.exclusions: dict[int, Exclusion] = {}
        self.batches: dict[str, Batch] = {}
        self.next_ids: dict[str, int] = dict.fromkeys(ID_KINDS, 1)

    @classmethod
    def fresh(cls) -> AccountState:
        """A new account: the ``Admin`` group (id 1) and a few custom fields."""
        state = cls()
        state.create_group("Admin", "Admin users")
        for title, kind, perstag in SEED_FIELDS:
            state.create_field(title, kind, perstag)
        return state

    def _next_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    # -- groups, lists, fields, exclusions -------------------------------------------------

    def create_group(self, title: str, descript: str = "") -> Group:
        if not title.strip():
            raise field_error(422, "The group title was not provided.", "field_missing")
        if any(group.title.lower() == title.lower() for group in self.groups.values()):
            raise field_error(422, "There is already a group with this title", "duplicate")
        group = Group(self._next_id("group"), title, descript)
        self.groups[group.id] = group
        return group

    def create_list(self, payload: dict[str, Any]) -> MailingList:
        for name in ("name", "stringid", "sender_url", "sender_reminder"):
            value = payload.get(name)
            if not isinstance(value, str) or not value.strip():
                raise field_error(
                    422,
                    f"List {name} was not provided.",
                    "field_missing",
                    f"/data/attributes/{name}",
                )
        stringid = str(payload["stringid"])
        if any(existing.stringid.lower() == stringid.lower() for existing in self.lists.values()):
            raise field_error(
                422,
                "A list with this stringid already exists",
                "duplicate",
                "/data/attributes/stringid",
            )
        mailing_list = MailingList(
            self._next_id("list"),
            str(payload["name"]),
            stringid,
            str(payload["sender_url"]),
            str(payload["sender_reminder"]),
        )
        self.lists[mailing_list.id] = mailing_list
        return mailing_list

    def create_list_by_hand(self, name: str, stringid: str) -> MailingList:
        """A list made in ActiveCampaign's own interface: no sender details (shown as nulls)."""
        mailing_list = MailingList(self._next_id("list"), name, stringid, "", "")
        self.lists[mailing_list.id] = mailing_list
        return mailing_list

    def get_list(self, list_id: int) -> MailingList:
        found = self.lists.get(list_id)
        if found is None:
            raise not_found("List")
        return found

    def link_list_to_group(self, list_id: int, group_id: int) -> ListGroup:
        if list_id not in self.lists:
            raise field_error(
                422, "The list does not exist.", "related_missing", "/data/attributes/listid"
            )
        if group_id not in self.groups:
            raise field_error(
                422, "The group does not exist.", "related_missing", "/data/attributes/groupid"
            )
        for existing in self.list_groups.values():
            if existing.list_id == list_id and existing.group_id == group_id:
                raise field_error(422, "The list is already in this group.", "duplicate")
        link = ListGroup(self._next_id("list_group"), list_id, group_id)
        self.list_groups[link.id] = link
        return link

    def create_field(
        self, title: str, kind: str, perstag: str = "", descript: str = ""
    ) -> CustomField:
        if not title.strip():
            raise field_error(422, "The field title was not provided.", "field_missing")
        if not kind.strip():
            raise field_error(422, "The field type was not provided.", "field_missing")
        tag = (perstag or title).upper().replace(" ", "_")
        for existing in self.fields.values():
            if existing.title.lower() == title.lower():
                raise field_error(
                    422,
                    "There is already a field with this title",
                    "duplicate",
                    detail=f"There is already a field named '{title}' -- choose another name",
                )
            if existing.perstag == tag:
                raise field_error(
                    422,
                    "There is already a field with this personalization tag",
                    "field_invalid",
                    detail=f"There is already a personalization tag named '{tag}'",
                )
        custom = CustomField(self._next_id("field"), title, kind, tag, descript)
        self.fields[custom.id] = custom
        return custom

    def add_exclusion(self, phrase: str, match_type: str) -> Exclusion:
        if match_type not in ("exact", "end"):
            raise field_error(422, "matchType must be 'exact' or 'end'.", "field_invalid")
        if not phrase.strip():
            raise field_error(422, "matchPhrase was not provided.", "field_missing")
        exclusion = Exclusion(self._next_id("exclusion"), phrase.strip(), match_type)
        self.exclusions[exclusion.id] = exclusion
        return exclusion

    def is_excluded(self, email: str) -> bool:
        return any(
            exclusion_matches(email, rule.match_phrase, rule.match_type)
            for rule in self.exclusions.values()
        )

    # -- contacts --------------------------------------------------------------------------

    def contact_by_email(self, email: str) -> Contact | None:
        contact_id = self.contact_ids_by_email.get(normalize(email))
        return None if contact_id is None else self.contacts[contact_id]

    def get_contact(self, contact_id: int) -> Contact:
        found = self.contacts.get(contact_id)
        if found is None:
            raise not_found("Subscriber")
        return found

    def check_field_ids(self, field_ids: list[int]) -> None:
        for field_id in field_ids:
            if field_id not in self.fields:
                raise field_error(
                    422,
                    f"Custom field {field_id} does not exist.",
                    "field_invalid",
                    "/data/attributes/fieldValues",
                )

    def create_contact(self, attributes: dict[str, Any]) -> Contact:
        """Add a new contact; 422 when the email is invalid or already used."""
        email = attributes.get("email")
        if not isinstance(email, str) or not is_valid_email(email.strip()):
            raise _email_invalid()
        if self.contact_by_email(email) is not None:
            raise field_error(
                422,
                "Email address already exists in the system",
                "duplicate",
                "/data/attributes/email",
            )
        contact = Contact(self._next_id("contact"), email.strip())
        self.contacts[contact.id] = contact
        self.contact_ids_by_email[normalize(email)] = contact.id
        self.update_contact(contact, attributes, touch=False)
        return contact

    def sync_contact(self, attributes: dict[str, Any]) -> tuple[Contact, bool]:
        """Create or update on email; returns the contact and whether it was created."""
        email = attributes.get("email")
        if not isinstance(email, str) or not is_valid_email(email.strip()):
            raise _email_invalid()
        existing = self.contact_by_email(email)
        if existing is None:
            return self.create_contact(attributes), True
        self.update_contact(existing, attributes)
        return existing, False

    def update_contact(
        self, contact: Contact, attributes: dict[str, Any], touch: bool = True
    ) -> None:
        """Apply names, phone, tags and ``{field_id: value}`` custom values that are present."""
        for key, attribute in (("first_name", "first_name"), ("last_name", "last_name")):
            camel = "firstName" if key == "first_name" else "lastName"
            value = attributes.get(camel, attributes.get(key))
            if isinstance(value, str):
                setattr(contact, attribute, value)
        phone = attributes.get("phone")
        if isinstance(phone, str):
            contact.phone = phone
        values = attributes.get("field_values")
        if isinstance(values, dict):
            contact.field_values.update({int(k): str(v) for k, v in values.items()})
        tags = attributes.get("tags")
        if isinstance(tags, list):
            for tag in tags:
                if isinstance(tag, str) and tag not in contact.tags:
                    contact.tags.append(tag)
        if touch:
            contact.udate = now_stamp()

    def query_contacts(
        self,
        email: str | None = None,
        list_id: int | None = None,
        status: int | None = None,
        id_greater: int | None = None,
        descending: bool = False,
    ) -> list[Contact]:
        """Contacts matching every filter given, ordered by id."""
        if email is not None:
            found = self.contact_by_email(email)
            candidates = [found] if found is not None else []
        else:
            candidates = list(self.contacts.values())
        if list_id is not None or status is not None:
            wanted = {
                membership.contact_id
                for membership in self.memberships.values()
                if (list_id is None or membership.list_id == list_id)
                and (status is None or membership.status == status)
            }
            candidates = [contact for contact in candidates if contact.id in wanted]
        if id_greater is not None:
            candidates = [contact for contact in candidates if contact.id > id_greater]
        candidates.sort(key=lambda contact: contact.id, reverse=descending)
        return candidates

    # -- memberships -----------------------------------------------------------------------

    def set_membership(self, contact_id: int, list_id: int, status: int, source: str) -> Membership:
        """Subscribe (1) or unsubscribe (2) a contact on a list, as ``/contactLists`` does."""
        self.get_contact(contact_id)
        self.get_list(list_id)
        if status not in (1, 2):
            raise field_error(
                422,
                "Status must be 1 (subscribe) or 2 (unsubscribe).",
                "field_invalid",
                "/data/attributes/status",
            )
        key = (contact_id, list_id)
        membership = self.memberships.get(key)
        if membership is None:
            membership = Membership(
                self._next_id("membership"), contact_id, list_id, status, source=source
            )
            self.memberships[key] = membership
            return membership
        if membership.status == 2 and status == 1:
            membership.resubscribed_after_unsubscribe = True
        if membership.status != status:
            membership.status = status
            membership.udate = now_stamp()
            if status == 1:
                membership.sdate = membership.udate
        membership.source = source
        return membership

    def unsubscribed_from(self, contact_id: int, list_id: int) -> bool:
        membership = self.memberships.get((contact_id, list_id))
        return membership is not None and membership.status == 2

    # -- dump and load ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every record as JSON-able data; ``from_dict`` restores it."""
        return {
            "contacts": [_contact_dict(contact) for contact in self.contacts.values()],
            "lists": [asdict(item) for item in self.lists.values()],
            "memberships": [asdict(item) for item in self.memberships.values()],
            "groups": [asdict(item) for item in self.groups.values()],
            "listGroups": [asdict(item) for item in self.list_groups.values()],
            "fields": [asdict(item) for item in self.fields.values()],
            "exclusions": [asdict(item) for item in self.exclusions.values()],
            "batches": [asdict(item) for item in self.batches.values()],
            "next_ids": dict(self.next_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountState:
        state = cls()
        for raw in data.get("contacts", []):
            values = {int(k): str(v) for k, v in raw.get("field_values", {}).items()}
            contact = Contact(**{**raw, "field_values": values})
            state.contacts[contact.id] = contact
            state.contact_ids_by_email[normalize(contact.email)] = contact.id
        for raw in data.get("lists", []):
            state.lists[raw["id"]] = MailingList(**raw)
        for raw in data.get("memberships", []):
            membership = Membership(**raw)
            state.memberships[(membership.contact_id, membership.list_id)] = membership
        for raw in data.get("groups", []):
            state.groups[raw["id"]] = Group(**raw)
        for raw in data.get("listGroups", []):
            state.list_groups[raw["id"]] = ListGroup(**raw)
        for raw in data.get("fields", []):
            state.fields[raw["id"]] = CustomField(**raw)
        for raw in data.get("exclusions", []):
            state.exclusions[raw["id"]] = Exclusion(**raw)
        for raw in data.get("batches", []):
            state.batches[raw["id"]] = Batch(**raw)
        state.next_ids.update({k: int(v) for k, v in data.get("next_ids", {}).items()})
        return state


def _contact_dict(contact: Contact) -> dict[str, Any]:
    data = asdict(contact)
    data["field_values"] = {str(k): v for k, v in contact.field_values.items()}
    return data


def _email_invalid() -> ApiError:
    return ApiError(
        422,
        {
            "errors": [
                {
                    "title": "Contact Email Address is not valid.",
                    "detail": "",
                    "code": "email_invalid",
                    "error": "must_be_valid_email_address",
                    "source": {"pointer": "/data/attributes/email"},
                }
            ]
        },
    )
