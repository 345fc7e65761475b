#!/usr/bin/env bash
# Times the whole `ingest` command (JVM and Spark start-up included) on the full data set, N
# times, and prints each wall time and the median. Usage: scripts/bench-ingest.sh [N] [IDX_DIR]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
input=${2:-$repo/data/fashion-mnist}
"$repo/scripts/fetch-data.sh" >/dev/null
"$repo/scripts/fmnist" --help >/dev/null 2>&1   # builds first if needed, outside the timings
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

times=()
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$repo/scripts/fmnist" ingest --input "$input" --output "$out/ds$i" >/dev/null 2>&1
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')")
  echo "run $i: ${times[-1]} s"
done
echo "machine: $(java -cp "$repo/target/classes" io.fmnist.run.Machine)"
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median of %d: %.2f s\n", NR, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
