#!/usr/bin/env bash
# Creates .venv with actui and, with "dev", its test and lint tools, at the versions pinned in
# requirements.lock (the ones the tests passed with). Safe to run again: a no-op once installed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    echo "python3 -m venv failed: installing python3-venv" >&2
    rm -rf .venv
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
fi
stamp=".venv/.installed-${extras:-base}"
fresh() { [ -f "$1" ] && [ ! pyproject.toml -nt "$1" ] && [ ! requirements.lock -nt "$1" ]; }
# the dev install includes the base one
if fresh "$stamp" || { [ -z "$extras" ] && fresh .venv/.installed-dev; }; then
  exit 0
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ -n "$extras" ]; then spec=".[$extras]"; else spec="."; fi
.venv/bin/python -m pip install -q -c requirements.lock -e "$spec"
touch "$stamp"
