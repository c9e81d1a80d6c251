"""Injected failures: latency, 500/503 answers, dropped connections, 429 storms, bare 403s."""

from __future__ import annotations

import random
import time
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class FaultSettings(BaseModel):
    """What ``POST /__sandbox__/faults`` accepts; every field left out goes back to "no fault"."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: float = Field(default=0.0, ge=0, le=60_000)
    #: share of requests answered 500 or 503 (half each)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    #: share of connections closed without any response
    drop_rate: float = Field(default=0.0, ge=0, le=1)
    #: answer every API request 429 for this many seconds from now
    storm_429_seconds: float = Field(default=0.0, ge=0, le=3600)
    #: answer every API request 403 with an empty body and no Content-Type
    forbidden_no_body: bool = False
    seed: int | None = None


class Fault(Enum):
    DROP = "drop"
    ERROR_500 = "500"
    ERROR_503 = "503"


class FaultInjector:
    """Decides, request by request, which injected failure (if any) applies."""

    def __init__(self) -> None:
        self.settings = FaultSettings()
        self.random = random.Random()
        self.storm_until = 0.0

    def configure(self, settings: FaultSettings) -> None:
        self.settings = settings
        self.random = random.Random(settings.seed)
        self.storm_until = (
            time.monotonic() + settings.storm_429_seconds if settings.storm_429_seconds else 0.0
        )

    @property
    def latency_seconds(self) -> float:
        return self.settings.latency_ms / 1000.0

    def in_storm(self) -> bool:
        return time.monotonic() < self.storm_until

    def storm_seconds_left(self) -> int:
        return max(1, int(self.storm_until - time.monotonic() + 0.999))

    def draw_drop(self) -> bool:
        rate = self.settings.drop_rate
        return rate > 0 and self.random.random() < rate

    def draw_error(self) -> Fault | None:
        rate = self.settings.error_rate
        if rate > 0 and self.random.random() < rate:
            return Fault.ERROR_500 if self.random.random() < 0.5 else Fault.ERROR_503
        return None
