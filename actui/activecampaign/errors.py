"""Every error the ActiveCampaign client raises, and the one place that turns a response into one.

Modelled on httpx: one base class, one subclass per thing a user can act on. Each message says what
was requested (method and path, never the key or the query), what came back, and what to do.
"""

from __future__ import annotations

import json
import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from actui.errors import ActuiError

_KEY_HELP = (
    "Check the API key in Settings > Developer of your ActiveCampaign account and store it again "
    "with 'actui credentials add NAME --url URL'."
)


class ActiveCampaignError(ActuiError):
    """Something went wrong talking to ActiveCampaign; ``str()`` says what and what to do."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status


class InvalidCredentials(ActiveCampaignError):
    """ActiveCampaign refused the API key (403, or 401)."""


class InvalidGroupName(ActiveCampaignError):
    """The destination names a user group the account does not have."""

    def __init__(self, title: str, existing: list[str]) -> None:
        names = ", ".join(repr(name) for name in existing) or "none"
        super().__init__(
            f"ActiveCampaign has no user group named {title!r} (groups: {names}); "
            "set the destination's group to one of them or create it in Settings > Users."
        )
        self.title = title
        self.existing = existing


class NotFound(ActiveCampaignError):
    """ActiveCampaign answered 404 for something actui expected to exist."""


class ListNotFound(NotFound):
    """The list a request names does not exist (any more) in the account."""


class RateLimited(ActiveCampaignError):
    """ActiveCampaign kept answering 429 after every retry; ``retry_after`` is in seconds."""

    def __init__(self, message: str, *, retry_after: float, **where: Any) -> None:
        super().__init__(message, **where)
        self.retry_after = retry_after


class BulkImportRateLimited(RateLimited):
    """Over the bulk import limit (100 multi-contact or 20 single-contact imports a minute)."""


class ValidationFailed(ActiveCampaignError):
    """ActiveCampaign (or the client, before sending) rejected a value; ``field`` names it."""

    def __init__(self, message: str, *, field: str | None = None, **where: Any) -> None:
        super().__init__(message, **where)
        self.field = field


class ContactExcluded(ValidationFailed):
    """The contact's email is on the account's exclusion list; ActiveCampaign will not take it."""


class ServerError(ActiveCampaignError):
    """ActiveCampaign answered 5xx after every retry (a 503 is retried like a 429)."""


class Unreachable(ActiveCampaignError):
    """No answer at all: DNS, TLS, refused, dropped connection or timeout (``reason``)."""

    def __init__(self, message: str, *, reason: str, **where: Any) -> None:
        super().__init__(message, **where)
        self.reason = reason


def parse_body(response: httpx.Response) -> Any:
    """The JSON body, or None when there is none or it does not parse (never raises)."""
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None


def retry_after_seconds(response: httpx.Response, default: float = 1.0) -> float:
    """The Retry-After header in seconds (whole seconds or an HTTP date), else ``default``."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def describe_body(body: Any) -> str:
    """ActiveCampaign's own words from an error body, short; '' when it has none."""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors[:5]:
            if isinstance(item, dict):
                text = " ".join(str(item[k]) for k in ("title", "detail") if item.get(k))
                if text:
                    parts.append(text)
    for key in ("message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            parts.append(body[key])
    reasons = body.get("failureReasons")
    if isinstance(reasons, list):
        for reason in reasons[:5]:
            if isinstance(reason, dict):
                where = f"contact {reason['contact']}: " if "contact" in reason else ""
                parts.append(f"{where}{reason.get('failureReason', '')}".strip())
            else:
                parts.append(str(reason))
    text = "; ".join(dict.fromkeys(p for p in parts if p))
    return text if len(text) <= 300 else text[:297] + "..."


def _first_field(body: Any) -> str | None:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list):
        for item in errors:
            pointer = (item.get("source") or {}).get("pointer") if isinstance(item, dict) else None
            if isinstance(pointer, str) and pointer:
                return pointer.rsplit("/", 1)[-1]
    return None


def _is_exclusion(body: Any) -> bool:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return False
    text = json.dumps(errors).lower()
    return "exclu" in text


def is_bulk_rate_limit(body: Any) -> bool:
    """True for the bulk import's '400 Rate limit exceeded.' body."""
    if not isinstance(body, dict):
        return False
    message = str(body.get("message", "")).lower()
    return "rate limit" in message


