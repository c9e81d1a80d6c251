"""Errors as actions: what a send or connection failure means and the one thing to do about it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from actui.activecampaign.errors import (
    InvalidCredentials,
    InvalidGroupName,
    RateLimited,
    Unreachable,
)


@dataclass(frozen=True)
class ErrorAction:
    """A failure turned into the next step: ``hint`` in words, ``action`` a Textual action."""

    hint: str
    action: str | None = None
    label: str | None = None
    wait_seconds: float | None = None


def error_action(error: BaseException, credential: str | None = None) -> ErrorAction | None:
    """The action that fixes ``error``, when there is one beyond reading its message."""
    if isinstance(error, InvalidCredentials):
        target = f"'{credential}'" if credential else "the credential"
        return ErrorAction(
            hint=(
                f"ActiveCampaign refused the API key: open {target} in Destinations "
                "and store the key again."
            ),
            action=(
                f"app.open_credential({credential!r})"
                if credential
                else "app.switch_mode('destinations')"
            ),
            label="Open the credential",
        )
    if isinstance(error, InvalidGroupName):
        names = ", ".join(error.existing) or "none"
        return ErrorAction(
            hint=f"Set the destination's group to one that exists: {names}.",
            action="app.switch_mode('destinations')",
            label="Edit the destination",
        )
    if isinstance(error, RateLimited):
        return ErrorAction(
            hint=(
                "ActiveCampaign is rate limiting this account; "
                f"try again in {error.retry_after:.0f} s."
            ),
            wait_seconds=error.retry_after,
        )
    if isinstance(error, Unreachable):
        return ErrorAction(
            hint="Check the account URL and your network, then test the destination."
        )
    return None


class RateLimitCountdown(Static):
    """Counts down the seconds until a rate-limited request may be tried again."""

    DEFAULT_CSS = "RateLimitCountdown { height: 1; color: $warning; }"

    def __init__(self, seconds: float, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.remaining = max(0, round(seconds))

    def on_mount(self) -> None:
        self._draw()
        self._timer = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        self.remaining = max(0, self.remaining - 1)
        self._draw()
        if self.remaining == 0:
            self._timer.stop()

    def _draw(self) -> None:
        if self.remaining:
            self.update(Text(f"Rate limited: try again in {self.remaining} s"))
        else:
            self.update(Text("You can try again now."))
