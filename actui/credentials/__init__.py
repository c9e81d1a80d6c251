"""Named ActiveCampaign credentials in the OS keyring, and destinations that use them by name."""

from actui.credentials.destinations import (
    CheckResult,
    Destination,
    DestinationError,
    client_for,
    delete_destination,
    get_destination,
    list_destinations,
    make_destination,
    save_destination,
    test_destination,
)
from actui.credentials.keyring_store import (
    Credential,
    CredentialError,
    add_credential,
    add_local_credential,
    get_credential,
    list_credentials,
    remove_credential,
)

__all__ = [
    "CheckResult",
    "Credential",
    "CredentialError",
    "Destination",
    "DestinationError",
    "add_credential",
    "add_local_credential",
    "client_for",
    "delete_destination",
    "get_credential",
    "get_destination",
    "list_credentials",
    "list_destinations",
    "make_destination",
    "remove_credential",
    "save_destination",
    "test_destination",
]