def error_from_response(
    method: str, path: str, response: httpx.Response, *, attempts: int = 1
) -> ActiveCampaignError:
    """The error for a non-2xx response: the one place HTTP statuses become user-facing messages."""
    status = response.status_code
    body = parse_body(response)
    said = describe_body(body)
    came_back = f"{status} {response.reason_phrase}".strip() + (f" ({said})" if said else "")
    if attempts > 1:
        came_back += f" on each of {attempts} attempts"
    asked = f"{method} {path}"
    where: dict[str, Any] = {"method": method, "path": path, "status": status}
    bulk = path.endswith("/import/bulk_import")
    if status in (401, 403):
        return InvalidCredentials(
            f"ActiveCampaign refused the API key: {asked} answered {came_back}. {_KEY_HELP}",
            **where,
        )
    if status == 429 or (status == 400 and bulk and is_bulk_rate_limit(body)):
        wait = retry_after_seconds(response, default=60.0 if status == 400 else 1.0)
        kind = BulkImportRateLimited if bulk else RateLimited
        return kind(
            f"ActiveCampaign is rate limiting this account: {asked} answered {came_back}. "
            f"Wait {wait:g} s and try again; other tools sharing the account's key slow it too.",
            retry_after=wait,
            **where,
        )
    if status == 404:
        kind_nf = ListNotFound if "/lists" in path or "listid" in path else NotFound
        return kind_nf(
            f"ActiveCampaign has no such item: {asked} answered {came_back}. "
            "It may have been deleted in ActiveCampaign; check the destination's settings.",
            **where,
        )
    if status in (400, 422):
        field = _first_field(body)
        if _is_exclusion(body):
            return ContactExcluded(
                f"ActiveCampaign refused the contact because it is on the exclusion list: {asked} "
                f"answered {came_back}. Remove it from the exclusion list or from the audience.",
                field=field,
                **where,
            )
        about = f" field {field!r}:" if field else ""
        return ValidationFailed(
            f"ActiveCampaign rejected the request:{about} {asked} answered {came_back}. "
            "Fix the value it names and send again.",
            field=field,
            **where,
        )
    if status >= 500:
        return ServerError(
            f"ActiveCampaign had a server error: {asked} answered {came_back}. "
            "This is on ActiveCampaign's side; try again in a few minutes.",
            **where,
        )
    return ActiveCampaignError(
        f"ActiveCampaign gave an unexpected answer: {asked} answered {came_back}. "
        "Try again; if it persists, run with verbose logs and report it.",
        **where,
    )


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def unreachable_reason(error: httpx.TransportError) -> str:
    """'timeout', 'dns', 'tls', 'refused', 'dropped' or 'connect': why no answer came back."""
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "dropped"
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return "dns"
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, ConnectionRefusedError):
            return "refused"
    text = str(error).lower()
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "dns"
    if "ssl" in text or "certificate" in text:
        return "tls"
    if "refused" in text or "all connection attempts failed" in text:
        return "refused"
    return "connect"


def unreachable_error(
    method: str,
    path: str,
    error: httpx.TransportError,
    *,
    host: str,
    timeout: float,
    attempts: int = 1,
) -> Unreachable:
    """The error for a request that got no answer, saying which kind of failure it was."""
    reason = unreachable_reason(error)
    what = {
        "timeout": f"no answer from {host} within {timeout:g} s",
        "dns": f"the host name {host} does not resolve (DNS)",
        "tls": f"the TLS handshake with {host} failed ({error})",
        "refused": f"{host} refused the connection",
        "dropped": f"{host} dropped the connection before answering",
        "connect": f"could not connect to {host} ({error})",
    }[reason]
    todo = {
        "timeout": "Check your network, or try again later.",
        "dns": "Check the account URL (Settings > Developer) and your network.",
        "tls": "Check the account URL, the system clock and the CA certificates.",
        "refused": "Check the account URL; for the local emulator, start it with 'actui sandbox'.",
        "dropped": "Try again; if it persists, check your network or proxy.",
        "connect": "Check the account URL and your network.",
    }[reason]
    tries = f" ({attempts} attempts)" if attempts > 1 else ""
    return Unreachable(
        f"Cannot reach ActiveCampaign: {what} for {method} {path}{tries}. {todo}",
        reason=reason,
        method=method,
        path=path,
    )
