"""Account URLs are accepted as users paste them and normalized to the API base."""

from __future__ import annotations

import pytest

from actui.activecampaign.account import normalize_account_url
from actui.errors import ActuiError


@pytest.mark.parametrize(
    "pasted",
    [
        "https://acme.api-us1.com",
        "https://acme.api-us1.com/",
        "https://acme.api-us1.com/api/3",
        "https://acme.api-us1.com/api/3/",
        "  https://ACME.api-us1.com/api/3/ ",
    ],
)
def test_account_url_with_or_without_api_path(pasted: str) -> None:
    assert normalize_account_url(pasted) == "https://acme.api-us1.com/api/3"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8123", "http://localhost:9/api/3", "http://[::1]:80/", "http://127.2.3.4"],
)
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert normalize_account_url(url).endswith("/api/3")
    assert normalize_account_url(url).startswith("http://")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://acme.api-us1.com", "must use https"),
        ("http://10.0.0.1", "must use https"),
        ("acme.api-us1.com", "not an ActiveCampaign account URL"),
        ("ftp://acme.api-us1.com", "not an ActiveCampaign account URL"),
        ("https://user:pw@acme.api-us1.com", "user name or password"),
    ],
)
def test_unusable_urls_are_refused_with_a_sentence(url: str, says: str) -> None:
    with pytest.raises(ActuiError, match=says):
        normalize_account_url(url)
    with pytest.raises(ValueError):
        normalize_account_url(url)
