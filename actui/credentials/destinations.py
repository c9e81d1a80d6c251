"""Destinations: where a campaign goes (credential, user group, list), saved and checked."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from actui.activecampaign.client import ActiveCampaignClient
from actui.activecampaign.errors import ActiveCampaignError, InvalidCredentials, InvalidGroupName
from actui.activecampaign.throttle import throttle_for
from actui.credentials.keyring_store import Credential, CredentialError, get_credential
from actui.credentials.store import (
    read_destination,
    read_destinations,
    remove_destination_row,
    write_destination,
)
from actui.errors import ActuiError

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


#: a mirror send may unsubscribe at most this share (%) of a list's members unless allowed
DEFAULT_MAX_REMOVAL = 20.0


class DestinationError(ActuiError):
    """A destination is missing or not valid."""


class Destination(BaseModel):
    """An ActiveCampaign list to send to: which credential, which user group sees it, which list.

    The list is named, not numbered: it is found by name, or created on the first send. The
    attribute is ``list_name`` (``list`` in JSON and in the constructor).
    """

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="forbid")

    name: str
    credential: str
    group: str = "Admin"
    list_name: str = Field(alias="list", min_length=1)
    primary_key: Literal["email"] = "email"
    verbose_logs: bool = False
    default_attributes: dict[str, str] = Field(default_factory=dict)
    #: the most of the list's members a mirror send may unsubscribe unasked, in percent
    max_removal: float = Field(default=DEFAULT_MAX_REMOVAL, ge=0, le=100)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("use up to 64 letters, digits, '.', '_' or '-'")
        return value

    @field_validator("group", "list_name", "credential")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class CheckResult(BaseModel):
    """One line of a destination test: what was checked, whether it passed, and the fix if not."""

    check: str
    ok: bool
    detail: str
    fix: str | None = None


def make_destination(**fields: Any) -> Destination:
    """Build a Destination, turning pydantic's complaints into one DestinationError sentence."""
    try:
        return Destination(**fields)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'destination'}: {e['msg']}" for e in error.errors()
        )
        raise DestinationError(
            f"The destination is not valid ({problems}); fix and retry."
        ) from None


def save_destination(destination: Destination) -> None:
    """Insert or replace a destination by name."""
    write_destination(destination.name, destination.model_dump_json(by_alias=True))


def get_destination(name: str) -> Destination:
    """The destination called ``name``; DestinationError listing the existing ones otherwise."""
    body = read_destination(name)
    if body is None:
        known = ", ".join(repr(d.name) for d in list_destinations()) or "none yet"
        raise DestinationError(
            f"No destination named {name!r} (destinations: {known}); add it with "
            f"'actui destinations add {name} --credential NAME'."
        )
    return Destination.model_validate_json(body)


def list_destinations() -> list[Destination]:
    """Every saved destination, by name."""
    return [Destination.model_validate_json(body) for body in read_destinations()]


def delete_destination(name: str) -> None:
    """Delete a destination; DestinationError when there is none of that name."""
    if not remove_destination_row(name):
        get_destination(name)  # raises the error listing what exists


def client_for(credential: Credential, **kwargs: Any) -> ActiveCampaignClient:
    """A client for the credential's account, sharing the account's process-wide throttle."""
    kwargs.setdefault("throttle", throttle_for(credential.url))
    return ActiveCampaignClient(credential.url, credential.api_key.get_secret_value(), **kwargs)


async def test_destination(destination: Destination, **client_kwargs: Any) -> list[CheckResult]:
    """Check credential, API key, user group and list, one result each, stopping at a blocker."""
    results: list[CheckResult] = []
    try:
        # the keyring may wait on D-Bus or an unlock prompt: never on the caller's event loop
        credential = await asyncio.to_thread(get_credential, destination.credential)
    except ActuiError as error:
        results.append(
            CheckResult(check="credential", ok=False, detail=str(error), fix=_fix(error))
        )
        return results + _skipped("api key", "group", "list")
    results.append(
        CheckResult(
            check="credential",
            ok=True,
            detail=f"Credential {credential.name!r} found ({credential.url}).",
        )
    )
    async with client_for(credential, **client_kwargs) as client:
        try:
            user = await client.users_me()
        except ActiveCampaignError as error:
            results.append(
                CheckResult(check="api key", ok=False, detail=str(error), fix=_fix(error))
            )
            return results + _skipped("group", "list")
        who = user.email or user.username or f"user {user.id}"
        results.append(CheckResult(check="api key", ok=True, detail=f"The API key works ({who})."))
        try:
            group = await client.find_group(destination.group)
            results.append(
                CheckResult(
                    check="group",
                    ok=True,
                    detail=f"User group {group.title!r} exists (id {group.id}).",
                )
            )
        except ActiveCampaignError as error:
            results.append(CheckResult(check="group", ok=False, detail=str(error), fix=_fix(error)))
        try:
            found = await client.find_list(destination.list_name)
        except ActiveCampaignError as error:
            results.append(CheckResult(check="list", ok=False, detail=str(error), fix=_fix(error)))
            return results
        if found is None:
            detail = (
                f"List {destination.list_name!r} does not exist yet; the first send creates it."
            )
        else:
            detail = f"List {found.name!r} exists (id {found.id})."
        results.append(CheckResult(check="list", ok=True, detail=detail))
    return results


def _skipped(*checks: str) -> list[CheckResult]:
    return [
        CheckResult(check=c, ok=False, detail="Not checked: an earlier check failed.", fix=None)
        for c in checks
    ]


def _fix(error: Exception) -> str:
    """The action that fixes a failed check, as a short imperative sentence."""
    if isinstance(error, CredentialError):
        return (
            "Add the credential with 'actui credentials add NAME --url URL', or unlock the keyring."
        )
    if isinstance(error, InvalidCredentials):
        return (
            "Copy the API key from Settings > Developer and run "
            "'actui credentials add NAME --url URL' again."
        )
    if isinstance(error, InvalidGroupName):
        return (
            "Run 'actui destinations add NAME --credential C --group G' with one of: "
            + ", ".join(error.existing)
            + "."
        )
    return "Fix the problem above and run 'actui destinations test NAME' again."


test_destination.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
