"""A campaign's results: each recorded group's conversion and value, and each treatment's lift.

:func:`campaign_results` finds the run (the latest completed one unless asked), resolves the
outcome against the Customer 360, has the database total each group (see
:mod:`actui.results.compute`), and turns the totals into rates, intervals and warnings.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, select

from actui.campaigns.model import Campaign, Outcome
from actui.results.compute import group_totals
from actui.results.membership import RecordedGroup, RecordedRun, recorded_run, result_runs_table
from actui.results.outcome import ResultsError, resolve_outcome, window_after
from actui.results.stats import (
    GroupTotals,
    minimum_detectable_effect,
    rate_difference,
    value_difference,
)
from actui.source import Source
from actui.state import ensure_tables

#: runs whose sends finished (``partial``: some emails were refused, the rest went out)
FINISHED = ("completed", "partial")


class GroupResult(BaseModel):
    """One group's figures over the window."""

    group: str
    sub_audience: str | None
    control: bool
    members: int
    converters: int
    conversion_rate: float
    value_per_member: float | None


class LiftResult(BaseModel):
    """One treatment group against its sub-audience's control group."""

    group: str
    sub_audience: str | None
    vs: str
    conversion_rate_diff: float
    ci95: list[float | None]
    relative_lift: float | None
    value_per_member_diff: float | None
    value_ci95: list[float | None] | None
    significant: bool
    value_significant: bool | None
    minimum_detectable_effect: float | None


class WindowResult(BaseModel):
    """Where outcome dates count, and whether the window has closed."""

    days: int
    start: str
    end: str
    open: bool
    days_left: int


class CampaignResults(BaseModel):
    """Everything ``actui campaigns results --json`` prints."""

    campaign: str
    run_id: str
    sent_at: str
    outcome: str
    window: WindowResult
    groups: list[GroupResult]
    lift: list[LiftResult]
    warnings: list[str]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def significance_sentence(self) -> str:
        """One plain sentence on what the lift says."""
        if not self.lift:
            return "There is no control group to compare with, so there is no lift to judge."
        parts = []
        for lift in self.lift:
            points = lift.conversion_rate_diff * 100
            if lift.significant:
                way = "raised" if points > 0 else "lowered"
                parts.append(
                    f"{lift.group} {way} conversion by {abs(points):.2f} points against "
                    f"{lift.vs}, beyond what chance explains (95 % interval)"
                )
            else:
                parts.append(
                    f"{lift.group} differs from {lift.vs} by {points:+.2f} points, which chance "
                    "alone could explain"
                )
        sentence = "; ".join(parts) + "."
        if self.window.open:
            sentence += f" The window is still open: {self.window.days_left} day(s) left."
        return sentence[0].upper() + sentence[1:]


def campaign_results(
    campaign: Campaign,
    source: Source,
    state: Engine,
    *,
    run_id: str | None = None,
    window_days: int | None = None,
    now: datetime | None = None,
) -> CampaignResults:
    """The campaign's results for ``run_id`` (default: its latest completed send)."""
    ensure_tables(state)
    run = _run(state, campaign, run_id)
    outcome_spec = campaign.outcome or Outcome()
    days = window_days if window_days is not None else outcome_spec.window_days
    if days < 1:
        raise ResultsError(f"The window must be at least one day (got {days}).")
    outcome = resolve_outcome(source, outcome_spec, run.customer_key)
    window = window_after(run.sent_at, days, outcome.date_kind)
    totals = group_totals(source, state, outcome, window, [g.id for g in run.groups])
    has_value = outcome.value is not None
    groups = [
        _group(group, totals.get(group.id, GroupTotals(0, 0)), has_value) for group in run.groups
    ]
    lifts: list[LiftResult] = []
    warnings: list[str] = []
    for sub in dict.fromkeys(g.sub_audience for g in run.groups):
        members = [g for g in run.groups if g.sub_audience == sub]
        controls = [g for g in members if g.control]
        treated = [g for g in members if not g.control]
        where = f" in sub-audience {sub!r}" if sub else ""
        if not controls:
            if treated:
                warnings.append(
                    f"There is no control group{where}: add one to measure lift against it."
                )
            continue
        control = controls[0]
        control_totals = totals.get(control.id, GroupTotals(0, 0))
        for group in treated:
            lift = _lift(
                group, control, totals.get(group.id, GroupTotals(0, 0)), control_totals, has_value
            )
            lifts.append(lift)
            mde = lift.minimum_detectable_effect
            if mde is not None and abs(lift.conversion_rate_diff) < mde:
                warnings.append(
                    f"Control group {control.label!r} ({control_totals.members:,} members) is "
                    f"too small to detect a difference of "
                    f"{lift.conversion_rate_diff * 100:+.2f} points (group {group.label!r}): at "
                    f"80 % power these groups detect {mde * 100:.2f} points or more."
                )
    current = now or datetime.now(UTC)
    left = window.days_left(current)
    if left:
        warnings.append(
            f"The {days}-day window is still open: {left} day(s) left; the figures may still grow."
        )
    if outcome.value is None:
        warnings.append(
            f"The outcome ({outcome.described}) has no value column: only conversion is measured."
        )
    return CampaignResults(
        campaign=campaign.name,
        run_id=run.run_id,
        sent_at=_iso(datetime.fromtimestamp(run.sent_at, UTC)),
        outcome=outcome.described,
        window=WindowResult(
            days=days,
            start=_iso(window.start),
            end=_iso(window.end),
            open=bool(left),
            days_left=left,
        ),
        groups=groups,
        lift=lifts,
        warnings=warnings,
    )


