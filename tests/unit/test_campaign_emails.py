"""Email normalization and the validity rule: fast, strict, never looser than email-validator."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from actui.campaigns.emails import REASON_MISSING, check_email, is_valid_email


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("  Jane.Doe@Gmail.COM ", "jane.doe@gmail.com"),
        ("\tx+tag@example.org\r\n", "x+tag@example.org"),
        ("o'brien@mail.co", "o'brien@mail.co"),
        ("ab--cd@xn--mnchen-3ya.de", "ab--cd@xn--mnchen-3ya.de"),
    ],
)
def test_valid_addresses_are_trimmed_and_lower_cased(raw: str, normalized: str) -> None:
    assert check_email(raw) == (normalized, None)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (None, REASON_MISSING),
        ("   ", REASON_MISSING),
        ("jane.doe.gmail.com", "exactly one @"),
        ("jane@@gmail.com", "exactly one @"),
        ("@gmail.com", "nothing before the @"),
        ("jane..doe@gmail.com", "dots"),
        (".jane@gmail.com", "dots"),
        ("jane doe@gmail.com", "spaces"),
        ("jane@gmail", "no dot"),
        ("jane@gmail.c", "2 or more letters"),
        ("jane@gmail.c0m", "2 or more letters"),
        ("jane@-gmail.com", "domain is malformed"),
        ("jane@gmail..com", "domain is malformed"),
        ("0@00--0.aa", "domain is malformed"),
        ("jane@mail.ab--cd.com", "domain is malformed"),
        ("jane@host.localhost", ".localhost"),
        ("jané@gmail.com", "non-ASCII"),
        ("ja(ne)@gmail.com", "characters not allowed"),
        ("a" * 65 + "@gmail.com", "64 characters"),
    ],
)
def test_invalid_addresses_get_a_reason_a_person_can_act_on(raw: str | None, words: str) -> None:
    _, reason = check_email(raw)
    assert reason is not None and words in reason


_LOCAL = st.text(alphabet="abcxyz019.+-_'!#%&*/=?^`{|}~", min_size=1, max_size=70)
_DOMAIN = st.text(alphabet="abcz09-.", min_size=1, max_size=30)
_TLD = st.text(alphabet="acmorz09-", min_size=0, max_size=5)


@settings(max_examples=400, deadline=None)
@given(_LOCAL, _DOMAIN, _TLD)
def test_every_address_the_rule_accepts_email_validator_accepts(
    local: str, domain: str, tld: str
) -> None:
    address = f"{local}@{domain}.{tld}"
    if is_valid_email(address):
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as error:  # pragma: no cover - the assertion's message
            pytest.fail(f"{address!r} passes our rule but email-validator says: {error}")


def test_contacts_compare_on_what_is_sent_and_cannot_be_changed() -> None:
    """A send diffs contacts by what is sent: the customer key they came from is not part of it."""
    from actui.campaigns.contacts import Contact

    contact = Contact("a@b.co", "Jane", None, "555", (("7", "x"),), ("gold",), "C1")
    same = contact._replace(customer_key="C2")
    assert contact == same and hash(contact) == hash(same) and contact.digest() == same.digest()
    assert contact != contact._replace(first_name="Janet")
    assert contact.customer_key == "C1"
    with pytest.raises(AttributeError):
        contact.email = "other@b.co"  # type: ignore[misc]
