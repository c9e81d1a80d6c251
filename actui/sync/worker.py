"""The throttled sender of one list: batches through bulk import (pipelined) or the single path.

Batches move through the journal as planned -> sending -> sent(batch id) -> confirmed | failed.
A bulk batch is planned and marked sending in one transaction, committed before its request;
outcomes (batch ids, confirmations) are committed in order within 50 ms, several in one
transaction, and before any other write, so a stopped run resumes by polling or posting again
what it had not recorded, never by losing a batch. A few sender loops pull batches and post them
(the account's throttle spaces them); every sent bulk import then gets its own poll task that asks
``/import/info`` after an adaptive delay, so the 100-a-minute budget is used while earlier batches
are still being processed. In-flight batches are bounded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from sqlalchemy import Connection, Engine, text

from actui.activecampaign import (
    AcExclusion,
    ActiveCampaignClient,
    ActiveCampaignError,
    ContactExcluded,
    InvalidCredentials,
    NotFound,
    ValidationFailed,
)
from actui.sync import journal
from actui.sync.classify import (
    EXCLUDED,
    INVALID,
    UNSUBSCRIBED_BEFORE,
    failure_reason,
    refusal_code,
)
from actui.sync.flow import StagingFlow
from actui.sync.journal import BatchRow, TargetRow
from actui.sync.planner import SEND_ACTIONS, bulk_item, contact_from_payload
from actui.sync.progress import ProgressTracker
from actui.sync.snapshot import apply_confirmed, snapshot_contact_id, snapshot_status
from actui.sync.store import UNSUBSCRIBED

logger = logging.getLogger("actui.sync")

MAX_IN_FLIGHT = 48
SENDERS = 4
FIRST_POLL_DELAY = 0.25
MIN_POLL_DELAY = 0.02
MAX_POLL_DELAY = 10.0
#: the first poll never waits longer than this: imports posted together are all pending at their
#: first poll before any completes, and must not push the delay up for every later import
MAX_FIRST_POLL_DELAY = 4.0
#: how many times a batch is re-posted within one run after its request failed for good
BATCH_ATTEMPTS = 3
#: outcome writes (batch ids, confirmations) wait at most this long, or for this many, to share
#: one state-database transaction
FLUSH_SECONDS = 0.05
FLUSH_WRITES = 16

#: how long a sender waits for the next full batch while the audience is being staged
STREAMING_WAIT = 0.02

#: (email, stored payload) of a batch member
Member = tuple[str, str | None]


def _nothing() -> None:
    """Nothing to report after a write."""


class BatchFailed(Exception):
    """A batch could not be sent or confirmed in this run (kept for --resume)."""


@dataclass
class PollTiming:
    """Adapts the first poll's delay to how fast imports complete, so polls stay few."""

    delay: float = FIRST_POLL_DELAY

    def completed_first_time(self) -> None:
        self.delay = max(MIN_POLL_DELAY, self.delay * 0.8)

    def was_pending(self) -> None:
        self.delay = min(MAX_FIRST_POLL_DELAY, self.delay * 1.5)


