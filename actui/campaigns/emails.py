"""Email rule for sends: the shared rule of :mod:`actui.emails`, re-exported here."""

from __future__ import annotations

from actui.emails import (
    EMAIL_RULE,
    REASON_DUPLICATE,
    REASON_MISSING,
    STRIP_CHARS,
    VALID_EMAIL,
    check_email,
    invalid_reason,
    is_valid_email,
    normalize_email,
    rejection_reason,
)

__all__ = [
    "EMAIL_RULE",
    "REASON_DUPLICATE",
    "REASON_MISSING",
    "STRIP_CHARS",
    "VALID_EMAIL",
    "check_email",
    "invalid_reason",
    "is_valid_email",
    "normalize_email",
    "rejection_reason",
]
