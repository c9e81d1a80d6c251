"""The send modal: the dry-run counts to confirm, then the live progress of the send it starts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, LoadingIndicator, Static

from actui.errors import ActuiError
from actui.sync.models import Progress, RunSummary, SendEstimate, SendRequest
from actui.tui.widgets.run_tracker import RunState, SendJob, TrackedRun, run_tracker
from actui.tui.widgets.send_estimate import SendEstimatePanel
from actui.tui.widgets.send_progress import SendProgress

if TYPE_CHECKING:
    from actui.tui.services import Services


def judge_summary(result: Any) -> RunState:
    """The tracked state a run summary ends in."""
    if not isinstance(result, RunSummary):
        return RunState.FINISHED
    if result.status == "completed":
        return RunState.PARTIAL if result.rejected else RunState.FINISHED
    if result.status == "partial":
        return RunState.PARTIAL
    if result.status == "cancelled":
        return RunState.CANCELLED
    return RunState.FAILED


def progress_sink(run: TrackedRun) -> Callable[[Progress], None]:
    """A progress callback for ``actui.sync`` that copies each report into the tracked run."""

    def report(progress: Progress) -> None:
        run.run_id = progress.run_id
        run.done = progress.sent
        run.total = progress.total
        run.throttled = progress.rate_limited
        run.retries = progress.retries
        run.read = progress.read
        run.staged = progress.staged
        run.measured_rate = progress.contacts_per_second
        run.measured_eta = progress.eta_seconds
        for line in progress.lines:  # each line once, as the send wrote it
            run.add_log(line)

    return report


def credential_of(request: SendRequest) -> str | None:
    """The one credential the send uses, to open it when ActiveCampaign refuses its key.

    Blocking (reads the destination and campaign stores); None when it is not a single one.
    """
    from actui.credentials import get_destination

    try:
        if request.campaign:
            from actui.campaigns.store import get_campaign

            campaign = get_campaign(request.campaign)
            names = {
                group.destination
                for sub_audience in campaign.effective_sub_audiences()
                for group in sub_audience.groups
                if group.destination and not group.control
            }
        else:
            names = {request.destination} if request.destination else set()
        credentials = {get_destination(name).credential for name in names}
    except ActuiError:
        return None
    return credentials.pop() if len(credentials) == 1 else None


def source_url(services: Services) -> str:
    """The Customer 360 URL the send reads (the connected one)."""
    if services.db_url is None:
        raise ActuiError("No Customer 360 is connected: open one with 'actui --db URL'.")
    return services.db_url


async def estimate_send(services: Services, request: SendRequest) -> SendEstimate:
    """The dry run of ``request`` in a thread (it reads the lists; it writes nothing)."""
    from actui.sync.runner import dry_run

    return await asyncio.to_thread(dry_run, request, source_url(services))


def send_job(services: Services, request: SendRequest) -> SendJob:
    """The job the run tracker runs for ``request`` (the send runs in its own thread and loop)."""

    async def job(run: TrackedRun) -> RunSummary:
        from actui.sync.runner import run_send

        run.add_log(f"Starting the send of {request.source_kind} {request.source_name!r}.")
        summary = await asyncio.to_thread(
            partial(
                run_send,
                request,
                source_url(services),
                on_progress=progress_sink(run),
                cancel=run.cancel_event,
            )
        )
        return finish_log(run, summary)

    return job


def resume_job(services: Services, run_id: str) -> SendJob:
    """The job the run tracker runs to finish an interrupted run from its journal."""

    async def job(run: TrackedRun) -> RunSummary:
        from actui.sync.runner import resume_run

        run.run_id = run_id
        run.add_log("Resuming the run from its journal.")
        summary = await asyncio.to_thread(
            partial(
                resume_run,
                run_id,
                db_url=services.db_url,
                on_progress=progress_sink(run),
                cancel=run.cancel_event,
            )
        )
        return finish_log(run, summary)

    return job


def finish_log(run: TrackedRun, summary: RunSummary) -> RunSummary:
    """Copy the summary's figures into the tracked run and log how it ended."""
    run.run_id = summary.run_id
    run.rejected = summary.rejected
    run.throttled = summary.rate_limited
    run.retries = summary.retries
    if summary.sent and not run.total:
        run.total = summary.sent
    run.done = max(run.done, summary.sent) if run.total else summary.sent
    run.add_log(summary_line(summary))
    return summary


