"""Saved source settings are keyed by the database, never by its password or the working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from actui.config import SourceSettings
from actui.source.store import database_key, load_settings, reset_settings, save_settings


def test_the_key_has_no_password_and_file_paths_are_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_key("postgresql+psycopg://ana:s3cret@db.example/crm") == (
        "postgresql+psycopg://ana@db.example/crm"
    )
    for scheme in ("sqlite", "duckdb"):
        relative = database_key(f"{scheme}:///c360.db")
        assert relative == f"{scheme}:///{tmp_path.resolve() / 'c360.db'}"
        assert database_key(f"{scheme}:///{tmp_path / 'c360.db'}") == relative


def test_settings_are_saved_per_database_and_reset() -> None:
    first, second = "sqlite:////data/a.db", "sqlite:////data/b.db"
    save_settings(database_key(first), SourceSettings(customer_key="person_ref"))
    assert load_settings(database_key(first)).customer_key == "person_ref"
    assert load_settings(database_key(second)) == SourceSettings()
    reset_settings(database_key(first))
    assert load_settings(database_key(first)) == SourceSettings()
