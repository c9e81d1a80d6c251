"""The demo's sample campaign, with a recorded send on its send date so Results has data at once.

The sample send is a run of the journal marked completed on :data:`~actui.demo.orders.SEND_DATE`
whose groups (control included) are recorded from the demo database, exactly as a real send
records them; nothing is sent to ActiveCampaign, and its message says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select, update

from actui.demo.orders import SAMPLE_CAMPAIGN, SEND_DATE

#: the sample send went out at 09:00 UTC on the send date
SEND_MOMENT = datetime.combine(SEND_DATE, time(9, 0), UTC)
SAMPLE_RUN_MESSAGE = (
    "The demo's sample send: its groups are recorded for the Results tab; nothing was sent to "
    "ActiveCampaign."
)


def save_sample_campaign(db_url: str) -> None:
    """Save the sample campaign (unless one of its name exists) and record its sample send once."""
    from actui.campaigns.model import parse_campaign
    from actui.campaigns.plan import build_plan
    from actui.campaigns.store import import_campaign, list_campaigns
    from actui.results.membership import record_membership, result_runs_table
    from actui.segments.store import SavedSegmentResolver
    from actui.source import open_source
    from actui.state import ensure_tables, state_engine
    from actui.sync import journal
    from actui.sync.models import SendRequest
    from actui.sync.store import run_table

    campaign = parse_campaign(SAMPLE_CAMPAIGN)
    if campaign.name not in {saved.name for saved in list_campaigns()}:
        import_campaign(SAMPLE_CAMPAIGN)
    engine = state_engine()
    ensure_tables(engine)
    with engine.connect() as conn:
        recorded = conn.execute(
            select(result_runs_table.c.run_id).where(
                result_runs_table.c.campaign_id == campaign.id,
                result_runs_table.c.recorded_at.is_not(None),
            )
        ).first()
    if recorded is not None:
        return
    moment = SEND_MOMENT.timestamp()
    with engine.begin() as conn:
        run_id = journal.create_run(conn, SendRequest(campaign=campaign.name), status="completed")
        conn.execute(
            update(run_table)
            .where(run_table.c.id == run_id)
            .values(started_at=moment, ended_at=moment, message=SAMPLE_RUN_MESSAGE)
        )
    source = open_source(db_url)
    try:
        plan = build_plan(campaign, source, SavedSegmentResolver(), destination_defaults={})
        sent = [group.key for group in plan.sending_groups]
        record_membership(engine, run_id, plan, sent, sent_at=moment)
    except BaseException:
        with engine.begin() as conn:
            conn.execute(run_table.delete().where(run_table.c.id == run_id))
        raise
    finally:
        source.dispose()


__all__ = ["SEND_MOMENT", "save_sample_campaign"]
