"""The embedded demo: a deterministic sample Customer 360 and the wiring of the demo session."""
