"""Benchmark the ActiveCampaign sandbox: throughput with limits off, accepted rate with real limits.

Runs the sandbox (``actui sandbox``) and, as a baseline, a bare ASGI app served the same way
(uvicorn, httptools, asyncio) in child processes. They are driven by ``wrk`` when it is installed
(a C load generator: a Python client tops out below what the server can take) and by concurrent
httpx clients otherwise, which then bound the figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable

import httpx

CLIENTS = 8
DURATION = 4.0
REAL_DURATION = 10.0
TARGET_RPS = 1000.0
TARGET_REAL_RATE = 5.0
API_KEY = "bench-key"

BARE_APP = """
import socket, sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b'{"user":{"id":"1"}}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0)); sock.listen(1024)
print("http://127.0.0.1:%d" % sock.getsockname()[1], flush=True)
config = uvicorn.Config(app, loop="asyncio", http="httptools", lifespan="off", log_level="warning",
                        access_log=False)
uvicorn.Server(config).run(sockets=[sock])
"""


def start_sandbox(limits: str) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "actui",
        "sandbox",
        "--limits",
        limits,
        "--api-key",
        API_KEY,
        "--batch-delay",
        "0",
    ]
    process = subprocess.Popen([*command, "--json"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1].strip() != "}":
        lines.append(process.stdout.readline())
    return process, str(json.loads("".join(lines))["url"])


def start_bare() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([sys.executable, "-c", BARE_APP], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


async def hammer(url: str, duration: float, clients: int) -> tuple[Counter[int], float]:
    """Send GET /api/3/users/me from ``clients`` concurrent clients for ``duration`` seconds."""
    statuses: Counter[int] = Counter()
    headers = {"Api-Token": API_KEY}

    async def one_client() -> None:
        async with httpx.AsyncClient(base_url=f"{url}/api/3", headers=headers) as client:
            while time.perf_counter() < deadline:
                statuses[(await client.get("/users/me")).status_code] += 1

    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(one_client() for _ in range(clients)))
    return statuses, time.perf_counter() - started


def wrk_hammer(url: str, duration: float, clients: int) -> tuple[Counter[int], float]:
    """The same load from ``wrk`` (every answer counted as 200 unless wrk reports errors)."""
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{duration:.0f}s",
            "-H",
            f"Api-Token: {API_KEY}",
            f"{url}/api/3/users/me",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    seconds = float(re.search(r"requests in ([\d.]+)s", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    refused = int(bad.group(1)) if bad else 0
    return Counter({200: total - refused, 429: refused}), seconds


def measure(
    starter: Callable[..., tuple[subprocess.Popen[str], str]],
    *args: str,
    duration: float,
    clients: int,
    use_wrk: bool = False,
) -> tuple[Counter[int], float]:
    process, url = starter(*args)
    try:
        if use_wrk:
            wrk_hammer(url, 1, clients)  # warm up
            return wrk_hammer(url, duration, clients)
        asyncio.run(hammer(url, 0.5, clients))  # warm up connections and code paths
        return asyncio.run(hammer(url, duration, clients))
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} at start (figures drop under load)")
    use_wrk = shutil.which("wrk") is not None
    print("load generator:", "wrk" if use_wrk else "httpx (install wrk for a truer ceiling)")
    bare, bare_seconds = measure(start_bare, duration=DURATION, clients=CLIENTS, use_wrk=use_wrk)
    bare_rps = bare[200] / bare_seconds
    off, off_seconds = measure(
        start_sandbox, "off", duration=DURATION, clients=CLIENTS, use_wrk=use_wrk
    )
    off_rps = off[200] / off_seconds
    print(f"bare uvicorn app (baseline): {bare_rps:8.0f} req/s")
    print(
        f"sandbox, limits off:         {off_rps:8.0f} req/s  "
        f"= {off_rps / TARGET_RPS:.2f}x target {TARGET_RPS:.0f}/s, "
        f"{off_rps / bare_rps:.2f}x baseline; statuses {dict(off)}"
    )
    real, _ = measure(start_sandbox, "real", duration=REAL_DURATION, clients=4)
    accepted_rate = real[200] / REAL_DURATION
    print(
        f"sandbox, real limits:        {accepted_rate:8.2f} accepted/s over {REAL_DURATION:.0f} s "
        f"= {accepted_rate / TARGET_REAL_RATE:.3f}x target {TARGET_REAL_RATE:.0f}/s; "
        f"{real[429]} answered 429"
    )


if __name__ == "__main__":
    main()
