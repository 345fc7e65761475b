#!/usr/bin/env bash
# Times the ingest of the colour set's 70,000 PNGs (image folders, through Spark's image data
# source) and of the same images as idx4, N times each, alternating; prints each wall time and the
# medians, then checks that the two forms gave the same data set (io.fmnist.bench.SameDataSet, every
# row's id, label and bytes). Makes the colour set first if absent.
# Usage: scripts/bench-image-folders.sh [N]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
colour=$repo/data/colour-fashion
[ -d "$colour/folders" ] || "$repo/scripts/make-colour-fashion.sh" "$colour"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A times
for i in $(seq "$runs"); do
  for form in folders idx; do
    start=$(date +%s.%N)
    "$repo/scripts/fmnist" ingest --input "$colour/$form" --output "$out/$form$i" >/dev/null 2>&1
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", b - a}')
    times[$form]+="$t "
    echo "run $i $form: $t s"
  done
done
echo "machine: $(java -cp "$repo/target/classes" io.fmnist.run.Machine)"
(cd "$repo" && mvn -q -B test-compile) >&2
SPARK_LOCAL_IP=127.0.0.1 java @"$repo/conf/jvm.options" -Xmx8g -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" \
  -cp "$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")" \
  io.fmnist.bench.SameDataSet "$out/folders1" "$out/idx1"
for form in folders idx; do
  printf '%s\n' ${times[$form]} | sort -n | awk -v f="$form" \
    '{a[NR]=$1} END {printf "%s: median of %d: %.2f s (%.0f images/s)\n", f, NR, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), 70000 / (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
done
