"""F1: every key of the screen underneath, with what it does, grouped by where it applies."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from actui.tui.actions import ALL_ACTIONS


class HelpScreen(ModalScreen[None]):
    """A modal table of the active key bindings; Escape or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", id="actui.help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static("Ctrl+P opens the command palette; Escape closes this.", classes="muted")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_column("Key", width=12)
        table.add_column("Action", width=34)  # long editing-key texts wrap
        table.add_column("Where", width=12)
        underneath = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self
        seen: set[tuple[str, str]] = set()
        active_ids: set[str] = set()
        # the app's and the screen's own actions first, a focused field's editing keys last
        ordered = sorted(
            underneath.active_bindings.items(),
            key=lambda item: not (item[1].binding.id or "").startswith("actui."),
        )
        for key, active in ordered:
            binding = active.binding
            if binding.id:
                active_ids.add(binding.id)
            if not binding.description or binding.system:
                continue
            where = "everywhere" if active.node is self.app else _where(active.node)
            if (binding.description, where) in seen:
                continue
            seen.add((binding.description, where))
            table.add_row(  # height None: a long description wraps instead of being cut
                self.app.get_key_display(binding.with_key(key)),
                binding.description,
                where,
                height=None,
            )
        self._add_other_screens(table, active_ids)
        table.focus()

    def _add_other_screens(self, table: DataTable[str], active_ids: set[str]) -> None:
        """Below the current keys, the keys of the other main screens (as the keymap sets them)."""
        keymap: dict[str, str] = getattr(getattr(self.app, "services", None), "keymap", {})
        for where, specs in ALL_ACTIONS.items():
            if any(spec.id in active_ids for spec in specs):
                continue
            for spec in specs:
                key = keymap.get(spec.id, spec.key).split(",")[0].strip()
                table.add_row(
                    self.app.get_key_display(spec.binding().with_key(key)),
                    spec.description,
                    where.lower(),
                    height=None,
                )


def _where(node: object) -> str:
    name = type(node).__name__
    for suffix in ("Screen", "Editor", "Row"):
        name = name.removesuffix(suffix)
    return name.lower() or "screen"
