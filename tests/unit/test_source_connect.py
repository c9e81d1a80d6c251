"""Connecting to a Customer 360 fails with one clear sentence, never a password or a new file."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa

from actui.source import Source, SourceError


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _one_sentence(error: SourceError) -> str:
    text = str(error)
    assert "\n" not in text and text.endswith((".", "?")), text
    return text


def test_malformed_url_is_reported_without_echoing_it() -> None:
    with pytest.raises(SourceError) as caught:
        Source.connect("not a url with secret-pass")
    text = _one_sentence(caught.value)
    assert "not valid" in text and "secret-pass" not in text


def test_empty_url_asks_for_one() -> None:
    with pytest.raises(SourceError, match="No database URL given"):
        Source.connect("  ")


def test_missing_sqlite_file_is_reported_and_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "customers.db"
    with pytest.raises(SourceError) as caught:
        Source.connect(f"sqlite:///{missing}")
    assert "does not exist" in _one_sentence(caught.value)
    assert not missing.exists() and not missing.parent.exists()


def test_a_folder_or_a_text_file_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is not a file"):
        Source.connect(f"sqlite:///{tmp_path}")
    text_file = tmp_path / "notes.db"
    text_file.write_text("these are not the customers you are looking for\n" * 100)
    with pytest.raises(SourceError, match="is not a SQLite database"):
        Source.connect(f"sqlite:///{text_file}")


def test_unknown_database_kind_is_named() -> None:
    with pytest.raises(SourceError, match="cannot read 'nosuchdb' databases"):
        Source.connect("nosuchdb://host/db")


def test_unreachable_server_hides_the_password() -> None:
    url = f"postgresql+psycopg://ana:hunter2-secret@127.0.0.1:{_free_port()}/c360"
    with pytest.raises(SourceError) as caught:
        Source.connect(url)
    text = _one_sentence(caught.value)
    assert "Cannot reach the database server" in text
    assert "hunter2-secret" not in text and "ana:***@127.0.0.1" in text


def test_display_url_masks_the_password(demo_sqlite_url: str) -> None:
    source = Source.connect(demo_sqlite_url)
    try:
        assert source.display_url == demo_sqlite_url and source.dialect == "sqlite"
        assert repr(source) == f"Source({demo_sqlite_url!r})"
    finally:
        source.dispose()


def test_wrong_password_and_missing_database_are_told_apart(pg_url: str) -> None:
    wrong = sa.make_url(pg_url).set(password="definitely-wrong-pw")
    with pytest.raises(SourceError) as caught:
        Source.connect(wrong.render_as_string(hide_password=False))
    text = _one_sentence(caught.value)
    assert "refused the login" in text and "definitely-wrong-pw" not in text
    real_password = sa.make_url(pg_url).password
    assert real_password is None or str(real_password) not in text

    missing = sa.make_url(pg_url).set(database="no_such_c360")
    with pytest.raises(SourceError, match="'no_such_c360' does not exist"):
        Source.connect(missing.render_as_string(hide_password=False))


def test_postgres_source_masks_the_password(pg_url: str) -> None:
    source = Source.connect(pg_url)
    try:
        password = sa.make_url(pg_url).password
        assert source.dialect == "postgresql"
        assert password is not None and str(password) not in source.display_url
        assert str(password) not in repr(source)
    finally:
        source.dispose()
