"""The ActiveCampaign API v3 client, its throttle and its error hierarchy."""
