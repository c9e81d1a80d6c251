"""The app's screens (one per file) and the lazy loader that keeps first paint fast."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

if TYPE_CHECKING:
    from actui.tui.services import Services


class PlaceholderScreen(Screen[None]):
    """Stands in for a screen whose module is not part of this build yet."""

    def __init__(self, title: str) -> None:
        super().__init__(name=title)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="placeholder"):
            yield Static(f"[b]{self.title_text}[/b]", classes="title")
            yield Static(f"The {self.title_text.lower()} screen is not available yet.")
        yield Footer()


def load_screen(module_name: str, class_name: str, title: str, services: Services) -> Screen[None]:
    """Import ``module_name`` now and build ``class_name(services)``; a placeholder if missing.

    Every main screen class takes the :class:`Services` as its only constructor argument.
    """
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        return PlaceholderScreen(title)
    screen_class = getattr(module, class_name, None)
    if screen_class is None:
        return PlaceholderScreen(title)
    screen: Screen[None] = screen_class(services)
    return screen
