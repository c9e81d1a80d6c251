"""Campaign results: membership frozen at send time, outcomes per group, lift against control."""

from actui.results.membership import record_membership
from actui.results.outcome import ResultsError
from actui.results.report import CampaignResults, campaign_results

__all__ = ["CampaignResults", "ResultsError", "campaign_results", "record_membership"]
