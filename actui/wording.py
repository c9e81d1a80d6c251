"""Words for counts: "1 condition", "2 conditions"; the one place plurals are made."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` with the noun in the right number, the count with thousands separators."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {noun}"
