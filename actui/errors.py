"""The base of every error actui reports to a user: one clear sentence, with the action to take."""

from __future__ import annotations


class ActuiError(Exception):
    """An error meant for the user.

    ``str(error)`` is a complete sentence that says what went wrong and, where there is one, what
    to do about it. The command line prints it and exits with code 2; the TUI shows it in a
    notification. Subclasses never carry secrets.
    """

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
