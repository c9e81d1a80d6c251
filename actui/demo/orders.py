"""The demo's ``orders`` table and its sample campaign, with an effect planted after the send.

Every customer with orders has one order on their last order date, if that is before the
sample campaign's send date (:data:`SEND_DATE`). In the 30 days after it, customers in the
campaign's audience (email opt-in) order again: 12 % of the treatment group and 8 % of the held
out control group, as the campaign's own hash splits them, so the demo's Results tab shows a real
lift. Customers outside the audience order at the control's rate.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from actui.campaigns.assignment import GroupAssigner
from actui.demo.schema import ORDERS_TABLE

#: when the sample campaign was sent (the demo data's "today" is a month later)
SEND_DATE = date(2026, 10, 1)
WINDOW_DAYS = 30
TREATED_RATE = 0.12
CONTROL_RATE = 0.08

#: the demo's sample campaign: email opt-ins, 90 % sent, 10 % held out, measured on orders
SAMPLE_CAMPAIGN: dict[str, Any] = {
    "version": 1,
    "id": "6f1d2c0a-demo-autumn-offer",
    "name": "Autumn offer",
    "audience": {
        "version": 1,
        "name": "Email opt-ins",
        "match": "all",
        "conditions": [{"attribute": "email_opt_in", "operator": "is true"}],
    },
    "groups": [
        {
            "name": "Offer",
            "percent": 90,
            "destination": "demo",
            "list": "actui demo - Autumn offer",
        },
        {"name": "Control", "percent": 10, "control": True},
    ],
    "outcome": {
        "table": ORDERS_TABLE,
        "customer_key": "customer_id",
        "date": "order_date",
        "value": "amount",
        "window_days": WINDOW_DAYS,
    },
}


#: the customer_360 columns orders are made from, in the order :func:`iter_orders` reads them
CUSTOMER_COLUMNS = ("customer_id", "average_order_value", "last_order_date", "email_opt_in")


def iter_orders(
    customers: Iterable[Sequence[Any]],
    seed: int,
    day: Callable[[date], Any],
    first_id: int = 1,
) -> Iterator[tuple[int, str, Any, float]]:
    """``(order_id, customer_id, order_date, amount)`` rows for customers given as
    :data:`CUSTOMER_COLUMNS` tuples, in order.

    ``day`` turns a date into what the database is given (the date itself, or ISO text for the
    SQLite writer); a ``last_order_date`` may arrive in either form.
    """
    rng = random.Random(seed * 7919 + 16)
    assigner = GroupAssigner(str(SAMPLE_CAMPAIGN["id"]), [[90, 10]])
    send = SEND_DATE.isoformat()
    order_id = first_id
    for row in customers:
        key, average, last, opted_in = row
        if last is not None and str(last) < send:
            yield order_id, key, last if isinstance(last, str) else day(last), float(average)
            order_id += 1
        treated = bool(opted_in) and assigner.group(0, key) == 0
        if rng.random() < (TREATED_RATE if treated else CONTROL_RATE):
            when = SEND_DATE + timedelta(days=int(rng.random() * WINDOW_DAYS))
            amount = round((average or 45.0) * (0.6 + 0.8 * rng.random()), 2)
            yield order_id, key, day(when), amount
            order_id += 1


__all__ = ["CUSTOMER_COLUMNS", "SAMPLE_CAMPAIGN", "SEND_DATE", "iter_orders"]
