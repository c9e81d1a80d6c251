"""Email normalization and validity (shared by sends, insights and the database hook): one rule.

The rule (``EMAIL_RULE``) is the WHATWG/HTML5 "valid e-mail address" grammar, tightened where
ActiveCampaign and mail servers are stricter:

* the address is ASCII, at most 254 characters, with a local part of at most 64;
* the local part uses the HTML5 characters (letters, digits and ``.!#$%&'*+/=?^_`{|}~-``), does
  not start or end with a dot and has no two dots in a row;
* the domain has at least two labels of letters, digits and inner hyphens (each 1 to 63
  characters), no label but a Punycode one (``xn--``) has hyphens as its 3rd and 4th characters
  (IDNA reserves them), and its last label (the top-level domain) is 2 or more letters;
* special-use top-level domains that can never receive mail (``localhost``, ``invalid``, ``test``,
  ``local``, ``example``, ``onion``, ``arpa``) are refused, as ``email-validator`` refuses them.

Every address the rule accepts is also accepted by ``email-validator`` with
``check_deliverability=False`` (the tests hold it to that); the rule is a compiled regular
expression because ``email-validator`` costs tens of microseconds an address, too slow to stream
200,000 contacts a second. Normalization strips spaces, tabs and line breaks around the address and
lower-cases it; whatever else is odd makes the address invalid, with a reason a person can act on.
"""

from __future__ import annotations

import re
from typing import Any, Final

#: the characters stripped around an address (the database strips exactly the same ones)
STRIP_CHARS: Final = " \t\r\n"

EMAIL_RULE: Final = (
    "HTML5 (WHATWG) valid e-mail address, ASCII only, no leading, trailing or doubled dots in the "
    "local part, a top-level domain of 2+ letters, at most 64 + 254 characters"
)

#: top-level domains that can never receive mail
SPECIAL_USE_TLDS: Final = frozenset(
    {"localhost", "invalid", "test", "local", "example", "onion", "arpa"}
)
#: one domain label, and one dot-free run of the local part (also used by the SQL translations)
LABEL_PATTERN: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
ATOM_PATTERN: Final = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
#: found after the @: a label whose 3rd and 4th characters are hyphens, not Punycode's ``xn--``
#: (no lookaround, so every SQL engine reads it alike)
RESERVED_HYPHENS_PATTERN: Final = r"@([^@]*\.)?([^x.@][^.@]|x[^n.@])--"
_SPECIAL_USE_TLDS = SPECIAL_USE_TLDS
_LABEL = LABEL_PATTERN
_ATOM = ATOM_PATTERN
_NOT_SPECIAL_TLD = rf"(?!(?:{'|'.join(sorted(_SPECIAL_USE_TLDS))})$)"
#: the compiled rule; ``VALID_EMAIL.fullmatch(normalized)`` is the fast path of a stream
VALID_EMAIL = re.compile(
    rf"(?=[^@]{{1,64}}@)(?=.{{3,254}}$)"  # local part <= 64, whole address <= 254
    rf"{_ATOM}(?:\.{_ATOM})*"  # dot-atom local part: no leading, trailing or doubled dots
    rf"@(?!(?:{_LABEL}\.)*(?!xn)[a-z0-9-]{{2}}--)"  # no reserved hyphens but Punycode's
    rf"(?:{_LABEL}\.)+{_NOT_SPECIAL_TLD}[a-z]{{2,63}}",  # labels, then a 2+ letter TLD
    re.ASCII,
)

_SPACE_OR_CONTROL: Final = re.compile(r"[\x00-\x20\x7f]").search

REASON_MISSING: Final = "missing email"
REASON_DUPLICATE: Final = "duplicate email"


def normalize_email(raw: str) -> str:
    """Trim spaces, tabs and line breaks around ``raw`` and lower-case it."""
    return raw.strip(STRIP_CHARS).lower()


def is_valid_email(normalized: str) -> bool:
    """Whether an already normalized address passes :data:`EMAIL_RULE`."""
    return VALID_EMAIL.fullmatch(normalized) is not None


def check_email(raw: str | None) -> tuple[str, str | None]:
    """Normalize ``raw``: ``(normalized, None)`` when valid, else ``(normalized, reason)``."""
    if raw is None:
        return "", REASON_MISSING
    normalized = raw.strip(STRIP_CHARS).lower()
    if VALID_EMAIL.fullmatch(normalized) is not None:
        return normalized, None
    return normalized, invalid_reason(normalized)


def invalid_reason(normalized: str) -> str:
    """Say why a normalized address fails the rule, in words a person can fix the data with."""
    if not normalized:
        return REASON_MISSING
    if not normalized.isascii():
        return "invalid email: has non-ASCII characters"
    if _SPACE_OR_CONTROL(normalized):  # ASCII by now: spaces and controls are \x00-\x20, \x7f
        return "invalid email: has spaces or control characters inside"
    if normalized.count("@") != 1:
        return "invalid email: needs exactly one @"
    local, domain = normalized.split("@")
    if not local:
        return "invalid email: nothing before the @"
    if len(local) > 64:
        return "invalid email: more than 64 characters before the @"
    if len(normalized) > 254:
        return "invalid email: longer than 254 characters"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "invalid email: misplaced dots before the @"
    if not re.fullmatch(rf"{_ATOM}(?:\.{_ATOM})*", local, re.ASCII):
        return "invalid email: characters not allowed before the @"
    if "." not in domain:
        return "invalid email: the domain has no dot"
    labels = domain.split(".")
    if any(not re.fullmatch(_LABEL, label, re.ASCII) for label in labels) or re.search(
        RESERVED_HYPHENS_PATTERN, normalized
    ):
        return "invalid email: the domain is malformed"
    top_level = labels[-1]
    if top_level in _SPECIAL_USE_TLDS:
        return f"invalid email: .{top_level} addresses cannot receive mail"
    return "invalid email: the top-level domain must be 2 or more letters"


def rejection_reason(raw: str | None) -> str:
    """Why ``raw`` cannot be sent; for rows whose database-normalized email failed the rule."""
    if raw is None:
        return REASON_MISSING
    normalized = normalize_email(raw)
    if not is_valid_email(normalized):
        return invalid_reason(normalized)
    return "invalid email: has unusual characters around it"


#: the name of the deterministic SQLite function returning :func:`sql_email_reason`
SQLITE_EMAIL_REASON_FUNCTION: Final = "actui_email_reason"


def sql_email_reason(raw: object) -> str | None:
    """Why the database value ``raw`` would be rejected by a send, or None when it is sendable.

    Called by SQLite for every row (see :func:`register_sqlite_email_functions`); a non-text value
    is judged on its text, as the database's ``lower(trim(...))`` would see it.
    """
    if raw is None:
        return REASON_MISSING
    text = raw if isinstance(raw, str) else _as_text(raw)
    reason = check_email(text)[1]
    if reason is None and not text.isascii():  # e.g. the Kelvin sign, which lower-cases to "k"
        return "invalid email: has non-ASCII characters"
    return reason


def _as_text(raw: object) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return str(raw)


def register_sqlite_email_functions(dbapi_connection: Any) -> None:
    """Make :data:`SQLITE_EMAIL_REASON_FUNCTION` callable in SQL on one ``sqlite3`` connection."""
    dbapi_connection.create_function(
        SQLITE_EMAIL_REASON_FUNCTION, 1, sql_email_reason, deterministic=True
    )
