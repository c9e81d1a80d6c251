"""The test control API under ``/__sandbox__/`` (no key): state, reset, faults, limits, people."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from actui.sandbox.errors import ApiError
from actui.sandbox.faults import FaultSettings
from actui.sandbox.model import Membership
from actui.sandbox.routes_common import answer, endpoint, json_body, sandbox_of


class ExclusionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    matchPhrase: str = Field(min_length=1)
    matchType: Literal["exact", "end"] = "exact"


class UnsubscribeRequest(BaseModel):
    """A person unsubscribing by hand: their email and the list id."""

    model_config = ConfigDict(extra="forbid")

    email: str
    list: int


class LimitsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limits: str | None = None
    batch_delay: float | tuple[float, float] | None = None


def _invalid(error: ValidationError | ValueError | KeyError) -> ApiError:
    return ApiError(422, {"message": str(error)})


@endpoint
async def get_state(request: Request) -> Response:
    return answer(sandbox_of(request).dump())


@endpoint
async def reset(request: Request) -> Response:
    sandbox_of(request).reset()
    return answer({"reset": True})


@endpoint
async def set_faults(request: Request) -> Response:
    try:
        settings = FaultSettings.model_validate(await json_body(request))
    except ValidationError as error:
        raise _invalid(error) from None
    return answer({"faults": sandbox_of(request).set_faults(settings).model_dump()})


@endpoint
async def add_exclusion(request: Request) -> Response:
    try:
        wanted = ExclusionRequest.model_validate(await json_body(request))
    except ValidationError as error:
        raise _invalid(error) from None
    added = sandbox_of(request).add_exclusion(wanted.matchPhrase, wanted.matchType)
    return answer(
        {
            "exclusion": {
                "id": str(added.id),
                "matchPhrase": added.match_phrase,
                "matchType": added.match_type,
            }
        },
        201,
    )


@endpoint
async def unsubscribe(request: Request) -> Response:
    try:
        wanted = UnsubscribeRequest.model_validate(await json_body(request))
        membership: Membership = sandbox_of(request).unsubscribe(wanted.email, wanted.list)
    except (ValidationError, KeyError) as error:
        raise _invalid(error) from None
    return answer(
        {"contact": str(membership.contact_id), "list": str(membership.list_id), "status": 2}
    )


@endpoint
async def set_limits(request: Request) -> Response:
    sandbox = sandbox_of(request)
    try:
        wanted = LimitsRequest.model_validate(await json_body(request))
        if wanted.limits is not None:
            sandbox.set_limits(wanted.limits)
        if wanted.batch_delay is not None:
            sandbox.set_batch_delay(wanted.batch_delay)
    except (ValidationError, ValueError) as error:
        raise _invalid(error) from None
    in_force = sandbox.dump()
    return JSONResponse({"limits": in_force["limits"], "batch_delay": in_force["batch_delay"]})


ROUTES = [
    Route("/state", get_state, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/faults", set_faults, methods=["POST"]),
    Route("/exclusions", add_exclusion, methods=["POST"]),
    Route("/unsubscribe", unsubscribe, methods=["POST"]),
    Route("/limits", set_limits, methods=["POST"]),
]
