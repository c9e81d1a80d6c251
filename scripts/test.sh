#!/usr/bin/env bash
# Quick start, command two: install test and lint deps and the system services the tests need
# (PostgreSQL, MariaDB, a Secret Service keyring), then run ruff, mypy, the import contracts and
# pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v pg_virtualenv >/dev/null || need+=(postgresql postgresql-common)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v dbus-run-session >/dev/null || need+=(dbus dbus-user-session)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bash scripts/bootstrap.sh dev
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff" >&2
ruff format --check actui tests bench scripts
ruff check actui tests bench scripts
echo "== mypy" >&2
mypy
echo "== import contracts" >&2
lint-imports

echo "== pytest" >&2
# scripts/mariadb.sh starts a throwaway MariaDB server (installing it when missing) and exports
# ACTUI_TEST_MYSQL_URL; pg_virtualenv starts a throwaway PostgreSQL cluster (-t: in a temporary
# directory, even as root, so it never meets a cluster of the same name) and exports PG* to the
# command; dbus-run-session + gnome-keyring-daemon give keyring a real Secret Service backend.
exec bash scripts/mariadb.sh pg_virtualenv -t -o fsync=off -o max_connections=200 dbus-run-session -- bash -c '
  # a fresh keyring directory, so a login keyring with another password cannot lock the tests out
  export XDG_DATA_HOME="$(mktemp -d)"
  echo -n actui-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
  export ACTUI_TEST_SECRET_SERVICE=1
  python -m pytest -p no:cacheprovider "$@"
' pytest "$@"
