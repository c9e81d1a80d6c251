"""actui: build Customer 360 segments and send them to ActiveCampaign lists."""

__version__ = "0.1.0"
