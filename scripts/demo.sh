#!/usr/bin/env bash
# Quick start, command one: install actui into .venv and open it on the embedded demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >&2
exec .venv/bin/actui demo "$@"
