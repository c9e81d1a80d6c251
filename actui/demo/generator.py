"""Deterministic rows of the demo Customer 360: the same seed gives the same rows on every machine.

Only ``random.Random(seed)`` drives the choices (no global state, no numpy). Weighted choices go
through small pre-expanded lookup lists so a million rows take seconds, not minutes. The dates and
timestamps come out in one of two encodings: Python values (what SQLAlchemy reads back) or the
text SQLite stores, so the SQLite writer skips any conversion.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from actui.demo.vocabulary import (
    CHANNELS,
    EMAIL_DOMAINS,
    GENDERS,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    LOYALTY_TIERS,
    REFERENCE_DATE,
    STATES,
    STORES,
    SURNAMES,
)

T = TypeVar("T")

#: order dates spread over the last three years before the reference date
ORDER_WINDOW_DAYS = 3 * 365
#: the oldest customer is 85, the youngest 18
MIN_AGE_DAYS = 18 * 365 + 5
MAX_AGE_DAYS = 85 * 365 + 20
#: how many days before the reference date the oldest date in the data can be
_DAY_SPAN = MAX_AGE_DAYS + 1

#: how often an email is missing, invalid, shared with another customer, cased or padded
EMAIL_MISSING_RATE = 0.005
EMAIL_INVALID_RATE = 0.02
EMAIL_DUPLICATE_RATE = 0.01
EMAIL_MIXED_CASE_RATE = 0.06
EMAIL_PADDED_RATE = 0.02

#: (day offset before the reference date, second of that day, microsecond) -> stored timestamp
StampFn = Callable[[int, int, int], Any]


def weighted_lookup(choices: Sequence[tuple[T, int]]) -> list[T]:
    """Expand ``(value, weight)`` pairs into a list where each value appears ``weight`` times."""
    expanded: list[T] = []
    for value, weight in choices:
        expanded.extend([value] * weight)
    return expanded


_STATE_LOOKUP = weighted_lookup([(state, weight) for state, (weight, _) in STATES.items()])
_CITIES = {state: cities for state, (_, cities) in STATES.items()}
_TIER_LOOKUP = weighted_lookup(LOYALTY_TIERS)
_GENDER_LOOKUP = weighted_lookup(GENDERS)
_CHANNEL_LOOKUP = weighted_lookup(CHANNELS)
_DOMAIN_LOOKUP = weighted_lookup(EMAIL_DOMAINS)
_DATES = [REFERENCE_DATE - timedelta(days=offset) for offset in range(_DAY_SPAN)]
_ISO_DATES = [day.isoformat() for day in _DATES]
_MAILBOX_NAMES = {
    name: "".join(ch for ch in name if ch.isalpha())
    for name in (*GIVEN_NAMES_FEMALE, *GIVEN_NAMES_MALE, *SURNAMES)
}


def _python_stamp(offset: int, second: int, micro: int) -> datetime:
    day = _DATES[offset]
    return datetime(
        day.year, day.month, day.day, second // 3600, second // 60 % 60, second % 60, micro
    )


def _sqlite_stamp(offset: int, second: int, micro: int) -> str:
    # the text form SQLAlchemy's SQLite DateTime type writes and reads back
    return (
        f"{_ISO_DATES[offset]} {second // 3600:02d}:{second // 60 % 60:02d}:"
        f"{second % 60:02d}.{micro:06d}"
    )


def iter_python_rows(rows: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """customer_360 rows with ``date``/``datetime``/``bool`` values (what SQLAlchemy reads back)."""
    return _generate_rows(rows, seed, _DATES, _python_stamp)


def iter_sqlite_rows(rows: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """The same rows with dates and timestamps as the text SQLite stores (booleans stay bools)."""
    return _generate_rows(rows, seed, _ISO_DATES, _sqlite_stamp)


def _email_local_part(rng: random.Random, given: str | None, surname: str | None, n: int) -> str:
    """A plausible mailbox name, unique per customer because it ends with the customer number."""
    if given is None or surname is None:
        return f"customer{n}"
    first, last = _MAILBOX_NAMES[given], _MAILBOX_NAMES[surname]
    pattern = rng.random()
    if pattern < 0.45:
        return f"{first}.{last}{n}"
    if pattern < 0.7:
        return f"{first[0]}{last}{n}"
    if pattern < 0.85:
        return f"{first}_{last[:4]}{n}"
    return f"{last}.{first[0]}{n}"


def _corrupt_email(rng: random.Random, email: str) -> str:
    """One of the typing mistakes found in real customer files."""
    local, _, domain = email.partition("@")
    kind = int(rng.random() * 6)
    if kind == 0:
        return f"{local}{domain}"  # the @ is missing
    if kind == 1:
        return f"{local}@{domain.replace('.', '..', 1)}"  # a double dot in the domain
    if kind == 2:
        cut = max(1, len(local) // 2)
        return f"{local[:cut]} {local[cut:]}@{domain}"  # a space inside
    if kind == 3:
        return f"{local}@{domain.rsplit('.', 1)[0]}"  # no top-level domain
    if kind == 4:
        return f"{local}@@{domain}"  # a doubled @
    return f"{local}@{domain},"  # a stray comma at the end


def _generate_rows(
    rows: int, seed: int, days: Sequence[Any], stamp: StampFn
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    r = rng.random
    gauss = rng.gauss
    recent_emails: list[str] = []
    for n in range(1, rows + 1):
        # who
        gender = _GENDER_LOOKUP[int(r() * len(_GENDER_LOOKUP))]
        if gender == "female" or (gender != "male" and r() < 0.5):
            given: str | None = GIVEN_NAMES_FEMALE[int(r() * len(GIVEN_NAMES_FEMALE))]
        else:
            given = GIVEN_NAMES_MALE[int(r() * len(GIVEN_NAMES_MALE))]
        surname: str | None = SURNAMES[int(r() * len(SURNAMES))]
        if r() < 0.01:
            given = None
        if r() < 0.01:
            surname = None
        birthdate = (
            None if r() < 0.08 else days[MIN_AGE_DAYS + int(r() * (MAX_AGE_DAYS - MIN_AGE_DAYS))]
        )

        # where
        home_state = _STATE_LOOKUP[int(r() * len(_STATE_LOOKUP))]
        cities = _CITIES[home_state]
        state: str | None = home_state
        city_name, zip_prefix, area_code = cities[int(r() * len(cities))]
        city: str | None = city_name
        postal_code: str | None = f"{zip_prefix}{int(r() * 100):02d}"
        if r() < 0.03:
            city, postal_code = None, None
        if r() < 0.01:
            state = None
        country = None if r() < 0.01 else "US"
        phone_kind = r()
        exchange, line = 200 + int(r() * 800), int(r() * 10000)
        if phone_kind < 0.15:
            phone = None
        elif phone_kind < 0.75:
            phone = f"+1{area_code}{exchange}{line:04d}"
        else:
            phone = f"({area_code}) {exchange}-{line:04d}"

        # email
        choice = r()
        if choice < EMAIL_MISSING_RATE:
            email: str | None = None
        elif choice < EMAIL_MISSING_RATE + EMAIL_DUPLICATE_RATE and recent_emails:
            email = recent_emails[int(r() * len(recent_emails))]  # shared with another customer
            if r() < 0.5:
                email = email.upper() if r() < 0.3 else email.capitalize()
        else:
            domain = _DOMAIN_LOOKUP[int(r() * len(_DOMAIN_LOOKUP))]
            local = _email_local_part(rng, given, surname, n)
            email = f"{local}@{domain}".lower()
            if len(recent_emails) < 1000:
                recent_emails.append(email)
            else:
                recent_emails[int(r() * 1000)] = email
            if r() < EMAIL_MIXED_CASE_RATE:
                email = f"{local}@{domain.capitalize()}"
            if choice > 1.0 - EMAIL_INVALID_RATE:
                email = _corrupt_email(rng, email)
        if email is not None and r() < EMAIL_PADDED_RATE:
            email = f" {email}" if r() < 0.5 else f"{email}  "

        # orders
        if r() < 0.05:
            order_count = 0
            lifetime_value = 0.0
            average_order_value = None
        else:
            order_count = 1 + int(-math.log(1.0 - r()) * 3.5)
            average_order_value = round(math.exp(3.9 + 0.55 * gauss()), 2)
            lifetime_value = round(average_order_value * order_count, 2)
        last_offset = int(r() ** 1.6 * ORDER_WINDOW_DAYS)
        signup_offset = last_offset + 7 + int(r() * 2200)
        if order_count == 0:
            first_order_date = last_order_date = None
            seen_offset = int(r() * signup_offset)
        else:
            first_offset = (
                last_offset
                if order_count == 1
                else last_offset + int(r() * (signup_offset - last_offset))
            )
            first_order_date, last_order_date = days[first_offset], days[last_offset]
            seen_offset = int(r() * (last_offset + 1))
        recency = last_offset / ORDER_WINDOW_DAYS if order_count else 1.0
        churn = round(min(1.0, max(0.0, 0.08 + 0.7 * recency + 0.25 * (r() - 0.5))), 4)

        # preferences
        email_opt_in = r() < 0.72
        sms_opt_in = phone is not None and r() < 0.4
        channel = _CHANNEL_LOOKUP[int(r() * len(_CHANNEL_LOOKUP))]
        store = None if r() < 0.1 else STORES[int(r() * len(STORES))]
        last_seen_at = stamp(seen_offset, int(r() * 86400), int(r() * 1_000_000))

        yield (
            f"C{n:07d}",
            email,
            given,
            surname,
            birthdate,
            gender,
            phone,
            city,
            state,
            postal_code,
            country,
            _TIER_LOOKUP[int(r() * len(_TIER_LOOKUP))],
            lifetime_value,
            order_count,
            average_order_value,
            first_order_date,
            last_order_date,
            churn,
            email_opt_in,
            sms_opt_in,
            channel,
            store,
            days[signup_offset],
            last_seen_at,
        )
