"""Named ActiveCampaign credentials in the OS keyring, and destinations that refer to them by name."""
