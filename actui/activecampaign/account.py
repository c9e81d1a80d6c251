"""Normalize the account URL a user pastes from Settings > Developer into the API base URL."""

from __future__ import annotations

import ipaddress
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from actui.errors import ActuiError


class InvalidAccountUrl(ActuiError, ValueError):
    """The account URL is not one actui can use."""


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (where plain http is allowed: the sandbox)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_account_url(url: str) -> str:
    """The API base, ending in ``/api/3``, of an account URL given with or without it.

    Real accounts must use https; plain http is accepted only for loopback hosts. The URL may
    carry a port (1-65535) and an ``/api/3`` path, nothing else: no other path, query, fragment,
    user name or control character.
    """
    text = url.strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text):
        raise InvalidAccountUrl(
            "The account URL contains a control character (such as a line break); copy it "
            "again from Settings > Developer, e.g. https://youraccount.api-us1.com."
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidAccountUrl(
            f"The account URL {text!r} has a port that is not a number from 1 to 65535; copy "
            "the URL from Settings > Developer, e.g. https://youraccount.api-us1.com."
        ) from None
    if port == 0:
        raise InvalidAccountUrl(
            f"The account URL {text!r} has port 0; give a port from 1 to 65535, or none."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidAccountUrl(
            f"{text!r} is not an ActiveCampaign account URL; copy the URL from Settings > "
            "Developer, e.g. https://youraccount.api-us1.com."
        )
    if parts.scheme != "https" and not is_loopback(parts.hostname):
        raise InvalidAccountUrl(
            f"The account URL {text!r} must use https; only a local emulator (localhost or "
            "127.0.0.1) may use http. Copy the URL from Settings > Developer."
        )
    if parts.username or parts.password:
        raise InvalidAccountUrl(
            "The account URL must not contain a user name or password; give the API key separately."
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api/3"):
        path = path[: -len("/api/3")]
    if path or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise InvalidAccountUrl(
            f"The account URL {text!r} has more than a host and an optional /api/3; give just "
            "the URL from Settings > Developer, e.g. https://youraccount.api-us1.com."
        )
    return urlunsplit((parts.scheme, parts.netloc.lower(), "/api/3", "", ""))
