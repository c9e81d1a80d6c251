"""actui's user config (a JSON file under ACTUI_HOME): defaults for the Customer 360 and the app."""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from actui.home import config_path, touch_private


class SourceSettings(BaseModel):
    """The user's overrides of how actui reads one Customer 360; ``None`` means "detect it".

    Saved per database in the state database (:mod:`actui.source.store`), never in this file.
    """

    segment_table: str | None = Field(
        default=None, description="The table segments filter (schema.table allowed)."
    )
    attribute_table: str | None = Field(
        default=None, description="The table a send reads attributes from."
    )
    customer_key: str | None = Field(default=None, description="The column naming a customer.")
    email_column: str | None = Field(default=None, description="The column holding emails.")
    default_schema: str | None = Field(
        default=None, description="The schema whose tables are listed (PostgreSQL)."
    )


class Config(BaseModel):
    """Everything actui remembers between sessions that is not in the state database."""

    last_db_url: str | None = None


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
