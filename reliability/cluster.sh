#!/usr/bin/env bash
# The PostgreSQL cluster of make reliability: its own cluster on its own
# port, because the outage scenario stops and starts it (the shared cluster
# on 5432 is never touched). Creates it when missing, starts it, makes the
# role the scenarios connect as, and prints the connection URL (the only
# line on stdout).
#
#   reliability/cluster.sh            # ensure and start
#   reliability/cluster.sh drop       # stop and delete the cluster
set -euo pipefail
# The URL goes to the caller's stdout (fd 3), the rest to stderr; nothing that
# starts a daemon may inherit fd 3 (the caller's `$(...)` would never end).
exec 3>&1 1>&2

NAME=reliability
PORT=${RELIABILITY_PG_PORT:-5439}
ROLE=xuetang
PASSWORD=xuetang
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  echo "installing PostgreSQL"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends postgresql 3>&-
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
exists() { pg_lsclusters -h | awk -v v="$version" -v n="$NAME" '$1 == v && $2 == n' | grep -q .; }

if [ "${1:-}" = drop ]; then
  exists && $SUDO pg_dropcluster --stop "$version" "$NAME"
  exit 0
fi

if ! exists; then
  echo "creating PostgreSQL cluster $version/$NAME on port $PORT"
  $SUDO pg_createcluster "$version" "$NAME" --port "$PORT" -- --auth-local=peer --auth-host=scram-sha-256 >/dev/null 3>&-
fi
PORT=$(pg_lsclusters -h | awk -v v="$version" -v n="$NAME" '$1 == v && $2 == n { print $3 }')
if ! pg_lsclusters -h | awk -v v="$version" -v n="$NAME" '$1 == v && $2 == n { print $4 }' | grep -q online; then
  $SUDO pg_ctlcluster "$version" "$NAME" start 3>&-
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
for _ in $(seq 1 30); do
  as_postgres "pg_isready -q -p $PORT" && break
  sleep 1
done
as_postgres "psql -p $PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"" | grep -q 1 \
  || as_postgres "psql -p $PORT -qc \"CREATE ROLE $ROLE LOGIN SUPERUSER PASSWORD '$PASSWORD'\""

echo "PostgreSQL cluster $version/$NAME ready on port $PORT"
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/postgres" >&3
