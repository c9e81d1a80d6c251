"""A run's ActiveCampaign accounts: one client per account, over its throttle, and the limits."""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from actui.activecampaign import ActiveCampaignClient, normalize_account_url, throttle_for
from actui.sync.audience import SendError
from actui.sync.models import (
    SendLimits,
)
from actui.sync.progress import ProgressTracker

RATE_ENV = "ACTUI_SEND_RATE"
#: share of the request limit used: the server counts arrivals, which jitter; bulk imports (the
#: throughput) have their own lane and use their whole budget
REQUEST_HEADROOM = 0.9
BULK_ENV = "ACTUI_SEND_BULK_PER_MINUTE"


def limits_from_env(rate: float | None = None, bulk_per_minute: float | None = None) -> SendLimits:
    """The throttle to use: explicit values, else ACTUI_SEND_RATE / ACTUI_SEND_BULK_PER_MINUTE."""
    try:
        chosen_rate = rate if rate is not None else float(os.environ.get(RATE_ENV) or 5.0)
        chosen_bulk = (
            bulk_per_minute
            if bulk_per_minute is not None
            else float(os.environ.get(BULK_ENV) or 100.0)
        )
    except ValueError:
        raise SendError(
            f"{RATE_ENV} and {BULK_ENV} must be numbers (requests a second, imports a minute)."
        ) from None
    if chosen_rate <= 0 or chosen_bulk <= 0:
        raise SendError("Send limits must be positive numbers.")
    return SendLimits(rate=chosen_rate, bulk_per_minute=chosen_bulk)


@dataclass
class Account:
    """One ActiveCampaign account of a run: its client and, once fetched, its exclusion list."""

    url: str
    credential: str
    client: ActiveCampaignClient
    field_ids: dict[str, str] | None = None
    exclusions: list[object] | None = None


@dataclass
class Accounts:
    """The run's clients, one per account, sharing each account's process-wide throttle."""

    limits: SendLimits
    stack: AsyncExitStack
    tracker: ProgressTracker | None = None
    by_url: dict[str, Account] = field(default_factory=dict)

    async def get(self, credential_name: str) -> Account:
        from actui.credentials import get_credential

        credential = get_credential(credential_name)
        url = normalize_account_url(credential.url)
        account = self.by_url.get(url)
        if account is None:
            throttle = throttle_for(
                url,
                rate=self.limits.rate * REQUEST_HEADROOM,
                bulk_per_minute=self.limits.bulk_per_minute,
            )
            client = ActiveCampaignClient(
                url, credential.api_key.get_secret_value(), throttle=throttle
            )
            await self.stack.enter_async_context(client)
            account = Account(url, credential_name, client)
            self.by_url[url] = account
            if self.tracker is not None:
                self.tracker.watch(throttle.stats)
        return account
