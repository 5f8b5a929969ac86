#!/usr/bin/env bash
# MCP throughput: trajectories per second of `hardgen traces` on the stdio test server
# (tests/mcp/server.py), each trajectory on a fresh server process in a fresh working directory:
# started ahead by the warm pool (pool=2) against a cold start per trajectory (pool=0); and, for
# reference, one process reset by its own reset tool. Needs scripts/mcp-env.sh.
# Usage: scripts/bench-mcp.sh [N] [SEED]   (defaults: N=60, SEED=1)
set -euo pipefail
n="${1:-60}"
seed="${2:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/mcp-env.sh >/dev/null
py="${HARDGEN_MCP_VENV:-$root/target/mcp-venv}/bin/python"
[ -x "$py" ] || { echo "no MCP environment (scripts/mcp-env.sh could not make it)"; exit 1; }
cargo build --release -p hardgen-cli --quiet
bin="$root/target/release/hardgen"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cmd="env OFFICE_STORE={workdir}/office.json $py $root/tests/mcp/server.py"
echo "n=$n seed=$seed cores=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for opts in ";pool=0" ";pool=2" ";reset=reset_state"; do
  start=$(date +%s.%N)
  "$bin" traces --tools "mcp+stdio:\"$cmd\"$opts" --n "$n" --seed "$seed" --jobs 1 --out "$out/t.jsonl"
  end=$(date +%s.%N)
  got=$(wc -l < "$out/t.jsonl")
  awk -v o="$opts" -v k="$got" -v s="$start" -v e="$end" \
    'BEGIN { t = e - s; printf "%-20s %d trajectories in %.2f s = %.2f trajectories/s\n", o, k, t, k / t }'
done