@dataclass
class TargetSender:
    """Sends one target's planned actions; owns nothing but its state for the run."""

    engine: Engine
    target: TargetRow
    client: ActiveCampaignClient
    exclusions: Sequence[AcExclusion]
    tracker: ProgressTracker
    max_in_flight: int = MAX_IN_FLIGHT
    senders: int = SENDERS
    timing: PollTiming = field(default_factory=PollTiming)
    #: the run's staging, while its audience is still being staged: only full batches go then
    flow: StagingFlow | None = None
    failed_batches: int = 0
    #: the first refusal of the key, shared by every sender of the run: once set, no sender
    #: posts or polls again (a revoked key must not cost one request a batch)
    refusals: list[InvalidCredentials] = field(default_factory=list)
    _pending: list[tuple[Callable[[Connection], None], Callable[[], None]]] = field(
        default_factory=list
    )
    _timer: asyncio.TimerHandle | None = None

    @property
    def list_id(self) -> str:
        assert self.target.list_id is not None
        return self.target.list_id

    async def run(self) -> int:
        """Send every open and unplanned batch of the target; returns the number that failed."""
        slots = asyncio.Semaphore(self.max_in_flight)
        polls: set[asyncio.Task[None]] = set()
        with self.engine.connect() as conn:
            reopened = [
                b
                for b in journal.open_batches(conn, self.target.run_id)
                if b.target_id == self.target.id
            ]
        queue: asyncio.Queue[BatchRow | None] = asyncio.Queue()
        for batch in reopened:
            queue.put_nowait(batch)
        kinds = list(SEND_ACTIONS)

        def next_batch() -> tuple[BatchRow, list[Member] | None] | Literal["wait"] | None:
            if not queue.empty():
                reopened_batch = queue.get_nowait()
                return None if reopened_batch is None else (reopened_batch, None)
            flow = self.flow
            if flow is not None and flow.streaming:
                for kind in kinds:
                    taken = journal.take_batch(
                        self.engine, self.target.run_id, self.target.id, kind, full_only=True
                    )
                    if taken is not None:
                        flow.add_taken(taken[0].members)
                        return taken
                return "wait"
            while kinds:
                taken = journal.take_batch(
                    self.engine, self.target.run_id, self.target.id, kinds[0]
                )
                if taken is not None:
                    if flow is not None:
                        flow.add_taken(taken[0].members)
                    return taken
                kinds.pop(0)
            return None

        async def sender() -> None:
            while True:
                await slots.acquire()
                if self.refusals:
                    slots.release()
                    return
                taken = next_batch()
                if taken == "wait":  # the next full batch is still being staged
                    slots.release()
                    await asyncio.sleep(STREAMING_WAIT)
                    continue
                if taken is None:
                    slots.release()
                    return
                batch, members = taken
                try:
                    posted = await self._post(batch, members)
                except BatchFailed:
                    slots.release()
                    continue
                except InvalidCredentials as refused:
                    self.refusals.append(refused)
                    slots.release()
                    return
                if posted is None:
                    slots.release()
                    continue
                task = asyncio.create_task(self._poll_then_release(posted, slots))
                polls.add(task)
                task.add_done_callback(polls.discard)

        try:
            await asyncio.gather(*(sender() for _ in range(self.senders)))
            while polls:
                await asyncio.gather(*list(polls), return_exceptions=True)
        finally:
            for task in list(polls):
                task.cancel()
            self._flush()
        if self.refusals:
            raise self.refusals[0]
        return self.failed_batches

    # -- journal writes that may wait a few milliseconds ------------------------------------------

    def _later(self, write: Callable[[Connection], None], after: Callable[[], None]) -> None:
        """Queue a write that only records an outcome (a batch id, a confirmation).

        Queued writes are committed in order, together, within ``FLUSH_SECONDS`` (or once
        ``FLUSH_WRITES`` wait), and always before any other write of this sender, so the
        journal's order of steps is kept. One lost on a crash only makes ``--resume`` poll or
        post that batch again.
        """
        self._pending.append((write, after))
        if len(self._pending) >= FLUSH_WRITES:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush_soon)

    def _flush_soon(self) -> None:
        self._timer = None
        try:
            self._flush()
        except Exception:  # kept queued: the next flush, in a sender's own flow, raises it
            logger.warning("journal writes could not be committed yet", exc_info=True)

    def _flush(self) -> None:
        """Commit every queued write in one transaction, then report them."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending = self._pending
        with self.engine.begin() as conn:
            for write, _ in pending:
                write(conn)
        self._pending = []
        for _, after in pending:
            after()

    # -- one batch ------------------------------------------------------------------------------

    async def _post(self, batch: BatchRow, taken: list[Member] | None = None) -> BatchRow | None:
        """Send a batch; returns it (with its batch id) when a bulk import awaits polling.

        ``taken`` are the members of a batch :func:`journal.take_batch` just journaled as sending.
        """
        if batch.ac_batch_id:
            return batch  # sent before an interruption: poll its batch id first
        if batch.method == "single":
            await self._send_single(batch)
            return None
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            if attempt == 1 and taken is not None and batch.state == "sending":
                members = taken
            else:
                with self.engine.connect() as conn:
                    members = [(e, p) for e, p, _ in journal.batch_members(conn, batch.id)]
                if members:
                    self._flush()
                    journal.mark_sending(self.engine, batch.id)
            if not members:
                self._confirm(batch, [], {})
                return None
            items = [bulk_item(payload, email) for email, payload in members]
            try:
                ac_batch_id = await self.client.bulk_import_encoded(
                    items,
                    subscribe_list=self.list_id if batch.kind == "subscribe" else None,
                    unsubscribe_list=self.list_id if batch.kind == "unsubscribe" else None,
                )
            except ContactExcluded as error:
                logger.info("batch %s refused as a whole (%s): sending one by one", batch.id, error)
                await self._send_single(batch)
                return None
            except ValidationFailed as error:
                logger.info("batch %s refused as a whole (%s): sending one by one", batch.id, error)
                await self._send_single(batch)
                return None
            except InvalidCredentials:
                raise  # never posted again in this run: the batch stays open for --resume
            except ActiveCampaignError as error:
                if attempt == BATCH_ATTEMPTS:
                    self._fail(batch, str(error), keep_batch_id=False)
                    raise BatchFailed(str(error)) from None
                self.tracker.line(f"{self.tracker.batch(batch.id)}: {error}; posting it again")
                continue
            self._later(
                partial(journal.mark_sent, batch_id=batch.id, ac_batch_id=ac_batch_id), _nothing
            )
            return BatchRow(
                batch.id,
                batch.target_id,
                batch.kind,
                batch.method,
                batch.members,
                "sent",
                ac_batch_id,
                batch.attempts + attempt,
            )
        return None

    async def _poll_then_release(self, batch: BatchRow, slots: asyncio.Semaphore) -> None:
        try:
            await self._poll(batch)
        except BatchFailed:
            pass
        except InvalidCredentials as refused:  # the batch stays sent: --resume polls it
            self.refusals.append(refused)
        finally:
            slots.release()

    async def _poll(self, batch: BatchRow) -> None:
        """Ask /import/info until the import completes; re-post a batch ActiveCampaign forgot."""
        assert batch.ac_batch_id is not None
        delay = self.timing.delay
        first = True
        failures = 0
        while True:
            await asyncio.sleep(delay)
            if self.refusals:
                return  # the batch stays sent: --resume polls it
            try:
                info = await self.client.import_info(batch.ac_batch_id)
            except NotFound:
                self.tracker.line(
                    f"{self.tracker.batch(batch.id)}: ActiveCampaign lost it; posting it again"
                )
                fresh = BatchRow(
                    batch.id,
                    batch.target_id,
                    batch.kind,
                    batch.method,
                    batch.members,
                    "planned",
                    None,
                    batch.attempts,
                )
                posted = await self._post(fresh)
                if posted is None:
                    return
                batch = posted
                first = True
                continue
            except InvalidCredentials:
                raise
            except ActiveCampaignError as error:
                failures += 1
                if failures >= BATCH_ATTEMPTS:
                    self._fail(batch, str(error), keep_batch_id=True)
                    raise BatchFailed(str(error)) from None
                continue
            if info.status.lower() in ("completed", "complete", "done", "finished", "success"):
                if first:
                    self.timing.completed_first_time()
                self._finish_bulk(batch, info.failure)
                return
            if first:
                self.timing.was_pending()
            first = False
            delay = min(MAX_POLL_DELAY, max(delay * 1.5, self.timing.delay))

    def _finish_bulk(self, batch: BatchRow, failed: Sequence[str]) -> None:
        if not failed:
            self._confirm(batch, [], {})
            return
        self._flush()  # the snapshot read below must see every earlier outcome
        with self.engine.connect() as conn:
            members = {email for email, _, _ in journal.batch_members(conn, batch.id)}
        reasons: dict[str, str] = {}
        for raw in failed:
            email = raw.strip().lower()
            if email not in members:
                continue
            with self.engine.connect() as conn:
                status = snapshot_status(conn, self.target.account_url, self.list_id, email)
            # unsubscribed before only when the list said so; anything else the account refused
            # is reported as refused and never recorded as an unsubscribe
            reasons[email] = failure_reason(email, self.exclusions, status == UNSUBSCRIBED)
        self._confirm(batch, list(reasons.items()), {})

    # -- the single path --------------------------------------------------------------------------

    async def _send_single(self, batch: BatchRow) -> None:
        """contact/sync + contactLists, one contact at a time (small batches, refused bulk)."""
        with self.engine.connect() as conn:
            members = journal.batch_members(conn, batch.id)
        self._flush()
        journal.mark_sending(self.engine, batch.id)
        refused: list[tuple[str, str]] = []
        contact_ids: dict[str, str] = {}
        try:
            for email, payload, _ in members:
                try:
                    contact_id = await self._single(batch.kind, email, payload)
                except ContactExcluded:
                    refused.append((email, f"{EXCLUDED} (refused by contact/sync)"))
                    continue
                except ValidationFailed as error:
                    reason = INVALID if error.field == "email" else str(error)
                    refused.append((email, reason))
                    continue
                if contact_id is not None:
                    contact_ids[email] = contact_id
        except InvalidCredentials:
            raise  # the batch stays open for --resume (contact/sync is idempotent)
        except ActiveCampaignError as error:
            self._fail(batch, str(error), keep_batch_id=False)
            raise BatchFailed(str(error)) from None
        self._confirm(batch, refused, contact_ids)

    async def _single(self, kind: str, email: str, payload: str | None) -> str | None:
        if kind == "unsubscribe":
            with self.engine.connect() as conn:
                contact_id = snapshot_contact_id(conn, self.target.account_url, email)
            if contact_id is None:
                found = await self.client.find_contact(email)
                if found is None:
                    return None  # no such contact any more: nothing to unsubscribe
                contact_id = found.id
            await self.client.set_list_status(contact_id, self.list_id, 2)
            return contact_id
        contact_id = await self.client.sync_contact(contact_from_payload(payload, email))
        if kind in ("subscribe", "resubscribe"):
            await self.client.set_list_status(contact_id, self.list_id, 1)
        return contact_id

    # -- journal outcomes -------------------------------------------------------------------

    def _confirm(
        self, batch: BatchRow, refused: Sequence[tuple[str, str]], contact_ids: dict[str, str]
    ) -> None:
        """Queue one batch's outcome: rejections, the snapshot, and the batch marked confirmed."""
        refused = list(refused)

        def write(conn: Connection) -> None:
            self._record_outcome(conn, batch, refused, contact_ids)

        def report() -> None:
            self.tracker.advance(
                batch.members,
                f"{batch.kind} {self.tracker.batch(batch.id)}: "
                f"{batch.members - len(refused)} confirmed"
                + (f", {len(refused)} refused" if refused else ""),
                rejected=len(refused),
            )

        self._later(write, report)

    def _record_outcome(
        self,
        conn: Connection,
        batch: BatchRow,
        refused: Sequence[tuple[str, str]],
        contact_ids: dict[str, str],
    ) -> None:
        emails = [email for email, _ in refused]
        if refused:
            conn.execute(
                text(
                    "INSERT OR REPLACE INTO sync_rejected_rows (run_id, target_id, group_label,"
                    " email, customer_key, reason, reason_code)"
                    " SELECT :r, :t, '', :e, coalesce(customer_key, ''), :why, :code"
                    " FROM sync_audience WHERE target_id = :t AND email = :e"
                ),
                [
                    {
                        "r": self.target.run_id,
                        "t": self.target.id,
                        "e": e,
                        "why": why,
                        "code": refusal_code(why),
                    }
                    for e, why in refused
                ],
            )
        apply_confirmed(
            conn,
            self.target.account_url,
            self.list_id,
            batch.id,
            batch.kind,
            emails,
            contact_ids,
        )
        unsubscribed_before = [e for e, why in refused if why == UNSUBSCRIBED_BEFORE]
        if unsubscribed_before:
            conn.execute(
                text(
                    "INSERT INTO sync_snapshot (account_url, list_id, email, status)"
                    " VALUES (:a, :l, :e, 2) ON CONFLICT (account_url, list_id, email)"
                    " DO UPDATE SET status = 2"
                ),
                [
                    {"a": self.target.account_url, "l": self.list_id, "e": e}
                    for e in unsubscribed_before
                ],
            )
        journal.mark_confirmed(conn, batch.id)

    def _fail(self, batch: BatchRow, error: str, *, keep_batch_id: bool) -> None:
        self._flush()
        journal.mark_failed(self.engine, batch.id, error, keep_batch_id=keep_batch_id)
        self.failed_batches += 1
        self.tracker.line(f"{batch.kind} {self.tracker.batch(batch.id)} failed: {error}")
