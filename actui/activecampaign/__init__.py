"""The ActiveCampaign API v3 client, its throttle and its error hierarchy."""

from actui.activecampaign.account import normalize_account_url
from actui.activecampaign.client import ActiveCampaignClient
from actui.activecampaign.errors import (
    ActiveCampaignError,
    BulkImportRateLimited,
    ContactExcluded,
    InvalidCredentials,
    InvalidGroupName,
    ListNotFound,
    NotFound,
    RateLimited,
    ServerError,
    Unreachable,
    ValidationFailed,
)
from actui.activecampaign.models import (
    AcContactRef,
    AcExclusion,
    AcField,
    AcGroup,
    AcList,
    AcUser,
    ImportInfo,
)
from actui.activecampaign.throttle import AccountThrottle, ThrottleStats, throttle_for

__all__ = [
    "AcContactRef",
    "AcExclusion",
    "AcField",
    "AcGroup",
    "AcList",
    "AcUser",
    "AccountThrottle",
    "ActiveCampaignClient",
    "ActiveCampaignError",
    "BulkImportRateLimited",
    "ContactExcluded",
    "ImportInfo",
    "InvalidCredentials",
    "InvalidGroupName",
    "ListNotFound",
    "NotFound",
    "RateLimited",
    "ServerError",
    "ThrottleStats",
    "Unreachable",
    "ValidationFailed",
    "normalize_account_url",
    "throttle_for",
]
