"""The thin Textual app: modes for each main screen, help, the palette, and the first-run screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen

from actui.tui.actions import APP_ACTIONS, bindings
from actui.tui.commands import ActionCommands
from actui.tui.services import Services, display_url

#: mode -> (screen module, screen class, title); each module is imported on first use
MODE_SCREENS: dict[str, tuple[str, str, str]] = {
    "segments": ("actui.tui.screens.segments", "SegmentsScreen", "Segments"),
    "campaigns": ("actui.tui.screens.campaigns", "CampaignsScreen", "Campaigns"),
    "destinations": ("actui.tui.screens.destinations", "DestinationsScreen", "Destinations"),
    "history": ("actui.tui.screens.history", "HistoryScreen", "History"),
}

#: modes that make no sense before a Customer 360 is connected
NEEDS_SOURCE = frozenset({"segments", "campaigns"})


class ActuiApp(App[None]):
    """actui's terminal app; all data comes through the :class:`Services` passed in."""

    TITLE = "actui"
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses work anywhere
    BINDINGS: ClassVar[list[BindingType]] = bindings(APP_ACTIONS)
    COMMANDS = App.COMMANDS | {ActionCommands}

    def __init__(self, services: Services) -> None:
        self.services = services
        super().__init__()
        for mode, (module, class_name, title) in MODE_SCREENS.items():
            self.add_mode(mode, self._screen_factory(module, class_name, title))
        if services.stable_output:
            self.animation_level = "none"

    #: the unexpected error that ended the app, and the log holding its traceback
    crash: tuple[Exception, Path | None] | None = None

    def _fatal_error(self) -> None:
        """End the app on an unexpected error with its traceback in a private log.

        Textual's own report prints the traceback with local values, which may hold an API key;
        the command that ran the app prints one sentence naming the log instead.
        """
        from actui.crashlog import write_crash_log

        error = self._exception
        if error is not None and self.crash is None:
            self.crash = (error, write_crash_log(error))
        self.bell()
        self._close_messages_no_wait()

    def _screen_factory(
        self, module: str, class_name: str, title: str
    ) -> Callable[[], Screen[None]]:
        from actui.tui.screens import load_screen

        return partial(load_screen, module, class_name, title, self.services)

    def on_mount(self) -> None:
        if self.services.keymap:
            self.set_keymap(self.services.keymap)
        self.sub_title = self._sub_title()
        if self.services.prepare is not None:
            self.services.on_progress = self._report_progress
        if self.services.configured:
            self.switch_mode("segments")
            if self.services.source is None:
                self.call_after_refresh(self._connect)
        else:
            from actui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.services))

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        """Connect to the Customer 360 after the first paint; the screens' workers wait for it."""
        from actui.errors import ActuiError

        url = self.services.db_url
        try:
            self.services.require_source()
        except ActuiError as error:
            self.services.forget_source()
            self.call_from_thread(self._connect_failed, url or "", str(error))
            return
        self.call_from_thread(self._prepared)
        self.call_from_thread(self.prepare_email_facts)

    def _report_progress(self, phrase: str) -> None:
        """Show a step of the preparation (from a worker) after the database name."""
        self.call_from_thread(setattr, self, "sub_title", f"{self._sub_title()} · {phrase}")

    def _prepared(self) -> None:
        self.sub_title = self._sub_title()

    @work(thread=True, exclusive=True, group="email-facts", exit_on_error=False)
    def prepare_email_facts(self) -> None:
        """Judge every row's email once, in the background, so audience sizes come sooner.

        See :mod:`actui.segments.email_facts`; until the facts are ready (seconds for a million
        rows), counts judge the emails themselves and show the same figures.
        """
        import sqlite3
        from contextlib import suppress

        from sqlalchemy.exc import SQLAlchemyError
        from textual.worker import get_current_worker

        from actui.errors import ActuiError
        from actui.segments.email_facts import ensure_email_facts

        source = self.services.source
        if source is None:
            return
        worker = get_current_worker()
        # only a speed-up: without it the counts are as exact, and slower; quitting stops it
        with suppress(ActuiError, SQLAlchemyError, sqlite3.Error, OSError):
            ensure_email_facts(
                source,
                source.segment_table,
                should_stop=lambda: worker.is_cancelled,
            )

    def _connect_failed(self, url: str, reason: str) -> None:
        from actui.tui.screens.welcome import WelcomeScreen

        self.sub_title = self._sub_title()
        self.push_screen(WelcomeScreen(self.services, url=url, problem=reason))

    def _sub_title(self) -> str:
        url = display_url(self.services.db_url) if self.services.db_url else "no Customer 360"
        return f"demo · {url}" if self.services.demo else url

    def action_show_help(self) -> None:
        """Show every key of the current screen (F1)."""
        from actui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen())

    async def action_switch_mode(self, mode: str) -> None:
        """Switch to a main screen; before a source is connected, stay on the first-run screen."""
        if mode in NEEDS_SOURCE and not self.services.configured:
            self.notify("Connect a Customer 360 first: enter its URL above.", severity="warning")
            return
        if mode == self.current_mode:
            return
        await self.switch_mode(mode)

    def action_show_live_send(self) -> None:
        """Show the latest send started in this session, running or just ended (F7)."""
        from actui.tui.widgets.run_tracker import run_tracker

        latest = run_tracker(self).latest()
        if latest is None:
            self.notify("No send was started in this session.")
            return
        from actui.tui.screens.send import SendScreen

        if isinstance(self.screen, SendScreen):
            return
        self.push_screen(SendScreen(self.services, run=latest))

    def action_show_source(self, url: str | None = None) -> None:
        """Show the Customer 360's tables, key and email column, and edit them (F6)."""
        from actui.tui.screens.source import SourceScreen

        if isinstance(self.screen, SourceScreen):
            return
        from_screen = getattr(self.screen, "source_settings", None)
        if callable(from_screen):  # the first-run screen: the URL typed there
            from_screen()
            return
        url = url or self.services.db_url
        if not url:
            self.notify("Connect a Customer 360 first: enter its URL above.", severity="warning")
            return
        self.push_screen(SourceScreen(self.services, url))

    async def action_open_credential(self, name: str) -> None:
        """Open Destinations on the credential ``name`` (errors offer this for a refused key)."""
        await self.action_switch_mode("destinations")
        open_credential = getattr(self.screen, "open_credential", None)
        if callable(open_credential) and name:
            open_credential(name)

    async def action_quit(self) -> None:
        """Quit; a running send stops after its current batch and History resumes it later."""
        self.cancel_sends()
        self.exit()

    def on_unmount(self) -> None:
        self.cancel_sends()

    def cancel_sends(self) -> None:
        """Ask every running send to stop after its batch (its journal lets it resume)."""
        import sys

        if "actui.tui.widgets.run_tracker" in sys.modules:  # no send ever started otherwise
            from actui.tui.widgets.run_tracker import run_tracker

            run_tracker(self).cancel_all()

    def source_connected(self) -> None:
        """Called once the first-run screen connected a source: open the segment builder."""
        self.sub_title = self._sub_title()
        self.prepare_email_facts()
        if self.current_mode == "segments":
            source_changed = getattr(self.screen, "source_changed", None)
            if callable(source_changed):
                source_changed()
        else:
            self.switch_mode("segments")
