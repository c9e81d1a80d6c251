"""Bulk import: validating a payload (400 bodies as documented) and applying a queued batch.

Choices where the documents are silent:

* ``failureReasons[].contact`` is the 0-based index of the contact in the ``contacts`` array.
* A contact naming an unknown custom field id or list id fails validation (400, nothing queued).
* At processing time a contact fails (its email is listed under ``failure``) when its address
  breaks the full email rule (see ``emails``), matches an exclusion, or asks to subscribe to a list
  it is unsubscribed from; in the last case its other attributes are still updated but no
  subscription changes. Everyone else is created or updated (matched on email, case-insensitively)
  and listed under ``success`` by contact id.
* ``callback`` is accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from actui.sandbox.emails import has_email_shape, is_valid_email
from actui.sandbox.errors import ApiError
from actui.sandbox.model import Batch
from actui.sandbox.state import AccountState

MAX_CONTACTS = 250
MAX_PAYLOAD_BYTES = 400_000
VALIDATION_MESSAGE = (
    "JSON payload did not pass validation. Please fix failure Reasons and retry. "
    "The import was not queued for processing."
)


def rate_limited_error(single: bool) -> ApiError:
    """The documented 400 answer once the per-minute import limit is used up."""
    allowed = "Up to 20 single-contact imports" if single else "Up to 100 imports"
    return ApiError(
        400,
        {
            "success": 0,
            "message": "Rate limit exceeded.",
            "failureReasons": [
                f"{allowed} may be requested per minute.Please batch contacts into larger "
                "requests, or retry this request in a minute."
            ],
        },
    )


def _payload_error(reason: str) -> ApiError:
    return ApiError(400, {"success": 0, "message": VALIDATION_MESSAGE, "failureReasons": [reason]})


def count_contacts(payload: object) -> int:
    """How many contacts a payload carries (0 when it has no ``contacts`` array)."""
    if isinstance(payload, dict) and isinstance(payload.get("contacts"), list):
        return len(payload["contacts"])
    return 0


def validate_import(payload: object, size: int, state: AccountState) -> list[dict[str, Any]]:
    """The payload's contacts in a normal form, or an ``ApiError`` 400 saying what is wrong."""
    if size >= MAX_PAYLOAD_BYTES:
        return _raise(
            _payload_error(f"The payload must be under {MAX_PAYLOAD_BYTES} bytes; it has {size}.")
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("contacts"), list):
        return _raise(_payload_error("'contacts' is a required field and must be an array."))
    raw_contacts: list[Any] = payload["contacts"]
    if not raw_contacts:
        return _raise(_payload_error("'contacts' must hold at least one contact."))
    if len(raw_contacts) > MAX_CONTACTS:
        return _raise(
            _payload_error(f"Up to {MAX_CONTACTS} contacts may be included in a single request.")
        )
    contacts: list[dict[str, Any]] = []
    reasons: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_contacts):
        normal, reason = _normalize_contact(raw, state)
        if reason is not None:
            reasons.append({"contact": index, "failureReason": reason})
        else:
            contacts.append(normal)
    if reasons:
        raise ApiError(
            400, {"success": 0, "message": VALIDATION_MESSAGE, "failureReasons": reasons}
        )
    return contacts


def _raise(error: ApiError) -> list[dict[str, Any]]:
    raise error


def _normalize_contact(raw: object, state: AccountState) -> tuple[dict[str, Any], str | None]:
    if not isinstance(raw, dict):
        return {}, "Contact must be an object"
    email = raw.get("email")
    if not has_email_shape(email):
        return {}, "Field\u2018 email\u2019 incorrect format"
    normal: dict[str, Any] = {"email": email}
    for name in ("first_name", "last_name", "phone"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            return {}, f"Field\u2018 {name}\u2019 incorrect format"
        if value is not None:
            normal[name] = value
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        return {}, "Field\u2018 tags\u2019 incorrect format"
    normal["tags"] = tags
    values: dict[int, str] = {}
    for item in raw.get("fields", []) or []:
        field_id = _as_id(item.get("id")) if isinstance(item, dict) else None
        if field_id is None or field_id not in state.fields:
            return {}, f"Custom field {item!r} does not exist"
        values[field_id] = str(item.get("value", ""))
    normal["field_values"] = values
    for key in ("subscribe", "unsubscribe"):
        list_ids: list[int] = []
        for item in raw.get(key, []) or []:
            list_id = _as_id(item.get("listid")) if isinstance(item, dict) else None
            if list_id is None or list_id not in state.lists:
                return {}, f"List {item!r} in '{key}' does not exist"
            list_ids.append(list_id)
        normal[key] = list_ids
    return normal, None


def _as_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def apply_batch(state: AccountState, batch: Batch) -> None:
    """Create or update every contact of a due batch and record its success and failure lists."""
    for raw in batch.contacts:
        email = str(raw["email"]).strip()
        if not is_valid_email(email) or state.is_excluded(email):
            batch.failure.append(email)
            continue
        contact = state.contact_by_email(email)
        if contact is None:
            contact = state.create_contact(raw)
        else:
            state.update_contact(contact, raw)
        unsubscribe: list[int] = list(raw.get("unsubscribe", []))  # type: ignore[call-overload]
        subscribe: list[int] = list(raw.get("subscribe", []))  # type: ignore[call-overload]
        for list_id in unsubscribe:
            state.set_membership(contact.id, list_id, 2, "bulk_import")
        if any(state.unsubscribed_from(contact.id, list_id) for list_id in subscribe):
            batch.failure.append(email)
            continue
        for list_id in subscribe:
            state.set_membership(contact.id, list_id, 1, "bulk_import")
        batch.success.append(str(contact.id))
    batch.status = "completed"
    batch.contacts = []
