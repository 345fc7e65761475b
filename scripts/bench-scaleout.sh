#!/usr/bin/env bash
# Scale-out of deep training on a real standalone cluster (scripts/local-cluster.sh: a Master and
# two Workers of 1 core each, separate JVMs, the cluster jar submitted to them): the seed CNN's
# training images/s with one worker (deep.workers=1, one executor trains) and with two, and the
# ratio, measured in this one run. Medians over the epochs.
# Usage: scripts/bench-scaleout.sh [EPOCHS] [--set key=value ...]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=${1:-3}
shift || true
work=$(mktemp -d)
export FMNIST_CLUSTER_DIR=$work/cluster FMNIST_CLUSTER_WORKERS=2 FMNIST_WORKER_CORES=1
trap '"$repo/scripts/local-cluster.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
(cd "$repo" && mvn -q -B -DskipTests package) >&2
machine=$(java -cp "$repo/target/classes" io.fmnist.run.Machine)
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null
"$repo/scripts/local-cluster.sh" start >&2

for workers in 1 2; do
  echo "== seed CNN on the cluster, $workers worker(s)" >&2
  "$repo/scripts/local-cluster.sh" submit train --data "$work/data" --output "$work/run-$workers" --models cnn \
    --conf "$repo/conf/seed.conf" --set "deep.cnn.epochs=$epochs" --set deep.patience=100 \
    --set "deep.workers=$workers" "$@" 2>&1 | grep -E "epoch [0-9]+/[0-9]+: loss" >&2
done

python3 - "$work" "$machine" <<'PY'
import json, statistics, sys, pathlib
work, machine = pathlib.Path(sys.argv[1]), sys.argv[2]
rate = {}
for workers in (1, 2):
    history = json.loads((work / f"run-{workers}" / "history" / "cnn.json").read_text())
    rate[workers] = statistics.median(e["imagesPerSecond"] for e in history["epochs"])
print(f"machine: {machine}")
print("seed CNN on a standalone cluster of two 1-core workers; training images/s, medians over the epochs")
print(f"1 worker: {rate[1]:.0f}   2 workers: {rate[2]:.0f}   ratio: {rate[2] / rate[1]:.2f}")
PY
