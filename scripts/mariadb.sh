#!/usr/bin/env bash
# Run a command next to a throwaway MariaDB server, as pg_virtualenv does for PostgreSQL:
#   bash scripts/mariadb.sh COMMAND [ARGS...]
# Installs mariadb-server from the OS packages when it is missing, starts a server in a temporary
# data directory on a free local port (and a socket in that directory), exports
# ACTUI_TEST_MYSQL_URL (a mysql+pymysql:// URL of an empty database) to the command, and removes
# everything when the command ends. The command's exit status is this script's.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mariadbd >/dev/null || ! command -v mariadb-install-db >/dev/null ||
  ! command -v mariadb >/dev/null; then
  echo "Installing system packages: mariadb-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  # the package may start its own service or not: this script starts a server of its own
  as_root apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
fi

dir="$(mktemp -d -t actui-mariadb.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
user="$(id -un)"
mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
  --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 || {
  cat "$dir/install.log" >&2
  exit 1
}
mkdir -p "$dir/tmp"
mariadbd --no-defaults --datadir="$dir/data" --user="$user" --socket="$dir/mysqld.sock" \
  --tmpdir="$dir/tmp" \
  --pid-file="$dir/mysqld.pid" --bind-address=127.0.0.1 --port="$port" --skip-name-resolve \
  --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0 \
  --innodb-buffer-pool-size=256M --max-connections=300 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  --log-error="$dir/error.log" >"$dir/server.out" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  if mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot -e "SELECT 1" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$dir/error.log" >&2
    exit 1
  fi
  sleep 0.1
done
password="$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot <<SQL
CREATE DATABASE actui_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'actui'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'actui'@'127.0.0.1';
SQL
export ACTUI_TEST_MYSQL_URL="mysql+pymysql://actui:$password@127.0.0.1:$port/actui_test?charset=utf8mb4"
status=0
"$@" || status=$?
exit "$status"
