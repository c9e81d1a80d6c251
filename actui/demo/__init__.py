"""The embedded demo: a deterministic sample Customer 360 and the wiring of the demo session."""

from actui.demo.data import DemoError, DemoStats, iter_demo_rows, load_demo, write_demo_sqlite
from actui.demo.paths import demo_db_path, ensure_demo_db

__all__ = [
    "DemoError",
    "DemoStats",
    "demo_db_path",
    "ensure_demo_db",
    "iter_demo_rows",
    "load_demo",
    "write_demo_sqlite",
]
