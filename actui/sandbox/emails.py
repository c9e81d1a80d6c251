"""Which email addresses the emulator accepts, and which ones an exclusion rule matches.

The rule, stricter than RFC 5322 on purpose (ActiveCampaign rejects addresses such as
``invalid'character@example.com`` and ``invalid.email@invalidDomain``):

* exactly one ``@``, no whitespace, at most 254 characters;
* a local part of letters, digits and ``. _ % + -`` (at most 64 characters), not starting or
  ending with a dot and without two dots in a row;
* a domain of dot-separated labels of letters, digits and hyphens (no label starting or ending
  with a hyphen), whose last label (the TLD) is at least two letters.

Bulk import splits the rule in two: an address that is not even ``something@something`` without
whitespace fails validation (a 400, nothing queued); one that has that shape but breaks the rest of
the rule is accepted into the batch and comes back under ``failure``. ``/contacts`` and
``/contact/sync`` apply the whole rule and answer 422 ``email_invalid``.
"""

from __future__ import annotations

import re

_LOCAL = re.compile(r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$")
_TLD = re.compile(r"^[A-Za-z]{2,}$")
#: any character ``str.isspace`` accepts (``\s`` on str patterns is the same set)
_SPACE = re.compile(r"\s")


def normalize(email: str) -> str:
    """The key emails are matched on: trimmed and lower-cased."""
    return email.strip().lower()


def has_email_shape(email: object) -> bool:
    """True when ``email`` is a string of the form ``local@domain`` without whitespace."""
    if not isinstance(email, str) or _SPACE.search(email):
        return False
    local, at, domain = email.partition("@")
    return bool(at) and bool(local) and bool(domain) and "@" not in domain


def is_valid_email(email: object) -> bool:
    """True when ``email`` passes the emulator's whole address rule (see the module docstring)."""
    if not has_email_shape(email) or not isinstance(email, str) or len(email) > 254:
        return False
    local, _, domain = email.partition("@")
    if len(local) > 64 or not _LOCAL.match(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    return bool(_TLD.match(labels[-1]))


def exclusion_matches(email: str, phrase: str, match_type: str) -> bool:
    """True when an exclusion rule (``exact`` address or ``end`` of address) covers ``email``."""
    address, rule = normalize(email), normalize(phrase)
    if match_type == "exact":
        return address == rule
    if match_type == "end":
        return address.endswith(rule)
    return False
