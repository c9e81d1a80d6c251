"""The error an emulated endpoint raises to answer with an ActiveCampaign-shaped failure body."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An HTTP status and the JSON body ActiveCampaign would send for this failure."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


def field_error(
    status: int, title: str, code: str, pointer: str | None = None, detail: str = ""
) -> ApiError:
    """A ``{"errors":[...]}`` failure, as ActiveCampaign answers validation errors."""
    error: dict[str, Any] = {"title": title, "detail": detail, "code": code}
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    return ApiError(status, {"errors": [error]})


def not_found(kind: str) -> ApiError:
    """A 404 ``{"message": ...}`` body, as ActiveCampaign answers an unknown id."""
    return ApiError(404, {"message": f"No Result found for {kind} with id"})
