"""The command palette provider: every action with an id that fits the current screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode


class ActionCommands(Provider):
    """Offers the active bindings of the screen the palette was opened on (and the app's)."""

    def _commands(self) -> list[tuple[str, str, DOMNode, str]]:
        seen: set[str] = set()
        found: list[tuple[str, str, DOMNode, str]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.id or not binding.description or binding.id in seen:
                continue
            if not active.enabled:
                continue
            seen.add(binding.id)
            key = self.app.get_key_display(binding)
            found.append((binding.description, binding.action, active.node, key))
        return found

    async def discover(self) -> Hits:
        for title, action, node, key in self._commands():
            yield DiscoveryHit(
                title, partial(self.app.run_action, action, node), help=f"Key: {key}"
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, node, key in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action, node),
                    help=key,
                )