def summary_line(summary: RunSummary) -> str:
    """One line saying how a run ended."""
    text = (
        f"Run {summary.status}: {summary.sent:,} sent, {summary.rejected:,} rejected, "
        f"{summary.requests:,} requests, {summary.rate_limited:,} answered 429, "
        f"{summary.unavailable:,} answered 503, {summary.retries:,} retries."
    )
    return f"{text} {summary.message}" if summary.message else text


class SendScreen(ModalScreen[None]):
    """Confirm a send with its dry-run counts, then follow it; Hide keeps it running behind."""

    DEFAULT_CSS = """
    SendScreen { align: center middle; }
    SendScreen > #send-dialog {
        width: 90%; max-width: 100; height: 90%; max-height: 32;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    SendScreen #send-title { text-style: bold; height: 1; margin-bottom: 1; }
    SendScreen #send-estimate-box { height: 1fr; }
    SendScreen #send-problem { color: $error; height: auto; }
    SendScreen #send-buttons { height: 3; align-horizontal: right; dock: bottom; }
    SendScreen #send-buttons Button { margin-left: 1; }
    SendScreen LoadingIndicator { height: 3; }
    """

    BINDINGS = [
        Binding("escape", "hide", "Hide", id="actui.send.hide"),
        Binding("ctrl+s", "confirm", "Send", id="actui.send.confirm"),
        Binding("ctrl+x", "cancel_send", "Cancel send", id="actui.send.cancel"),
    ]

    def __init__(
        self,
        services: Services,
        request: SendRequest | None = None,
        *,
        run: TrackedRun | None = None,
        resume_run_id: str | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.request = request
        self.run = run
        self.resume_run_id = resume_run_id
        self.estimate: SendEstimate | None = None
        self.fix_action: str | None = None
        #: the mirror guard's numbers, when the send would unsubscribe more than allowed
        self.removal_warning: str | None = None
        self.removal_allowed = False

    @property
    def title_text(self) -> str:
        if self.run is not None:
            return self.run.title
        if self.resume_run_id:
            return f"Resume run {self.resume_run_id}"
        assert self.request is not None
        request = self.request
        if request.campaign:
            group = f", group {request.group}" if request.group else ""
            return f"Send campaign {request.campaign!r}{group} ({request.mode})"
        target = (
            f"{request.destination} > {request.list_name}"
            if request.list_name
            else (f"{request.destination}")
        )
        return f"Send segment {request.segment!r} to {target} ({request.mode})"

    def compose(self) -> ComposeResult:
        with Vertical(id="send-dialog"):
            yield Static(self.title_text, id="send-title")
            with Vertical(id="send-estimate-box"):
                if self.run is None and self.resume_run_id is None:
                    yield Static("Dry run: reading the lists to compare…", id="send-waiting")
                    yield LoadingIndicator()
            yield Static("", id="send-problem")
            with Horizontal(id="send-buttons"):
                yield Button("Send", id="send-confirm", variant="success", disabled=True)
                cancel = Button("Cancel send", id="send-cancel", variant="error")
                cancel.display = False  # only while a send runs
                yield cancel
                yield Button("Hide", id="send-hide")
        yield Footer()

    async def on_mount(self) -> None:
        if self.run is not None:
            await self._follow(self.run)
        elif self.resume_run_id is not None:
            await self._start(resume_job(self.services, self.resume_run_id))
        else:
            self._load_estimate()

    @work(exclusive=True, group="send-estimate", exit_on_error=False)
    async def _load_estimate(self) -> None:
        assert self.request is not None
        try:
            estimate = await estimate_send(self.services, self.request)
        except ActuiError as error:
            credential = await asyncio.to_thread(credential_of, self.request)
            self._show_problem(str(error), error, credential)
            return
        except Exception as error:
            self._show_problem(f"The dry run failed: {error}", error)
            return
        self.estimate = estimate
        box = self.query_one("#send-estimate-box", Vertical)
        await box.remove_children()
        panel = SendEstimatePanel()
        await box.mount(panel)
        panel.show_estimate(estimate, stable=self.services.stable_output)
        from actui.sync.guard import over_limit

        confirm = self.query_one("#send-confirm", Button)
        over = over_limit(estimate)
        if over:
            removals = sum(guarded.removals for guarded in over)
            members = sum(guarded.members for guarded in over)
            self.removal_warning = (
                "This mirror send would unsubscribe more than allowed: "
                + "; ".join(guarded.refusal() for guarded in over)
                + "."
            )
            self.query_one("#send-problem", Static).update(self.removal_warning)
            allow = Checkbox(
                f"Unsubscribe {removals:,} of {members:,} members anyway",
                id="send-allow-removal",
            )
            await box.mount(allow)
            allow.focus()
            return
        confirm.disabled = False
        confirm.focus()
        self.refresh_bindings()

    @on(Checkbox.Changed, "#send-allow-removal")
    def _removal_consent(self, event: Checkbox.Changed) -> None:
        self.removal_allowed = event.value
        self.query_one("#send-confirm", Button).disabled = not event.value
        self.refresh_bindings()

    def _show_problem(self, text: str, error: BaseException, credential: str | None = None) -> None:
        """Errors as actions: the failure in words, and a button or countdown when one helps."""
        from actui.tui.widgets.send_errors import RateLimitCountdown, error_action

        box = self.query_one("#send-estimate-box", Vertical)
        box.remove_children()
        action = error_action(error, credential)
        self.query_one("#send-problem", Static).update(
            text if action is None else f"{text}\n{action.hint}"
        )
        if action is None:
            return
        if action.wait_seconds:
            box.mount(RateLimitCountdown(action.wait_seconds))
        if action.action and action.label:
            self.fix_action = action.action
            box.mount(Button(action.label, id="send-fix", variant="warning"))

    @on(Button.Pressed, "#send-fix")
    async def _fix_pressed(self) -> None:
        action = self.fix_action
        self.dismiss(None)
        if action:
            await self.app.run_action(action)

    async def _start(self, job: SendJob) -> None:
        title = self.title_text
        run = run_tracker(self.app).start(self.app, title, job, judge_summary)
        self.run = run
        await self._follow(run)

    async def _follow(self, run: TrackedRun) -> None:
        box = self.query_one("#send-estimate-box", Vertical)
        await box.remove_children()
        await box.mount(SendProgress(run, stable=self.services.stable_output))
        self.query_one("#send-confirm", Button).display = False
        self._sync_buttons()
        self.refresh_bindings()
        self.set_interval(0.5, self._sync_buttons)

    def _send_running(self) -> bool:
        return self.run is not None and not self.run.state.is_over

    def _sync_buttons(self) -> None:
        """The cancel button shows only while the send runs; Hide becomes Close once it ends."""
        if self.run is None:
            return
        running = self._send_running()
        cancel = self.query_one("#send-cancel", Button)
        if cancel.display != running:
            cancel.display = running
            self.refresh_bindings()
        cancel.disabled = self.run.cancel_event.is_set()
        self.query_one("#send-hide", Button).label = "Hide" if running else "Close"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The footer offers Send before a send starts, and Cancel send only while it runs."""
        if action == "cancel_send":
            return self._send_running()
        if action == "confirm":
            if self.run is not None or self.resume_run_id is not None:
                return False
            return True if self.estimate is not None else None  # dimmed until the dry run
        return True

    async def action_confirm(self) -> None:
        if self.run is not None or self.estimate is None or self.request is None:
            return
        request = self.request
        if self.removal_warning is not None:
            if not self.removal_allowed:
                return  # the numbers are shown: the box must be ticked first
            request = request.model_copy(update={"allow_removal": True})
        await self._start(send_job(self.services, request))

    def action_cancel_send(self) -> None:
        if self.run is not None and not self.run.state.is_over:
            self.run.cancel()
            self.query_one("#send-cancel", Button).disabled = True
            self.refresh_bindings()

    def action_hide(self) -> None:
        if self.run is not None and not self.run.state.is_over:
            self.notify("The send goes on in the background; History shows it.", title="Send")
        self.dismiss(None)

    @on(Button.Pressed, "#send-confirm")
    async def _confirm_pressed(self) -> None:
        await self.action_confirm()

    @on(Button.Pressed, "#send-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel_send()

    @on(Button.Pressed, "#send-hide")
    def _hide_pressed(self) -> None:
        self.action_hide()
