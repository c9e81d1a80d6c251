"""The database URL actui remembers for next time never keeps the password."""

from __future__ import annotations

from actui.config import load_config
from actui.tui.services import remember_db_url


def test_the_remembered_url_has_no_password() -> None:
    remember_db_url("postgresql+psycopg://analyst:s3cret-pw@db.internal:5432/c360")
    remembered = load_config().last_db_url
    assert remembered == "postgresql+psycopg://analyst@db.internal:5432/c360"


def test_a_sqlite_url_is_remembered_as_it_is() -> None:
    remember_db_url("sqlite:////tmp/customers 360.db")
    assert load_config().last_db_url == "sqlite:////tmp/customers 360.db"
