"""The ``GET /contacts`` filters beyond email, list and status: what the sandbox does with each.

Implemented: ``search`` (names, phone, email), ``email_like``, ``ids`` / ``ids[]``, ``phone``,
``id_less``, ``exclude`` and ``filters[created_before|created_after|updated_before|updated_after]``
(a date or date-time; "before D" is earlier than D's midnight, "after D" is later, in the
sandbox's local time). Documented filters the sandbox cannot answer truthfully (tags, segments,
forms, automations, other orders) answer 400 "not supported by the sandbox": a filter silently
ignored would hand a client every contact.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from starlette.datastructures import QueryParams

from actui.sandbox.errors import ApiError
from actui.sandbox.model import Contact

#: documented ``GET /contacts`` parameters the sandbox refuses rather than ignores
UNSUPPORTED = (
    "tagid",
    "segmentid",
    "formid",
    "seriesid",
    "waitid",
    "organization",
    "sortId",
    "orders[cdate]",
    "orders[email]",
    "orders[first_name]",
    "orders[last_name]",
    "orders[name]",
    "orders[score]",
)

_DATE_FILTERS: dict[str, tuple[str, bool]] = {
    "filters[created_before]": ("cdate", True),
    "filters[created_after]": ("cdate", False),
    "filters[updated_before]": ("udate", True),
    "filters[updated_after]": ("udate", False),
}

ContactTest = Callable[[Contact], bool]


def contact_tests(params: QueryParams) -> list[ContactTest]:
    """One test per filter given in ``params``; a 400 for a filter that is refused or malformed."""
    for name in UNSUPPORTED:
        if params.get(name):
            raise ApiError(
                400, {"message": f"The '{name}' parameter is not supported by the sandbox."}
            )
    tests: list[ContactTest] = []
    search = (params.get("search") or "").strip().lower()
    if search:
        tests.append(lambda contact: search in _searchable(contact))
    email_like = (params.get("email_like") or "").strip().lower()
    if email_like:
        tests.append(lambda contact: email_like in contact.email.lower())
    phone = (params.get("phone") or "").strip()
    if phone:
        tests.append(lambda contact: contact.phone.startswith(phone))
    ids = _ids(params)
    if ids is not None:
        tests.append(lambda contact: contact.id in ids)
    id_less = _int(params, "id_less")
    if id_less is not None:
        tests.append(lambda contact: contact.id < id_less)
    exclude = _int(params, "exclude")
    if exclude is not None:
        tests.append(lambda contact: contact.id != exclude)
    for name, (attribute, before) in _DATE_FILTERS.items():
        raw = params.get(name)
        if raw:
            tests.append(_date_test(attribute, _moment(name, raw), before))
    return tests


def _searchable(contact: Contact) -> str:
    name = f"{contact.first_name} {contact.last_name}"
    return "\n".join((name, contact.phone, contact.email)).lower()


def _ids(params: QueryParams) -> set[int] | None:
    raw = [*params.getlist("ids[]"), *params.getlist("ids")]
    values = [part.strip() for item in raw for part in item.split(",") if part.strip()]
    if not values:
        return None
    if not all(value.isdigit() for value in values):
        raise ApiError(400, {"message": "Query parameter 'ids' must list contact ids."})
    return {int(value) for value in values}


def _int(params: QueryParams, name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, {"message": f"Query parameter '{name}' must be an integer."}) from None


def _moment(name: str, raw: str) -> datetime:
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime(day.year, day.month, day.day)
        else:
            moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            400, {"message": f"Query parameter '{name}' must be a date such as 2024-03-31."}
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def _date_test(attribute: str, moment: datetime, before: bool) -> ContactTest:
    def test(contact: Contact) -> bool:
        stamp = datetime.fromisoformat(getattr(contact, attribute))
        return stamp < moment if before else stamp > moment

    return test
