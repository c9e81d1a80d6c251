"""Setup calls of a send (list, group and field lookups) are tried again like batches."""

from __future__ import annotations

import pytest

from actui.activecampaign import InvalidCredentials, ServerError, Unreachable
from actui.sync import staging
from actui.sync.staging import SETUP_ATTEMPTS, setup_call


class Flaky:
    """A lookup that fails with ``errors`` in turn, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "SETUP_BACKOFF", 0.0)


async def test_a_lookup_that_fails_for_a_while_is_tried_again() -> None:
    lookup = Flaky(ServerError("502"), Unreachable("dropped", reason="dropped"))
    assert await setup_call(lookup) == "answer"
    assert lookup.calls == 3


async def test_a_lookup_failing_every_time_gives_up_after_the_attempts() -> None:
    lookup = Flaky(*(ServerError(f"50{n}") for n in range(SETUP_ATTEMPTS + 1)))
    with pytest.raises(ServerError):
        await setup_call(lookup)
    assert lookup.calls == SETUP_ATTEMPTS


@pytest.mark.parametrize(
    "error",
    [Unreachable("refused", reason="refused"), InvalidCredentials("refused key")],
    ids=["connection refused", "key refused"],
)
async def test_a_refusal_is_not_tried_again(error: Exception) -> None:
    lookup = Flaky(error)
    with pytest.raises(type(error)):
        await setup_call(lookup)
    assert lookup.calls == 1
