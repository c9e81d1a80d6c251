"""The async ActiveCampaign API v3 client: throttled, retried where safe, typed answers."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from actui.activecampaign.account import normalize_account_url
from actui.activecampaign.errors import (
    ActiveCampaignError,
    BulkImportRateLimited,
    InvalidGroupName,
    RateLimited,
    ServerError,
    Unreachable,
    ValidationFailed,
    error_from_response,
    parse_body,
    retry_after_seconds,
    unreachable_error,
)
from actui.activecampaign.models import (
    AcContactRef,
    AcExclusion,
    AcField,
    AcGroup,
    AcList,
    AcUser,
    ImportInfo,
)
from actui.activecampaign.throttle import AccountThrottle, RequestKind, throttle_for
from actui.campaigns.contacts import Contact

logger = logging.getLogger("actui.activecampaign")

PAGE_SIZE = 100
BULK_MAX_CONTACTS = 250
BULK_MAX_BYTES = 400_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: connections kept to one account: enough for its request rate at any answer time, few enough
#: that the pool's per-request bookkeeping (a check of every connection) stays cheap
MAX_CONNECTIONS = 10
#: one encoder for every bulk item (``json.dumps`` with options builds a new one per call)
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
SENDER_REMINDER = (
    "You are receiving this email because you are a customer of ours and agreed to hear from us."
)


class ActiveCampaignClient:
    """One account's API: a pooled HTTP client behind the account's shared throttle.

    Use as ``async with ActiveCampaignClient(url, key) as client: ...``. The key is kept as a
    :class:`~pydantic.SecretStr` and set per request, so no repr, log or error can show it.
    """

    def __init__(
        self,
        account_url: str,
        api_key: str,
        *,
        throttle: AccountThrottle | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = normalize_account_url(account_url)
        self._api_key = SecretStr(api_key)
        self.throttle = throttle if throttle is not None else throttle_for(self.base_url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._prefix = urlsplit(self.base_url).path
        self._host = urlsplit(self.base_url).netloc
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
            ),
        )

    def __repr__(self) -> str:
        return f"ActiveCampaignClient({self.base_url!r})"

    async def __aenter__(self) -> ActiveCampaignClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- the one request path: throttle, send, log, classify, retry ------------------------------

    def _delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped at 30 s."""
        return random.uniform(0, min(30.0, self.backoff * 2**attempt))

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        content: bytes | None = None,
        kind: RequestKind = "request",
        retry: bool = True,
    ) -> dict[str, Any]:
        """Send one request; retry 429/5xx/timeouts/dropped connections when ``retry``.

        ``body`` is encoded as JSON here; ``content`` is a JSON body encoded by the caller.
        """
        full_path = f"{self._prefix}/{path.lstrip('/')}"
        attempt = 0
        while True:
            await self.throttle.acquire(kind)
            started = time.monotonic()
            headers = {"Api-Token": self._api_key.get_secret_value()}
            if content is not None:
                headers["Content-Type"] = "application/json"
            try:
                response = await self._http.request(
                    method,
                    path.lstrip("/"),
                    params=params,
                    json=body,
                    content=content,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                failure = unreachable_error(
                    method,
                    full_path,
                    exc,
                    host=self._host,
                    timeout=self.timeout,
                    attempts=attempt + 1,
                )
                logger.warning(
                    "%s %s failed after %.3fs: %s",
                    method,
                    full_path,
                    time.monotonic() - started,
                    failure.reason,
                )
                if retry and failure.reason in ("timeout", "dropped") and attempt < self.retries:
                    attempt += 1
                    self.throttle.count_retry()
                    await asyncio.sleep(self._delay(attempt))
                    continue
                raise failure from None
            duration = time.monotonic() - started
            status = response.status_code
            logger.debug("%s %s %d %.3fs", method, full_path, status, duration)
            if response.is_success:
                data = parse_body(response)
                if data is None:
                    return {}
                if not isinstance(data, dict):
                    raise ActiveCampaignError(
                        f"ActiveCampaign gave an unexpected answer: {method} {full_path} answered "
                        f"{status} with a body actui cannot read. Try again; if it persists, "
                        "report it.",
                        method=method,
                        path=full_path,
                        status=status,
                    )
                return data
            error = error_from_response(method, full_path, response, attempts=attempt + 1)
            if status in (429, 503):
                wait = retry_after_seconds(response, default=1.0 if status == 429 else 0.0)
                self.throttle.penalize(max(wait, self._delay(attempt)), "request", status=status)
            elif isinstance(error, BulkImportRateLimited):
                self.throttle.penalize(max(error.retry_after, self._delay(attempt)), kind)
            retryable = status in RETRY_STATUSES or isinstance(error, BulkImportRateLimited)
            logger.warning("%s %s answered %d (attempt %d)", method, full_path, status, attempt + 1)
            if retry and retryable and attempt < self.retries:
                attempt += 1
                self.throttle.count_retry()
                if status not in (429, 503) and not isinstance(error, RateLimited):
                    await asyncio.sleep(self._delay(attempt))
                continue
            raise error

    async def _paged(
        self, path: str, key: str, params: dict[str, Any] | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Every item of an offset-paged collection."""
        offset = 0
        while True:
            page = await self._request(
                "GET", path, params={**(params or {}), "limit": PAGE_SIZE, "offset": offset}
            )
            items = page.get(key) or []
            for item in items:
                yield item
            offset += len(items)
            total = _total(page)
            if len(items) < PAGE_SIZE or (total is not None and offset >= total):
                return

    # -- account, groups, lists ------------------------------------------------------------------

    async def users_me(self) -> AcUser:
        """The user the key belongs to: the cheap credential check."""
        data = await self._request("GET", "users/me")
        return AcUser.model_validate(_item(data, "user", "GET", f"{self._prefix}/users/me"))

    async def groups(self) -> list[AcGroup]:
        """Every user group of the account."""
        return [AcGroup.model_validate(item) async for item in self._paged("groups", "groups")]

    async def find_group(self, title: str) -> AcGroup:
        """The user group titled ``title`` (exact, then case-insensitive); else InvalidGroupName."""
        groups = await self.groups()
        for group in groups:
            if group.title == title:
                return group
        for group in groups:
            if group.title.strip().casefold() == title.strip().casefold():
                return group
        raise InvalidGroupName(title, [group.title for group in groups])

    async def find_list(self, name: str) -> AcList | None:
        """The list named ``name`` (exact, then case-insensitive), or None."""
        found = [
            AcList.model_validate(item)
            async for item in self._paged("lists", "lists", {"filters[name]": name})
        ]
        for candidate in found:
            if candidate.name == name:
                return candidate
        for candidate in found:
            if candidate.name.strip().casefold() == name.strip().casefold():
                return candidate
        return None

    async def create_list(
        self,
        name: str,
        *,
        stringid: str | None = None,
        sender_url: str | None = None,
        sender_reminder: str | None = None,
    ) -> AcList:
        """Create a list (sent once: a create is never retried blindly; see :meth:`ensure_list`)."""
        parts = urlsplit(self.base_url)
        payload = {
            "list": {
                "name": name,
                "stringid": stringid or slugify(name),
                "sender_url": sender_url or f"{parts.scheme}://{parts.netloc}",
                "sender_reminder": sender_reminder or SENDER_REMINDER,
            }
        }
        data = await self._request("POST", "lists", body=payload, retry=False)
        return AcList.model_validate(_item(data, "list", "POST", f"{self._prefix}/lists"))

    async def ensure_list(self, name: str, group_title: str) -> AcList:
        """Find or create the list, and make a list created here visible to the user group.

        The group is checked first, so a wrong group name fails before anything is created. When
        the create gets no clear answer (timeout, dropped connection, 5xx), the list is looked up
        again instead of being created twice, and created again (with the client's backoff)
        when it is not there. A ``stringid`` another list already has gets a numbered suffix
        (``promo-2`` after ``promo``): the user never typed it and cannot fix it.
        """
        group = await self.find_group(group_title)
        existing = await self.find_list(name)
        if existing is not None:
            return existing
        created = await self._create_list_retried(name)
        await self._request(
            "POST",
            "listGroups",
            body={"listGroup": {"listid": _int(created.id), "groupid": _int(group.id)}},
        )
        return created

    async def _create_list_retried(self, name: str) -> AcList:
        """``POST /lists`` until it is answered: unclear answers looked up, then retried."""
        stringids = stringid_candidates(name)
        attempt = 0
        while True:
            try:
                return await self.create_list(name, stringid=stringids[0])
            except ValidationFailed as error:
                if error.field != "stringid" or len(stringids) == 1:
                    raise
                stringids.pop(0)  # taken by another list: the next suffix
            except (ServerError, Unreachable, RateLimited) as error:
                again = await self.find_list(name)
                if again is not None:
                    return again
                transient = not isinstance(error, Unreachable) or error.reason in (
                    "timeout",
                    "dropped",
                )
                if not transient or attempt >= self.retries:
                    raise
                attempt += 1
                self.throttle.count_retry()
                await asyncio.sleep(self._delay(attempt))

    async def list_subscribers(self, list_id: str, status: int = 1) -> AsyncIterator[AcContactRef]:
        """Every contact with ``status`` on the list, by ascending id (ListNotFound if no list)."""
        await self._request("GET", f"lists/{list_id}")
        last_id = 0
        while True:
            page = await self._request(
                "GET",
                "contacts",
                params={
                    "listid": list_id,
                    "status": status,
                    "orders[id]": "ASC",
                    "id_greater": last_id,
                    "limit": PAGE_SIZE,
                },
            )
            contacts = page.get("contacts") or []
            for item in contacts:
                ref = AcContactRef.model_validate(item)
                last_id = max(last_id, _int(ref.id))
                yield ref
            if len(contacts) < PAGE_SIZE:
                return

    # -- fields, contacts ------------------------------------------------------------------------

    async def fields(self) -> list[AcField]:
        """Every custom contact field."""
        return [AcField.model_validate(item) async for item in self._paged("fields", "fields")]

    async def resolve_fields(self, names: Iterable[str]) -> dict[str, str]:
        """Map each name (a field's title or perstag, any case, with or without %) to its id."""
        fields = await self.fields()
        by_name: dict[str, str] = {}
        for field in fields:
            by_name.setdefault(field.title.strip().casefold(), field.id)
        for field in fields:
            if field.perstag:
                by_name.setdefault(field.perstag.strip("%").casefold(), field.id)
        resolved: dict[str, str] = {}
        unknown: list[str] = []
        for name in names:
            key = name.strip().strip("%").casefold()
            if key in by_name:
                resolved[name] = by_name[key]
            else:
                unknown.append(name)
        if unknown:
            existing = ", ".join(
                f"{f.title} ({f.perstag})" if f.perstag else f.title for f in fields
            )
            raise ValidationFailed(
                f"ActiveCampaign has no custom field named {', '.join(map(repr, unknown))} "
                f"(fields: {existing or 'none'}); create it in Contacts > Fields or map the "
                "attribute to an existing field.",
                field=unknown[0],
            )
        return resolved

    async def sync_contact(self, contact: Contact) -> str:
        """Create or update a contact by email; returns its id."""
        payload: dict[str, Any] = {"email": contact.email}
        for key, value in (
            ("firstName", contact.first_name),
            ("lastName", contact.last_name),
            ("phone", contact.phone),
        ):
            if value is not None:
                payload[key] = value
        if contact.fields:
            payload["fieldValues"] = [{"field": fid, "value": val} for fid, val in contact.fields]
        data = await self._request("POST", "contact/sync", body={"contact": payload})
        item = _item(data, "contact", "POST", f"{self._prefix}/contact/sync")
        return str(item["id"])

    async def set_list_status(self, contact_id: str, list_id: str, status: int) -> None:
        """Subscribe (1) or unsubscribe (2) a contact on a list."""
        await self._request(
            "POST",
            "contactLists",
            body={
                "contactList": {
                    "list": _int(list_id),
                    "contact": _int(contact_id),
                    "status": status,
                }
            },
        )

    async def find_contact(self, email: str) -> AcContactRef | None:
        """The contact with this email, or None."""
        data = await self._request("GET", "contacts", params={"email": email.strip().lower()})
        contacts = data.get("contacts") or []
        return AcContactRef.model_validate(contacts[0]) if contacts else None

    # -- bulk import, exclusions -----------------------------------------------------------------

    async def bulk_import(
        self,
        contacts: Sequence[Contact],
        *,
        subscribe_list: str | None,
        unsubscribe_list: str | None,
    ) -> str:
        """Queue up to 250 contacts (under 400,000 bytes) for import; returns the batch id."""
        return await self.bulk_import_encoded(
            [encode_bulk_contact(c) for c in contacts],
            subscribe_list=subscribe_list,
            unsubscribe_list=unsubscribe_list,
        )

    async def bulk_import_encoded(
        self,
        items: Sequence[str],
        *,
        subscribe_list: str | None,
        unsubscribe_list: str | None,
    ) -> str:
        """:meth:`bulk_import` of contacts already encoded by :func:`encode_bulk_contact`.

        The list instruction is spliced into each item and the body is sent as built, so a
        sender that stores the encoded contacts never decodes or encodes them again.
        """
        if not items:
            raise ValueError("bulk_import needs at least one contact.")
        if len(items) > BULK_MAX_CONTACTS:
            raise ValueError(
                f"bulk_import takes at most {BULK_MAX_CONTACTS} contacts, got {len(items)}."
            )
        body = _bulk_body(items, subscribe_list, unsubscribe_list)
        if len(body) >= BULK_MAX_BYTES:
            raise ValueError(
                f"bulk_import payload is {len(body)} bytes; ActiveCampaign takes under "
                f"{BULK_MAX_BYTES}: send fewer contacts per batch."
            )
        kind: RequestKind = "single_import" if len(items) == 1 else "bulk"
        data = await self._request("POST", "import/bulk_import", content=body, kind=kind)
        batch_id = data.get("batchId") or data.get("batch_id")
        if not batch_id:
            raise ActiveCampaignError(
                f"ActiveCampaign did not queue the import: POST {self._prefix}/import/bulk_import "
                f"answered without a batch id ({data.get('message', 'no message')}). Try again.",
                method="POST",
                path=f"{self._prefix}/import/bulk_import",
            )
        return str(batch_id)

    async def import_info(self, batch_id: str) -> ImportInfo:
        """The status of a bulk import and, once done, its successes and failures."""
        data = await self._request("GET", "import/info", params={"batchId": batch_id})
        return ImportInfo.model_validate(data)

    async def exclusions(self) -> list[AcExclusion]:
        """The account's exclusion list."""
        return [
            AcExclusion.model_validate(item)
            async for item in self._paged("lists/exclusions", "exclusions")
        ]


def slugify(name: str) -> str:
    """A list's ``stringid``: lower-case letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "list"


#: numbered stringids tried after the plain one, before a random one
STRINGID_SUFFIXES = 20


def stringid_candidates(name: str) -> list[str]:
    """The stringids to try for a new list: its slug, then ``slug-2``... then a random one."""
    slug = slugify(name)
    numbered = [f"{slug}-{n}" for n in range(2, STRINGID_SUFFIXES + 2)]
    return [slug, *numbered, f"{slug}-{secrets.token_hex(4)}"]


def encode_bulk_contact(contact: Contact) -> str:
    """One contact of a bulk import as compact JSON, without its list instruction."""
    return _COMPACT_JSON.encode(_bulk_contact(contact))


def _bulk_body(
    items: Sequence[str], subscribe_list: str | None, unsubscribe_list: str | None
) -> bytes:
    """``{"contacts": [...]}`` from encoded items, each given the list instruction."""
    instruction = ""
    if subscribe_list is not None:
        instruction += ',"subscribe":[{"listid":' + json.dumps(str(subscribe_list)) + "}]"
    if unsubscribe_list is not None:
        instruction += ',"unsubscribe":[{"listid":' + json.dumps(str(unsubscribe_list)) + "}]"
    for item in items:
        if not (item.startswith("{") and item.endswith("}")):
            raise ValueError("bulk_import_encoded takes JSON objects from encode_bulk_contact.")
    if instruction:
        joined = ",".join(item[:-1] + instruction + "}" for item in items)
    else:
        joined = ",".join(items)
    return ('{"contacts":[' + joined + "]}").encode()


def _bulk_contact(contact: Contact) -> dict[str, Any]:
    item: dict[str, Any] = {"email": contact.email}
    for key, value in (
        ("first_name", contact.first_name),
        ("last_name", contact.last_name),
        ("phone", contact.phone),
    ):
        if value is not None:
            item[key] = value
    if contact.tags:
        item["tags"] = list(contact.tags)
    if contact.fields:
        item["fields"] = [{"id": _int_or_str(fid), "value": val} for fid, val in contact.fields]
    return item


def _item(data: dict[str, Any], key: str, method: str, path: str) -> dict[str, Any]:
    item = data.get(key)
    if not isinstance(item, dict) or "id" not in item:
        raise ActiveCampaignError(
            f"ActiveCampaign gave an unexpected answer: {method} {path} answered without a "
            f"'{key}'. Try again; if it persists, report it.",
            method=method,
            path=path,
        )
    return item


def _total(page: dict[str, Any]) -> int | None:
    meta = page.get("meta")
    total = meta.get("total") if isinstance(meta, dict) else None
    try:
        return int(total) if total is not None else None
    except (TypeError, ValueError):
        return None


def _int(value: str) -> int:
    return int(value)


def _int_or_str(value: str) -> int | str:
    return int(value) if value.isdigit() else value
