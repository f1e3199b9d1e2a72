#!/usr/bin/env bash
# The world benchmark scenarios recorded in docs/benchmarks.md.
# Usage: bench/world_scenarios.sh [results.jsonl]   (each line: one scenario's JSON)
# Run on a quiet machine: the figures include the generator's share of the CPU. On a
# shared machine with autogroup scheduling, raise this session's priority first
# (as root: echo -15 > /proc/self/autogroup) and note it with the results.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/world_results.jsonl}"
python="${PYTHON:-.venv/bin/python}"

run() {
  local name="$1"; shift
  echo "== $name: python -m bench.world $* (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  "$python" -m bench.world "$@" --json | sed "s/^{/{\"scenario\": \"$name\", /" | tee -a "$out" || true
}

# 1. 500 clients in 10 rooms of 50, each sending 20 Hz (targets: p99 <= 100 ms, p50 <= 30 ms).
run rooms10x50 --clients 500 --rooms 10 --hz 20 --duration 30
# 2. 200 clients in one room at 10 Hz, interest management on (target: p99 <= 150 ms).
run room1x200-interest --clients 200 --rooms 1 --hz 10 --duration 30 --area 150 --interest-radius 30
# 3. Downstream bytes per client in a 50-avatar room at 20 Hz (target: <= 40 KiB/s).
run room1x50 --clients 50 --rooms 1 --hz 20 --duration 30
# 4. Largest single room, then the largest total in rooms of 50, still at p99 <= 100 ms.
for n in 100 150 200 300 400 500; do run "room1x$n" --clients "$n" --rooms 1 --hz 20 --duration 20; done
for n in 600 750 900 1000; do run "rooms-of-50-total-$n" --clients "$n" --rooms $((n / 50)) --hz 20 --duration 20; done
# 5. Hostile clients beside the 500 of scenario 1.
run rooms10x50-attackers --clients 500 --rooms 10 --hz 20 --duration 30 --attackers 20
# 6. Side by side with the Colyseus peer (bench/peers/colyseus), the same shapes, three rounds.
"$python" -m bench.world_vs_peer --matrix 500x10,1000x20,200x1 --rounds 3 --out "$out.peer" >&2 || true
