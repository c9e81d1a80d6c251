"""Stream a planned campaign's rows from the database as group-assigned contacts and rejections.

Rows arrive ordered by normalized email, then sub-audience, then customer key, through a
server-side cursor (``stream_results``) read in chunks as plain driver tuples (see
:func:`driver_rows`), so memory stays flat whatever the audience size. Each row is classified once,
in this order:

1. excluded members and members of no sub-audience are skipped (a send's query never returns them;
   an email of any excluded customer excludes every row that carries it);
2. a row whose normalized email equals the previous row's is a **duplicate**: the first row of
   each run wins, i.e. the first sub-audience holding the email and, within it, the lowest
   customer key, so each email is in one group of the whole campaign; when the winner is in a
   control group, no one with that email is sent;
3. a missing or invalid email (see :mod:`actui.campaigns.emails`) is set aside with its reason;
4. the member's bucket picks its group; control groups are never emitted.

The email sent is the database's normalization (``lower(trim(email))``, stripping the same
characters as :func:`~actui.campaigns.emails.normalize_email`), so duplicates are judged on
exactly the text that is sent.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from itertools import islice
from operator import itemgetter
from typing import Any, Final, cast

from sqlalchemy import Connection, Dialect, Select
from xxhash import xxh3_64_intdigest

from actui.accounting import Accounting, duplicate_reason
from actui.campaigns.assignment import BUCKETS, bucket_bounds
from actui.campaigns.contacts import Contact, RejectedContact
from actui.campaigns.emails import VALID_EMAIL, rejection_reason
from actui.campaigns.model import FIELD_PREFIX, CampaignError
from actui.campaigns.plan import (
    EMAIL,
    EMAIL_KEY,
    EXCLUDED,
    KEY,
    NOTHING,
    SUB,
    CampaignPlan,
    GroupKey,
    GroupSpec,
)
from actui.source import source as source_module
from actui.source.timeouts import allow_mysql_streamed_read

#: contacts per chunk by default, and rows read from the driver at a time: small enough that a
#: chunk's rows and contacts stay in the CPU's cache (chunks of 5,000 made a stream of a million
#: members 20-25 % slower, with the same work done)
CHUNK_SIZE: Final = 1000
FETCH_ROWS: Final = CHUNK_SIZE

#: what happened to a row that was not sent
HELD_OUT: Final = 1
REJECTED: Final = 2
EXCLUDED_ROW: Final = 3
UNPLACED: Final = 4
SKIPPED: Final = 5  # a valid contact of a group the caller did not ask for

ContactBuilder = Callable[[Any, str, str], Contact]
#: called for every row that is not emitted: (outcome, group or None, contact or rejection)
OnOther = Callable[[int, GroupSpec | None, Contact | RejectedContact | None], None]


#: what a bucket leads to: the group, its builder (None: not emitted) and its spec
_Target = tuple[GroupKey, ContactBuilder | None, GroupSpec]


def iter_contacts(
    plan: CampaignPlan,
    *,
    field_ids: Mapping[str, str] | None = None,
    group: str | GroupKey | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_rejected: Callable[[GroupKey, RejectedContact], None] | None = None,
    paced: bool = False,
    accounting: Accounting | None = None,
) -> Iterator[list[tuple[GroupKey, Contact]]]:
    """The contacts to send, in chunks of at most ``chunk_size``, each with its group.

    ``field_ids`` maps each custom field title or perstag (see ``field_names``) to its
    ActiveCampaign id; without it, contacts carry the names. ``group`` (a group name, matched in
    every sub-audience, "Sub-audience / Group", or a :class:`GroupKey`) keeps one group;
    duplicates are still decided over the whole campaign. Control groups are never emitted;
    rejected rows of the groups asked for go to ``on_rejected``. A caller that may pause between
    chunks for longer than the statement timeout (a send's staging, which waits for the
    senders) says ``paced``: see :func:`driver_rows`.

    ``accounting``, when given, counts the rows of the groups asked for (every row without
    ``group``) in the terms of :mod:`actui.accounting`; the stream then reads the excluded and
    unplaced rows too, to count them.
    """
    wanted = _wanted_groups(plan, group)

    def other(outcome: int, spec: GroupSpec | None, item: Contact | RejectedContact | None) -> None:
        mine = wanted is None if spec is None else wanted is None or spec.key in wanted
        if not mine:
            return
        if outcome == REJECTED and on_rejected is not None and spec is not None:
            on_rejected(spec.key, item)  # type: ignore[arg-type]
        if accounting is not None:
            _account(accounting, outcome, item)

    builders = contact_builders(plan, field_ids, wanted)
    statement = plan.send_statement() if accounting is None else plan.statement
    for chunk in stream_rows(plan, statement, chunk_size, builders, other, paced=paced):
        if accounting is not None:
            accounting.customers += len(chunk)
            accounting.contacts += len(chunk)
        yield chunk


def _account(accounting: Accounting, outcome: int, item: Contact | RejectedContact | None) -> None:
    """Count one row that was not emitted."""
    if outcome == SKIPPED:
        return  # a row of a group not asked for (never reached for a wanted group)
    accounting.customers += 1
    if outcome == HELD_OUT:
        accounting.contacts += 1
    elif outcome == EXCLUDED_ROW:
        accounting.excluded += 1
    elif outcome == UNPLACED:
        accounting.not_in_any_sub_audience += 1
    elif isinstance(item, RejectedContact):
        accounting.count_set_aside(item.reason)


def iter_rejected(
    plan: CampaignPlan, *, group: str | GroupKey | None = None, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[GroupKey, RejectedContact]]:
    """Every row set aside before sending (invalid or duplicate email), with its group."""
    rejected: list[tuple[GroupKey, RejectedContact]] = []
    for _ in iter_contacts(
        plan,
        group=group,
        chunk_size=chunk_size,
        on_rejected=lambda key, item: rejected.append((key, item)),
    ):
        yield from rejected
        rejected.clear()
    yield from rejected


def iter_assignments(
    plan: CampaignPlan, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[str, GroupKey]]:
    """Every member the campaign places (control and bad emails included) with its group."""
    group_of = plan.assigner.group
    groups = plan.groups
    with plan.source.read_only() as connection:
        result = connection.execution_options(stream_results=True, yield_per=chunk_size).execute(
            plan.send_statement()
        )
        for rows in result.partitions(chunk_size):
            for row in rows:
                sub = row[SUB]
                yield str(row[KEY]), groups[sub][group_of(sub, row[KEY])].key


def stream_rows(
    plan: CampaignPlan,
    statement: Select[Any],
    chunk_size: int,
    builders: Mapping[GroupKey, ContactBuilder | None],
    on_other: OnOther,
    *,
    paced: bool = False,
) -> Iterator[list[tuple[GroupKey, Contact]]]:
    """Classify every row of ``statement`` (see the module docstring), in lists of <= chunk_size.

    Rows whose group has a builder are emitted; every other row goes to ``on_other``. A list is
    handed over at least every ``chunk_size`` rows read, empty if need be, so a caller asking for
    one small group still hears from the stream often (to stop, or to report progress). This loop
    runs once per audience member, so it reads plain driver rows and keeps every name it calls
    in a local: a million members cost seconds, and each attribute lookup is a visible share.
    """
    fetch_size = min(chunk_size, FETCH_ROWS)
    targets = _bucket_targets(plan, builders)
    seed = plan.assigner.seed
    hash_key = xxh3_64_intdigest
    valid = VALID_EMAIL.fullmatch
    head = itemgetter(KEY, SUB, EXCLUDED, EMAIL_KEY, EMAIL)
    previous_key: object = _NOTHING
    previous_reason: str | None = None
    kept_key: str | None = None  # the customer whose row kept the previous email
    with (
        plan.source.read_only() as connection,
        driver_rows(connection, statement, fetch_size, paced=paced) as fetch,
    ):
        emitted: list[tuple[GroupKey, Contact]] = []
        append = emitted.append
        unreported = 0  # rows read since the last list was handed over
        while True:
            with _collector_paused():
                rows = fetch()
                for row in rows:
                    key, sub, excluded, email, raw = head(row)
                    if sub is None:
                        on_other(UNPLACED, None, None)
                        continue
                    text_key = key if key.__class__ is str else str(key)
                    group_key, build, spec = targets[sub][
                        hash_key(text_key.encode(), seed) % BUCKETS
                    ]
                    if excluded:
                        on_other(EXCLUDED_ROW, spec, None)
                    elif email == previous_key and email is not None:
                        if previous_reason is None:
                            previous_reason = duplicate_reason(kept_key)
                        on_other(
                            REJECTED, spec, RejectedContact(_shown(raw), previous_reason, text_key)
                        )
                    elif email is None or valid(email) is None or not raw.isascii():
                        previous_key = email
                        previous_reason = rejection_reason(raw)
                        on_other(
                            REJECTED, spec, RejectedContact(_shown(raw), previous_reason, text_key)
                        )
                    else:
                        previous_key = email
                        previous_reason = None
                        kept_key = text_key
                        if build is None:
                            on_other(HELD_OUT if spec.control else SKIPPED, spec, None)
                        else:
                            append((group_key, build(row, email, text_key)))
                finished = not rows
                rows = ()  # freed now: the collector's first pass then has less to look at
            if finished:
                if emitted:
                    yield emitted
                return
            unreported += fetch_size
            if len(emitted) > chunk_size - fetch_size or unreported >= chunk_size:
                yield emitted
                emitted = []
                append = emitted.append
                unreported = 0


_NOTHING: Final = object()


@contextmanager
def driver_rows(
    connection: Connection, statement: Select[Any], chunk_size: int, *, paced: bool = False
) -> Iterator[Callable[[], Sequence[Sequence[Any]]]]:
    """Run ``statement`` and give a ``fetch()`` returning its next ``chunk_size`` rows.

    On PostgreSQL through psycopg the rows are streamed (see :func:`_psycopg_rows`), unless the
    caller is ``paced``: a streamed query is one statement until its last row is read, and the
    statement timeout would cancel it while the caller waits, where each ``FETCH`` of a
    server-side cursor is a statement of its own.

    Otherwise SQLAlchemy compiles and executes the statement (server-side cursor where the
    database has one, so memory stays flat) and returns the first chunk; after it, the DB-API
    cursor's own ``fetchmany`` is read directly, skipping the ``Row`` objects. Values of column
    types that SQLAlchemy converts after the driver (booleans and dates on SQLite, for instance)
    are converted the same way, so the rows hold what SQLAlchemy would have returned.
    """
    streamed = None if paced else _psycopg_rows(connection, statement, chunk_size)
    if streamed is not None:
        with streamed as fetch:
            yield fetch
        return
    if connection.dialect.name in ("mysql", "mariadb"):
        allow_mysql_streamed_read(connection, source_module.STREAMED_READ_TIMEOUT_MS)
    result = connection.execution_options(stream_results=True).execute(statement)
    try:
        cursor = result.cursor
        # SQLAlchemy may hold rows it read ahead: its first fetchmany returns and empties them
        first: list[Sequence[Sequence[Any]]] = [result.fetchmany(chunk_size)]
        exhausted = len(first[0]) < chunk_size
        convert = _converter(statement, connection.dialect, cursor.description)

        def fetch() -> Sequence[Sequence[Any]]:
            if first:
                return first.pop()
            if exhausted:
                return ()
            rows = cursor.fetchmany(chunk_size)
            return rows if convert is None else [convert(row) for row in rows]

        yield fetch
    finally:
        result.close()


def _psycopg_rows(
    connection: Connection, statement: Select[Any], chunk_size: int
) -> AbstractContextManager[Callable[[], Sequence[Sequence[Any]]]] | None:
    """Stream ``statement`` with psycopg's ``Cursor.stream`` (None: not psycopg, or not here).

    A server-side cursor (``DECLARE``) makes PostgreSQL sort the whole audience alone before the
    first row, and then wait for every ``FETCH``. A streamed query may use parallel workers, and
    the server sends rows while this process classifies the previous ones: a 1 M-row campaign
    takes 2.1 s to read this way against 3.9 s through a cursor. It runs in the connection's
    transaction, so the read-only mode holds; being one statement until its last row, it gets
    :data:`~actui.source.source.STREAMED_READ_TIMEOUT_MS` rather than a query's timeout.
    Statements whose parameters SQLAlchemy would convert in a way this cannot repeat (expanding
    lists of such types) are left to the cursor.
    """
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    import psycopg

    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        if bind.expanding or name not in params:
            return None
        params[name] = process(params[name])
    size = chunk_size if psycopg.capabilities.has_stream_chunked() else 1
    raw: psycopg.Connection[Any] = connection.connection.driver_connection  # type: ignore[assignment]

    @contextmanager
    def rows() -> Iterator[Callable[[], Sequence[Sequence[Any]]]]:
        # one statement until the last row is read: the read's own limit, for this transaction
        # (stream_rows opens it for this read alone)
        raw.execute(f"SET LOCAL statement_timeout = {int(source_module.STREAMED_READ_TIMEOUT_MS)}")
        cursor = raw.cursor()
        stream = cast(Generator[Any, None, None], cursor.stream(str(compiled), params, size=size))
        try:
            first = [list(islice(stream, chunk_size))]
            convert = _converter(statement, dialect, cursor.description)

            def fetch() -> Sequence[Sequence[Any]]:
                batch = first.pop() if first else list(islice(stream, chunk_size))
                return batch if convert is None else [convert(row) for row in batch]

            yield fetch
        finally:
            stream.close()  # psycopg cancels the query if rows are left
            cursor.close()

    return rows()


def _converter(
    statement: Select[Any], dialect: Dialect, description: Sequence[Sequence[Any]] | None
) -> Callable[[Sequence[Any]], tuple[Any, ...]] | None:
    """A function applying SQLAlchemy's result conversions to a driver row (None: none needed)."""
    codes = [entry[1] for entry in description] if description else []
    processors = [
        column.type.dialect_impl(dialect).result_processor(
            dialect, codes[position] if position < len(codes) else None
        )
        for position, column in enumerate(statement.selected_columns)
    ]
    if not any(processors):
        return None
    steps = tuple((position, step) for position, step in enumerate(processors) if step)

    def convert(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for position, step in steps:
            values[position] = step(values[position])
        return tuple(values)

    return convert


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while one chunk is classified.

    A chunk allocates thousands of short-lived, acyclic objects (contacts and tuples) that
    reference counting frees. Left on, the collector makes dozens of full passes over the whole
    heap per million rows, a third of the stream's CPU time. It is switched back on (if it was
    on) before the chunk is handed to the caller, so only this loop runs without it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bucket_targets(
    plan: CampaignPlan, builders: Mapping[GroupKey, ContactBuilder | None]
) -> list[list[_Target]]:
    """For each sub-audience, the target of every bucket (10,000 entries: one lookup a row)."""
    tables: list[list[_Target]] = []
    for specs, sub in zip(plan.groups, plan.campaign.effective_sub_audiences(), strict=True):
        bounds = bucket_bounds([group.percent for group in sub.groups])
        table: list[_Target] = []
        start = 0
        for spec, end in zip(specs, bounds, strict=True):
            table.extend([(spec.key, builders.get(spec.key), spec)] * (end - start))
            start = end
        tables.append(table)
    return tables


