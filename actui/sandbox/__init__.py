"""A local emulator of the ActiveCampaign API v3 (an ASGI app) for the demo, tests and benchmarks."""
