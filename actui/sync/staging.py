"""Staging a run's audience: lists found or created, then the audience streamed in and diffed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection, Engine, text

from actui.accounting import Accounting
from actui.activecampaign import ActiveCampaignError, RateLimited, ServerError, Unreachable
from actui.campaigns.contacts import Contact, RejectedContact
from actui.campaigns.plan import GroupKey, field_names
from actui.sync import journal
from actui.sync.accounts import Account, Accounts
from actui.sync.audience import Audience, build_audience, iter_audience
from actui.sync.flow import StagingFlow
from actui.sync.guard import GuardedList, MirrorGuard
from actui.sync.journal import TargetRow
from actui.sync.locks import RunLocks
from actui.sync.models import (
    Counts,
    SendRequest,
)
from actui.sync.planner import (
    SEND_ACTIONS,
    diff_staged,
    stage_contacts,
    stage_leavers,
    stage_rejections,
    target_counts,
)
from actui.sync.snapshot import has_snapshot, list_members, read_list
from actui.sync.store import accounting_table

logger = logging.getLogger("actui.sync")

#: how often a setup call (list, group and field lookups, list creation) is tried, like a batch
SETUP_ATTEMPTS = 3
#: seconds before the next try, times the try's number
SETUP_BACKOFF = 0.5

T = TypeVar("T")


async def setup_call(call: Callable[[], Awaitable[T]]) -> T:
    """Run a setup call, trying again (like a batch) when the account gave no usable answer.

    The client already retries each request; this covers an account that stays unavailable a
    little longer than that (5xx, 429, timeouts and dropped connections, never a refusal).
    """
    attempt = 1
    while True:
        try:
            return await call()
        except (ServerError, RateLimited) as error:
            problem: ActiveCampaignError = error
        except Unreachable as error:
            if error.reason not in ("timeout", "dropped"):
                raise
            problem = error
        if attempt >= SETUP_ATTEMPTS:
            raise problem
        logger.warning("setup call failed (%s): trying again", problem)
        await asyncio.sleep(SETUP_BACKOFF * attempt)
        attempt += 1


@dataclass
class Prepared:
    """A run ready to stage: its audience, targets (lists found or created) and accounts."""

    audience: Audience
    targets: list[TargetRow]
    target_of: dict[GroupKey, int]
    account_of: dict[int, Account]
    read: set[int]
    #: the mirror guard holding the senders back (None when no list needs it)
    guard: MirrorGuard | None = None


async def prepare(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    db_url: str,
    accounts: Accounts,
    *,
    dry: bool,
    locks: RunLocks | None = None,
) -> Prepared:
    """Targets, lists, first snapshots and custom field ids: everything before staging."""
    from actui.credentials import get_destination

    audience = build_audience(request, db_url)
    try:
        keyed: dict[tuple[str, str], tuple[int, list[GroupKey]]] = {}
        target_of: dict[GroupKey, int] = {}
        account_of: dict[int, Account] = {}
        group_title: dict[int, str] = {}
        max_removal: dict[int, float] = {}
        for sending in audience.groups:
            destination = get_destination(sending.destination)
            account = await accounts.get(destination.credential)
            list_name = sending.list_name
            found = keyed.get((account.url, list_name.casefold()))
            if found is None:
                with engine.begin() as conn:
                    target_id = journal.add_target(
                        conn,
                        run_id,
                        destination=destination.name,
                        credential=destination.credential,
                        account_url=account.url,
                        list_name=list_name,
                        groups=[sending.key.label()],
                        verbose_logs=destination.verbose_logs,
                    )
                found = (target_id, [])
                keyed[(account.url, list_name.casefold())] = found
                account_of[target_id] = account
                group_title[target_id] = destination.group
                max_removal[target_id] = (
                    request.max_removal
                    if request.max_removal is not None
                    else destination.max_removal
                )
            found[1].append(sending.key)
            target_of[sending.key] = found[0]
        read: set[int] = set()
        guarded: list[GuardedList] = []
        with engine.connect() as conn:
            targets = journal.targets_of(conn, run_id)
        if locks is not None:  # before the first request to any of the lists
            await locks.take_lists([(t.account_url, t.list_name) for t in targets])
        for target in targets:
            client = account_of[target.id].client
            if dry:
                existing = await setup_call(partial(client.find_list, target.list_name))
                list_id = existing.id if existing is not None else None
            else:
                made = await setup_call(
                    partial(client.ensure_list, target.list_name, group_title[target.id])
                )
                list_id = made.id
            if list_id is None:
                continue
            with engine.begin() as conn:
                journal.set_target_list(conn, target.id, list_id)
                known = has_snapshot(conn, target.account_url, list_id)
            if request.reconcile or not known:
                await read_list(engine, client, target.account_url, list_id)
                read.add(target.id)
            if request.mode == "mirror" and not request.allow_removal and not dry:
                with engine.connect() as conn:
                    members = list_members(conn, target.account_url, list_id)
                if members:
                    guarded.append(
                        GuardedList(
                            target.id,
                            target.list_name,
                            target.destination,
                            members,
                            max_removal[target.id],
                        )
                    )
        names = field_names(audience.plan)
        for account in {id(a): a for a in account_of.values()}.values():
            if account.field_ids is None:
                account.field_ids = (
                    await setup_call(partial(account.client.resolve_fields, names)) if names else {}
                )
        with engine.connect() as conn:
            targets = journal.targets_of(conn, run_id)
    except BaseException:
        audience.close()
        raise
    guard = MirrorGuard(guarded) if guarded else None
    return Prepared(audience, targets, target_of, account_of, read, guard)


class StagingStopped(Exception):
    """The run was stopped while its audience was being staged."""


def stage(
    engine: Engine,
    run_id: str,
    request: SendRequest,
    prepared: Prepared,
    *,
    flow: StagingFlow | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> None:
    """Stream the audience into the state database, diffing each chunk as it lands.

    Memory stays flat: one chunk at a time. Each chunk's rows get their actions in the chunk's
    own transaction, so a sender may take them as soon as it commits; ``on_chunk`` hears how many
    of them cost requests, and how many audience rows were read so far. Leavers (mirror mode)
    are staged last, once the audience is complete.
    """
    target_of, account_of = prepared.target_of, prepared.account_of
    targets = {target.id: target for target in prepared.targets}
    accounts = {account_of[t].url for t in target_of.values()}
    passes: list[tuple[dict[str, str], GroupKey | str | None]]
    if len(accounts) == 1:
        only = account_of[next(iter(target_of.values()))]
        passes = [(only.field_ids or {}, request.group)]
    else:  # field ids differ between accounts: one pass per group
        passes = [(account_of[target_of[key]].field_ids or {}, key) for key in target_of]
    accounting = Accounting()
    for field_ids, wanted in passes:
        rejected: list[tuple[GroupKey, RejectedContact]] = []
        for chunk in iter_audience(prepared.audience, field_ids, wanted, rejected, accounting):
            if flow is not None and flow.stop.is_set():
                raise StagingStopped()
            sending = _stage_chunk(
                engine, run_id, chunk, rejected, target_of, targets, request, prepared.guard
            )
            if on_chunk is not None:
                on_chunk(sending, accounting.customers)
            if flow is not None:
                flow.add_staged(sending)
                flow.wait_for_room()  # outside any transaction: senders keep journaling
        _stage_chunk(engine, run_id, [], rejected, target_of, targets, request, prepared.guard)
    if flow is not None and flow.stop.is_set():
        raise StagingStopped()
    with engine.begin() as conn:
        conn.execute(
            accounting_table.insert().prefix_with("OR REPLACE"),
            {"run_id": run_id, **accounting.as_dict()},
        )
        leavers = sum(
            stage_leavers(conn, target.id, target.account_url, target.list_id, request.mode)
            for target in targets.values()
        )
    if on_chunk is not None and leavers:
        on_chunk(leavers, accounting.customers)
    if flow is not None:
        flow.finished = True


def _stage_chunk(
    engine: Engine,
    run_id: str,
    chunk: list[tuple[GroupKey, Contact]],
    rejected: list[tuple[GroupKey, RejectedContact]],
    target_of: dict[GroupKey, int],
    targets: dict[int, TargetRow],
    request: SendRequest,
    guard: MirrorGuard | None = None,
) -> int:
    """Stage one chunk and diff it; returns how many of its contacts cost requests.

    ``guard`` hears how many of each list's current members the chunk held.
    """
    by_target: dict[int, list[Contact]] = {}
    for key, contact in chunk:
        target = target_of.get(key)
        if target is not None:
            by_target.setdefault(target, []).append(contact)
    refused: dict[tuple[int | None, str], list[RejectedContact]] = {}
    for key, row in rejected:
        target = target_of.get(key)  # None: a held-out group's row, reported without a list
        refused.setdefault((target, "" if target else key.label()), []).append(row)
    rejected.clear()
    sending = 0
    with engine.begin() as conn:
        for target_id, contacts in by_target.items():
            stage_contacts(conn, target_id, contacts)
            target_row = targets[target_id]
            given = diff_staged(
                conn, target_id, target_row.account_url, target_row.list_id, request.mode
            )
            sending += sum(n for action, n in given.items() if action in SEND_ACTIONS)
            if guard is not None:
                guard.saw(target_id, given.get("unchanged", 0) + given.get("update", 0))
        for (refused_target, group_label), rows in refused.items():
            stage_rejections(conn, run_id, refused_target, rows, group_label)
    return sending


def clear_staging(engine: Engine, run_id: str, *, keep_confirmed: bool = True) -> None:
    """Drop a run's staged audience, targets and unconfirmed batches, to plan it again."""
    with engine.begin() as conn:
        clear_staging_in(conn, run_id, keep_confirmed=keep_confirmed)


def clear_staging_in(conn: Connection, run_id: str, *, keep_confirmed: bool) -> None:
    """:func:`clear_staging` in the caller's transaction.

    Confirmed batches are kept unless asked: they are the run's record of what was sent (their
    contacts are in the list's snapshot, so planning again never sends them twice).
    """
    conn.execute(
        text(
            "DELETE FROM sync_audience WHERE target_id IN"
            " (SELECT id FROM sync_targets WHERE run_id = :r)"
        ),
        {"r": run_id},
    )
    conn.execute(text("DELETE FROM sync_rejected_rows WHERE run_id = :r"), {"r": run_id})
    conn.execute(text("DELETE FROM sync_run_accounting WHERE run_id = :r"), {"r": run_id})
    conn.execute(
        text("DELETE FROM sync_batches WHERE run_id = :r AND (state != 'confirmed' OR :all)"),
        {"r": run_id, "all": not keep_confirmed},
    )
    conn.execute(text("DELETE FROM sync_targets WHERE run_id = :r"), {"r": run_id})


def staged_counts(engine: Engine, run_id: str, targets: list[TargetRow]) -> Counts:
    total = Counts()
    with engine.connect() as conn:
        for target in targets:
            total = total.add(target_counts(conn, run_id, target.id))
    return total