def _shown(raw: Any) -> str:
    return "" if raw is None else str(raw)


def _wanted_groups(plan: CampaignPlan, group: str | GroupKey | None) -> set[GroupKey] | None:
    if group is None:
        return None
    keys = plan.group_keys
    if isinstance(group, GroupKey):
        matched = {group} & set(keys)
    else:
        matched = {key for key in keys if group in (key.group, key.label())}
    if not matched:
        known = ", ".join(repr(key.label()) for key in keys)
        raise CampaignError(
            f"Campaign {plan.campaign.name!r} has no group {group!r}; its groups: {known}."
        )
    return matched


def contact_builders(
    plan: CampaignPlan,
    field_ids: Mapping[str, str] | None,
    wanted: set[GroupKey] | None = None,
    *,
    control: bool = False,
) -> dict[GroupKey, ContactBuilder | None]:
    """A contact builder per group: ``None`` for control groups (unless ``control``) and for
    groups outside ``wanted``. Unknown custom fields in ``field_ids`` are an error here."""
    if field_ids is not None:
        missing = [name for name in plan.field_names if name not in field_ids]
        if missing:
            raise CampaignError(
                f"ActiveCampaign has no custom field {', '.join(repr(n) for n in missing)}: create "
                "it there or fix the campaign's 'field:' attributes before sending."
            )
    return {
        spec.key: (
            _builder(spec, field_ids)
            if (control or not spec.control) and (wanted is None or spec.key in wanted)
            else None
        )
        for specs in plan.groups
        for spec in specs
    }