def _run(state: Engine, campaign: Campaign, run_id: str | None) -> RecordedRun:
    from actui.sync.store import run_table

    with state.connect() as conn:
        if run_id is not None:
            row = conn.execute(
                select(run_table.c.source_kind, run_table.c.source_name, run_table.c.status).where(
                    run_table.c.id == run_id
                )
            ).first()
            if row is None:
                raise ResultsError(f"There is no run {run_id!r}; 'actui runs' lists them.")
            if row.source_kind != "campaign" or row.source_name != campaign.name:
                raise ResultsError(
                    f"Run {run_id} sent {row.source_kind} {row.source_name!r}, not campaign "
                    f"{campaign.name!r}."
                )
            recorded = recorded_run(conn, run_id)
            if recorded is None:
                raise ResultsError(
                    f"Run {run_id} has no recorded membership (it is {row.status}, or was sent "
                    "before actui recorded groups); pick another run."
                )
            return recorded
        rows = conn.execute(
            select(run_table.c.id, run_table.c.status)
            .where(run_table.c.source_kind == "campaign", run_table.c.source_name == campaign.name)
            .order_by(run_table.c.started_at.desc())
        ).all()
        if not rows:
            raise ResultsError(
                f"Campaign {campaign.name!r} was never sent, so there is nothing to measure yet; "
                f"send it with 'actui send {campaign.name}'."
            )
        recorded_ids = set(
            conn.execute(
                select(result_runs_table.c.run_id).where(
                    result_runs_table.c.recorded_at.is_not(None)
                )
            ).scalars()
        )
        for run_row in rows:
            if run_row.status in FINISHED and run_row.id in recorded_ids:
                found = recorded_run(conn, run_row.id)
                if found is not None:
                    return found
    latest_id, latest_status = rows[0]
    raise ResultsError(
        f"Campaign {campaign.name!r} has no completed send with recorded groups yet; its latest "
        f"run {latest_id} is {latest_status} (finish it with 'actui send --resume {latest_id}')."
    )


def _group(group: RecordedGroup, totals: GroupTotals, has_value: bool) -> GroupResult:
    return GroupResult(
        group=group.name,
        sub_audience=group.sub_audience,
        control=group.control,
        members=totals.members,
        converters=totals.converters,
        conversion_rate=totals.conversion_rate,
        value_per_member=totals.value_per_member if has_value else None,
    )


def _lift(
    group: RecordedGroup,
    control: RecordedGroup,
    treated: GroupTotals,
    held_out: GroupTotals,
    has_value: bool,
) -> LiftResult:
    rate = rate_difference(treated, held_out)
    value = value_difference(treated, held_out) if has_value else None
    mde = minimum_detectable_effect(treated, held_out)
    base = held_out.conversion_rate
    return LiftResult(
        group=group.name,
        sub_audience=group.sub_audience,
        vs=control.name,
        conversion_rate_diff=rate.difference,
        ci95=[_finite(rate.low), _finite(rate.high)],
        relative_lift=rate.difference / base if base else None,
        value_per_member_diff=value.difference if value else None,
        value_ci95=[_finite(value.low), _finite(value.high)] if value else None,
        significant=rate.excludes_zero,
        value_significant=value.excludes_zero if value else None,
        minimum_detectable_effect=_finite(mde),
    )


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


__all__ = ["CampaignResults", "GroupResult", "LiftResult", "WindowResult", "campaign_results"]
