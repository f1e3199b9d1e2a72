#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL and Redis on loopback, stopped afterwards.
# Exports VITRINA_TEST_POSTGRES_URL and VITRINA_TEST_REDIS_URL for the tests.
set -euo pipefail

work=$(mktemp -d /tmp/vitrina-test-services.XXXXXX)
pg_port=${VITRINA_TEST_PG_PORT:-55432}
redis_port=${VITRINA_TEST_REDIS_PORT:-56379}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$work"
  chmod 755 "$work"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  if [ -f "$work/redis.pid" ]; then kill "$(cat "$work/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U vitrina --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"

for _ in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

export VITRINA_TEST_POSTGRES_URL="postgresql+asyncpg://vitrina@127.0.0.1:$pg_port/postgres"
export VITRINA_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
"$@"
