"""Bulk import endpoints: ``POST/GET /import/bulk_import`` and ``GET /import/info``.

Every import request that gets past the 5/s limit counts against the per-minute import limit,
validation failures included; a request refused for the per-minute limit does not count. A payload
with exactly one contact counts as a single-contact import (20/min), any other as multi (100/min).
An unknown ``batchId`` answers 404 ``{"message": ...}`` (the documents only show the 400 for a
missing one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from actui.sandbox.errors import ApiError
from actui.sandbox.imports import count_contacts, rate_limited_error, validate_import
from actui.sandbox.routes_common import answer, decode_json, endpoint, sandbox_of
from actui.sandbox.state import AccountState


@endpoint
async def bulk_import(request: Request) -> Response:
    sandbox = sandbox_of(request)
    raw = await request.body()
    payload = decode_json(raw)
    contact_count = count_contacts(payload)
    if not sandbox.admit_import(contact_count):
        raise rate_limited_error(single=contact_count == 1)
    contacts = sandbox.run(lambda state: validate_import(payload, len(raw), state))
    batch = sandbox.submit_import(contacts)
    return answer(
        {
            "Success": 1,
            "queued_contacts": len(contacts),
            "batchId": batch.id,
            "message": "Contact import queued",
        }
    )


@endpoint
async def import_info(request: Request) -> Response:
    batch_id = request.query_params.get("batchId")
    if not batch_id:
        raise ApiError(400, {"success": 0, "message": "'batchId' is a required field."})

    def read(state: AccountState) -> dict[str, Any]:
        batch = state.batches.get(batch_id)
        if batch is None:
            raise ApiError(404, {"message": f"No import batch found with batchId {batch_id}."})
        return {
            "status": batch.status,
            "success": list(batch.success),
            "failure": list(batch.failure),
        }

    return answer(sandbox_of(request).run(read))


@endpoint
async def import_overview(request: Request) -> Response:
    def read(state: AccountState) -> dict[str, Any]:
        totals: dict[str, dict[str, list[int]]] = {
            "outstanding": defaultdict(lambda: [0, 0]),
            "recentlyCompleted": defaultdict(lambda: [0, 0]),
        }
        for batch in state.batches.values():
            day = datetime.fromtimestamp(batch.submitted_at).date().isoformat()
            kind = "outstanding" if batch.status == "processing" else "recentlyCompleted"
            totals[kind][day][0] += 1
            totals[kind][day][1] += batch.queued_contacts
        return {
            kind: [
                {"forDate": day, "batches": str(n), "contacts": str(c)}
                for day, (n, c) in sorted(per_day.items())
            ]
            for kind, per_day in totals.items()
        }

    return answer(sandbox_of(request).run(read))


ROUTES = [
    Route("/import/bulk_import", bulk_import, methods=["POST"]),
    Route("/import/bulk_import", import_overview, methods=["GET"]),
    Route("/import/info", import_info, methods=["GET"]),
]
