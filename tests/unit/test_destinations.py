"""Destinations are saved in the state database and checked line by line against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from actui.credentials import (
    DestinationError,
    add_credential,
    delete_destination,
    get_destination,
    list_destinations,
    make_destination,
    save_destination,
)
from actui.credentials import destinations as destinations_module
from actui.state import reset_engines


def test_save_reload_list_and_delete() -> None:
    vip = make_destination(name="vip", credential="acme", list="VIP", verbose_logs=True)
    save_destination(vip)
    save_destination(make_destination(name="all", credential="acme", group="Marketing", list="All"))
    reset_engines()  # read back from the file, not from memory
    assert get_destination("vip") == vip
    assert get_destination("vip").list_name == "VIP"
    assert get_destination("vip").group == "Admin"
    assert get_destination("vip").primary_key == "email"
    assert [d.name for d in list_destinations()] == ["all", "vip"]
    delete_destination("all")
    assert [d.name for d in list_destinations()] == ["vip"]


def test_saving_again_replaces() -> None:
    save_destination(make_destination(name="vip", credential="acme", list="VIP"))
    save_destination(
        make_destination(
            name="vip", credential="acme", list="VIP 2", default_attributes={"Source": "actui"}
        )
    )
    saved = list_destinations()
    assert len(saved) == 1
    assert saved[0].list_name == "VIP 2"
    assert saved[0].default_attributes == {"Source": "actui"}


def test_unknown_destination_names_the_existing_ones() -> None:
    save_destination(make_destination(name="vip", credential="acme", list="VIP"))
    with pytest.raises(DestinationError, match=r"No destination named 'nope'.*'vip'"):
        get_destination("nope")
    with pytest.raises(DestinationError, match="'vip'"):
        delete_destination("nope")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": "bad name", "credential": "c", "list": "L"}, "name"),
        ({"name": "ok", "credential": "c", "list": " "}, "list"),
        ({"name": "ok", "credential": "c", "list": "L", "primary_key": "phone"}, "primary_key"),
    ],
)
def test_invalid_destination_is_one_sentence(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(DestinationError, match=says):
        make_destination(**fields)


async def test_a_good_destination_passes_every_check(sandbox_server: Any) -> None:
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    dest = make_destination(name="vip", credential="sandbox", list="VIP")
    results = await destinations_module.test_destination(dest)
    assert [(r.check, r.ok) for r in results] == [
        ("credential", True),
        ("api key", True),
        ("group", True),
        ("list", True),
    ]
    assert "does not exist yet" in results[3].detail


async def test_a_bad_group_fails_with_the_groups_that_exist(sandbox_server: Any) -> None:
    add_credential("sandbox", sandbox_server.url, sandbox_server.api_key)
    dest = make_destination(name="vip", credential="sandbox", group="Sales", list="VIP")
    results = {r.check: r for r in await destinations_module.test_destination(dest)}
    assert not results["group"].ok
    assert "'Sales'" in results["group"].detail
    assert results["group"].fix is not None and "Admin" in results["group"].fix
    assert results["list"].ok


async def test_a_bad_key_fails_and_skips_the_rest(sandbox_server: Any) -> None:
    add_credential("sandbox", sandbox_server.url, "wrong-key")
    dest = make_destination(name="vip", credential="sandbox", list="VIP")
    results = await destinations_module.test_destination(dest)
    assert [(r.check, r.ok) for r in results] == [
        ("credential", True),
        ("api key", False),
        ("group", False),
        ("list", False),
    ]
    assert results[1].fix is not None and "Settings > Developer" in results[1].fix
    assert "Not checked" in results[2].detail


async def test_a_missing_credential_fails_first() -> None:
    dest = make_destination(name="vip", credential="ghost", list="VIP")
    results = await destinations_module.test_destination(dest)
    assert not results[0].ok
    assert "actui credentials add" in (results[0].fix or "")
