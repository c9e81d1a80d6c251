"""actui's user config (a JSON file under ACTUI_HOME): defaults for the Customer 360 and the app."""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from actui.home import config_path, touch_private


class SourceSettings(BaseModel):
    """How actui reads a Customer 360: which tables hold segments and attributes, and the keys."""

    segment_table: str = "customer_360"
    attribute_table: str = "merged_customers"
    customer_key: str = "customer_id"
    email_column: str | None = Field(
        default=None, description="Set to override detection of the email column."
    )


class Config(BaseModel):
    """Everything actui remembers between sessions that is not in the state database."""

    last_db_url: str | None = None
    source: SourceSettings = Field(default_factory=SourceSettings)


def load_config() -> Config:
    """Read the config file; a missing file gives the defaults."""
    path = config_path()
    if not path.exists():
        return Config()
    return Config.model_validate_json(path.read_text(encoding="utf-8") or "{}")


def save_config(config: Config) -> None:
    """Write the config file (mode 0600)."""
    path = touch_private(config_path())
    path.write_text(json.dumps(config.model_dump(mode="json"), indent=2) + "\n", encoding="utf-8")