def _builder(spec: GroupSpec, field_ids: Mapping[str, str] | None) -> ContactBuilder:
    """A function turning a query row into this group's contact (one C call reads the values)."""
    positions = dict(spec.columns)
    standard = [positions.get(name, NOTHING) for name in ("first_name", "last_name", "phone")]
    read = itemgetter(*standard, positions.get("tags", NOTHING))
    new_tuple = tuple.__new__
    parsed_tags: dict[str, tuple[str, ...]] = {}
    fields = tuple(
        (field_ids[name] if field_ids is not None else name, position)
        for attribute, position in spec.columns
        if attribute.startswith(FIELD_PREFIX)
        for name in (attribute[len(FIELD_PREFIX) :],)
    )

    def build(row: Any, email: str, customer_key: str) -> Contact:
        first, last, phone, tags = read(row)
        if tags is None:
            tag_tuple: tuple[str, ...] = ()
        elif tags.__class__ is str:  # few distinct values (tiers, segments): parse each once
            tag_tuple = parsed_tags.get(tags)  # type: ignore[assignment]
            if tag_tuple is None:
                tag_tuple = _tags(tags)
                if len(parsed_tags) < _TAG_CACHE_SIZE:
                    parsed_tags[tags] = tag_tuple
        else:
            tag_tuple = _tags(tags)
        return new_tuple(  # Contact(...) without its keyword handling: a million a stream
            Contact,
            (
                email,
                (first.strip() or None) if first.__class__ is str else _text(first),
                (last.strip() or None) if last.__class__ is str else _text(last),
                (phone.strip() or None) if phone.__class__ is str else _text(phone),
                _fields(row, fields) if fields else (),
                tag_tuple,
                customer_key,
            ),
        )

    return build


#: distinct tags texts a builder remembers parsed (shared tuples: less to allocate per contact)
_TAG_CACHE_SIZE: Final = 4096


def _fields(row: Any, fields: tuple[tuple[str, int], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (field_id, value) for field_id, position in fields if (value := _text(row[position]))
    )


def _text(value: Any) -> str | None:
    """A contact attribute as text: strings trimmed, empty as missing, other values via ``str``."""
    if value.__class__ is str:
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tags(value: Any) -> tuple[str, ...]:
    """A tags column's value as tags: comma-separated text, each trimmed, empty ones dropped."""
    text = _text(value)
    if text is None:
        return ()
    if "," not in text:
        return (text,)
    return tuple(tag for part in text.split(",") if (tag := part.strip()))
