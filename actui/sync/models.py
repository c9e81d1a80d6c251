"""The sync boundary models: what a send is asked, what it estimates, reports and shows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from actui.accounting import ReasonCode
from actui.credentials.destinations import DEFAULT_MAX_REMOVAL

Mode = Literal["mirror", "upsert", "update-only"]
MODES: tuple[Mode, ...] = ("mirror", "upsert", "update-only")

RunStatus = Literal["staging", "sending", "completed", "partial", "failed", "cancelled"]
#: statuses a run can be resumed from
RESUMABLE: tuple[RunStatus, ...] = ("staging", "sending", "failed", "cancelled")


class SendRequest(BaseModel):
    """What to send: a saved campaign, or a segment to one destination list (no secrets)."""

    campaign: str | None = None
    segment: str | None = None
    destination: str | None = None
    list_name: str | None = None
    db_url: str | None = Field(default=None, description="Customer 360 URL, password hidden.")
    group: str | None = None
    mode: Mode = "mirror"
    reconcile: bool = False
    #: mirror guard: let this run unsubscribe any share of a list (the user consented)
    allow_removal: bool = False
    #: mirror guard: the most of a list's members this run may unsubscribe, in percent (None:
    #: the destination's own threshold)
    max_removal: float | None = Field(default=None, ge=0, le=100)

    @property
    def source_kind(self) -> str:
        return "campaign" if self.campaign else "segment"

    @property
    def source_name(self) -> str:
        return self.campaign or self.segment or ""


class SendLimits(BaseModel):
    """The throttle the run's client uses (ActiveCampaign's documented limits by default)."""

    rate: float = 5.0
    bulk_per_minute: float = 100.0


class Counts(BaseModel):
    """How many contacts fall in each outcome of the diff (planned) or of the send (done)."""

    audience: int = 0
    subscribe: int = 0
    update: int = 0
    unsubscribe: int = 0
    unchanged: int = 0
    rejected: int = 0
    unsubscribed_by_hand: int = 0
    not_in_activecampaign: int = 0

    def add(self, other: Counts) -> Counts:
        return Counts(**{k: v + getattr(other, k) for k, v in self.model_dump().items()})


class AccountingTerms(BaseModel):
    """The run's rows in the terms of :mod:`actui.accounting`, the same everywhere:
    ``customers = contacts + duplicate_email + missing_email + invalid_email + excluded
    + not_in_any_sub_audience``."""

    customers: int = 0
    contacts: int = 0
    duplicate_email: int = 0
    missing_email: int = 0
    invalid_email: int = 0
    excluded: int = 0
    not_in_any_sub_audience: int = 0


class TargetEstimate(BaseModel):
    """One list's share of a send."""

    destination: str
    list_name: str
    list_id: str | None
    groups: list[str]
    counts: Counts
    requests: int
    bulk_imports: int
    #: the mirror guard's limit for this list in this run, in percent of its members
    max_removal: float = DEFAULT_MAX_REMOVAL
    read_list: bool = Field(description="True when the list was read from ActiveCampaign to diff.")


class SendEstimate(BaseModel):
    """A dry run: what a send would do, its requests, and how long it takes at current limits."""

    request: SendRequest
    counts: Counts
    targets: list[TargetEstimate]
    accounting: AccountingTerms = Field(default_factory=AccountingTerms)
    requests: int
    bulk_imports: int
    estimated_seconds: float
    limits: SendLimits
    note: str


class Progress(BaseModel):
    """A progress report for the TUI and the CLI's progress bar."""

    run_id: str
    sent: int
    total: int
    #: audience rows read, and contacts staged to send, so far (the total grows with them)
    read: int = 0
    staged: int = 0
    #: None until a first batch is confirmed
    contacts_per_second: float | None
    eta_seconds: float | None
    rate_limited: int
    retries: int
    last_line: str = ""
    #: the log lines written since the previous report, oldest first
    lines: list[str] = Field(default_factory=list)


class RunSummary(BaseModel):
    """The outcome of a run, as the JSON summary file and ``--json`` print it."""

    run_id: str
    status: RunStatus
    source_kind: str
    source_name: str
    mode: Mode
    planned: Counts
    accounting: AccountingTerms = Field(default_factory=AccountingTerms)
    sent: int
    confirmed_batches: int
    failed_batches: int
    rejected: int
    requests: int
    retries: int
    rate_limited: int
    #: answers 503 (service unavailable), apart from the 429s of ``rate_limited``
    unavailable: int = 0
    started_at: float
    ended_at: float | None
    duration_seconds: float
    #: from the first batch planned to the last one confirmed (planning and staging excluded)
    sending_seconds: float = 0.0
    contacts_per_hour: float
    message: str | None = None
    summary_path: str | None = None
    rejected_path: str | None = None

    @property
    def exit_code(self) -> int:
        if self.status in ("completed",) and self.rejected == 0:
            return 0
        if self.status in ("completed", "partial"):
            return 1
        return 2


class RunInfo(BaseModel):
    """One row of ``actui runs``."""

    run_id: str
    source_kind: str
    source_name: str
    mode: Mode
    status: RunStatus
    targets: list[str]
    counts: Counts
    started_at: float
    ended_at: float | None
    message: str | None = None


class RejectedRow(BaseModel):
    """A row a run did not deliver, and why: ``reason_code`` for scripts, ``reason`` for people.

    ``list_name`` is empty (and ``group`` names the group) for a row of a held-out group.
    """

    email: str
    reason: str
    reason_code: ReasonCode
    list_name: str
    group: str | None = None
    customer_key: str | None = None
