#!/usr/bin/env bash
# Rewrites requirements.lock: installs actui and its dev tools, newest allowed versions, into a
# throwaway virtual environment and pins what it got. Run the tests on the result before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip install -q ".[dev]"
{
  echo "# The versions the tests passed with, for scripts/bootstrap.sh (pip constraints: every package"
  echo "# actui and its dev tools install, pinned). Regenerate with: bash scripts/lock.sh"
  "$work/venv/bin/python" -m pip freeze --exclude actui
} > requirements.lock
echo "Wrote requirements.lock; run bash scripts/test.sh before committing it." >&2
