#!/usr/bin/env bash
# End-to-end generation throughput: kept samples per second of `hardgen generate` (records,
# rejections and the OpenAI export written to a temporary directory) with --jobs 1 and --jobs 2.
# Usage: scripts/bench-generate.sh [N] [SEED]   (defaults: N=100000, SEED=3; JOBS="1 2" to change)
set -euo pipefail
n="${1:-100000}"
seed="${2:-3}"
jobs_list="${JOBS:-1 2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release -p hardgen-cli --quiet
bin="$root/target/release/hardgen"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "n=$n seed=$seed cores=$(nproc) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for j in $jobs_list; do
  start=$(date +%s.%N)
  kept=$("$bin" generate --n "$n" --seed "$seed" --out "$out/j$j" --jobs "$j" | awk '/^kept/ {print $2; exit}')
  end=$(date +%s.%N)
  awk -v j="$j" -v k="$kept" -v s="$start" -v e="$end" \
    'BEGIN { t = e - s; printf "--jobs %s: %d kept in %.2f s = %.0f kept/s\n", j, k, t, k / t }'
  rm -rf "$out/j$j"
done
