"""Why ActiveCampaign did not take a contact: bulk import lists failed emails without a reason."""

from __future__ import annotations

from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email

from actui.activecampaign import AcExclusion

EXCLUDED = "on the account's exclusion list"
INVALID = "invalid email address"
UNSUBSCRIBED_BEFORE = "unsubscribed from the list before; ActiveCampaign does not re-subscribe"
OTHER = "ActiveCampaign did not accept the contact (it gave no reason)"


def refusal_code(reason: str) -> str:
    """The ``reason_code`` of a contact ActiveCampaign did not take: ``refused`` unless the list
    itself said the contact had unsubscribed (``unsubscribed_before``)."""
    return "unsubscribed_before" if reason == UNSUBSCRIBED_BEFORE else "refused"


def exclusion_rule(email: str, exclusions: Sequence[AcExclusion]) -> AcExclusion | None:
    """The first exclusion entry matching ``email`` ('exact', 'end', 'begin', 'contains')."""
    address = email.strip().lower()
    for rule in exclusions:
        phrase = rule.match_phrase.strip().lower()
        kind = rule.match_type.strip().lower()
        if not phrase:
            continue
        if (
            (kind == "exact" and address == phrase)
            or (kind in ("end", "ends") and address.endswith(phrase))
            or (kind in ("begin", "begins", "start") and address.startswith(phrase))
            or (kind in ("contains", "contain", "any") and phrase in address)
        ):
            return rule
    return None


def is_valid_email(email: str) -> bool:
    """Syntax check only (no DNS), the rule a sender can fix in the Customer 360."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def failure_reason(email: str, exclusions: Sequence[AcExclusion], unsubscribed_before: bool) -> str:
    """The reason to report for an email a bulk import listed under ``failure``."""
    rule = exclusion_rule(email, exclusions)
    if rule is not None:
        return f"{EXCLUDED} ({rule.match_type} match on {rule.match_phrase!r})"
    if not is_valid_email(email):
        return INVALID
    if unsubscribed_before:
        return UNSUBSCRIBED_BEFORE
    return OTHER
