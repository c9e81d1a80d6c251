"""Send throughput, 429 share, re-send cost and memory against the sandbox (run in its own process).

    .venv/bin/python bench/send.py [--real-seconds 75] [--x20-contacts 250000]
                                   [--rss-contacts 1000000] [--skip-real] [--skip-rss]

Prints contacts/hour as ratios: to the API's ceiling at the limits in force (100 imports/min x 250
= 1.5 M/hour at real limits, x20 above it) and to Census's 37,000/hour; the share of requests
answered 429; the requests of a re-send with 1 % of the audience changed against the first send's;
and the peak RSS of a ``python -m actui send`` process sending 1 M contacts.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CEILING_PER_HOUR = 100 * 250 * 60  # bulk imports a minute x contacts each x minutes
CENSUS_PER_HOUR = 37_000


def start_sandbox(limits: str) -> tuple[subprocess.Popen[str], str, str]:
    """The sandbox in its own process, so its memory and CPU are not the sender's."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "actui",
            "sandbox",
            "--limits",
            limits,
            "--batch-delay",
            "0",
            "--json",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("}"):
            break
    info = json.loads("".join(lines))
    return process, info["url"], info["api_key"]


def rows(count: int, changed: int = 0) -> Iterator[tuple[int, str, int, str, str]]:
    for i in range(count):
        tier = "changed" if i < changed else ("gold", "silver", "bronze")[i % 3]
        yield (i, f"customer{i:07d}@example.com", 1, f"First{i}", tier)


def write_db(path: Path, count: int, changed: int = 0) -> str:
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE IF EXISTS customer_360")
        db.execute("DROP TABLE IF EXISTS merged_customers")
        db.execute(
            "CREATE TABLE customer_360 (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " in_audience INTEGER)"
        )
        db.execute(
            "CREATE TABLE merged_customers (customer_id INTEGER PRIMARY KEY, email TEXT,"
            " first_name TEXT, tier TEXT)"
        )
        db.executemany(
            "INSERT INTO customer_360 VALUES (?, ?, ?)", (r[:3] for r in rows(count, changed))
        )
        db.executemany(
            "INSERT INTO merged_customers VALUES (?, ?, ?, ?)",
            ((r[0], r[1], r[3], r[4]) for r in rows(count, changed)),
        )
    return f"sqlite:///{path}"


def prepare_home(home: Path, url: str, key: str) -> dict[str, str]:
    """A private ACTUI_HOME with the destination and campaign saved; returns the env to use."""
    env = {**os.environ, "ACTUI_HOME": str(home), "ACTUI_AC_URL": url, "ACTUI_AC_KEY": key}
    script = (
        "from actui.credentials import make_destination, save_destination\n"
        "from actui.campaigns.store import import_campaign\n"
        "save_destination(make_destination(name='bench', credential='env', list='Bench'))\n"
        "import_campaign({'name': 'Bench', 'audience': {'name': 'all', 'conditions': "
        "[{'attribute': 'in_audience', 'operator': 'is', 'value': 1}]}, 'groups': [{'name': "
        "'All', 'percent': 100, 'destination': 'bench', 'list': 'Bench'}], 'attributes': "
        "{'email': 'email', 'first_name': 'first_name', 'field:Loyalty Tier': 'tier'}})\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)
    return env


def send(env: dict[str, str], db: str, rate: float, bulk: float) -> tuple[dict[str, Any], int]:
    """Run ``python -m actui send``; returns its JSON summary and its peak RSS in bytes."""
    run_env = {**env, "ACTUI_SEND_RATE": str(rate), "ACTUI_SEND_BULK_PER_MINUTE": str(bulk)}
    process = subprocess.Popen(
        [sys.executable, "-m", "actui", "send", "Bench", "--db", db, "--json"],
        env=run_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.05)
    out = process.stdout.read() if process.stdout else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"send failed ({process.returncode}): {out[-2000:]}")
    return json.loads(out), peak


def scenario(label: str, limits: str, factor: float, contacts: int, resend: bool) -> None:
    print(f"\n== {label}: {contacts:,} contacts, sandbox limits {limits}")
    sandbox, url, key = start_sandbox(limits)
    try:
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder) / "home"
            env = prepare_home(home, url, key)
            db = write_db(Path(folder) / "c360.db", contacts)
            first, peak = send(env, db, 5.0 * factor, 100.0 * factor)
            report(first, factor, peak)
            if resend:
                write_db(Path(folder) / "c360.db", contacts, changed=contacts // 100)
                second, _ = send(env, db, 5.0 * factor, 100.0 * factor)
                share = second["requests"] / max(1, first["requests"])
                print(
                    f"re-send with 1 % changed: {second['requests']} requests vs "
                    f"{first['requests']} for the first send = {share:.2%} (target <= 2 %); "
                    f"updated {second['planned']['update']:,}, unchanged "
                    f"{second['planned']['unchanged']:,}"
                )
    finally:
        sandbox.terminate()
        sandbox.wait()


def report(summary: dict[str, Any], factor: float, peak: int) -> None:
    seconds = summary["duration_seconds"]
    per_hour = summary["sent"] / seconds * 3600 if seconds else 0.0
    ceiling = CEILING_PER_HOUR * factor
    share_429 = summary["rate_limited"] / max(1, summary["requests"])
    print(
        f"sent {summary['sent']:,} in {seconds:,.1f} s (planning included): "
        f"{per_hour:,.0f} contacts/hour"
    )
    print(f"  ratio to the ceiling at these limits ({ceiling:,.0f}/h): {per_hour / ceiling:.1%}")
    sending = summary.get("sending_seconds") or 0.0
    if sending:
        pure = summary["sent"] / sending * 3600
        print(
            f"  sending phase alone ({sending:,.1f} s): {pure:,.0f}/h = {pure / ceiling:.1%} "
            "of the ceiling"
        )
    print(f"  ratio to Census ({CENSUS_PER_HOUR:,}/h): {per_hour / CENSUS_PER_HOUR:,.1f}x")
    print(
        f"  requests {summary['requests']:,}, answered 429: {summary['rate_limited']} "
        f"({share_429:.2%}), retries {summary['retries']}"
    )
    print(f"  sender peak RSS: {peak / 2**20:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-seconds", type=float, default=75.0)
    parser.add_argument("--x20-contacts", type=int, default=250_000)
    parser.add_argument("--rss-contacts", type=int, default=1_000_000)
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-rss", action="store_true")
    options = parser.parse_args()
    if not options.skip_real:
        contacts = int(CEILING_PER_HOUR * options.real_seconds / 3600)
        scenario("real limits", "real", 1.0, contacts, resend=False)
    scenario("limits x20", "x20", 20.0, options.x20_contacts, resend=True)
    if not options.skip_rss:
        scenario("memory, limits x20", "x20", 20.0, options.rss_contacts, resend=False)


if __name__ == "__main__":
    main()
