#!/usr/bin/env bash
# Scale-out of deep training on a real standalone cluster (scripts/local-cluster.sh: a Master and
# two Workers of 1 core each, separate JVMs, the cluster jar submitted to them): the seed CNN's
# training images/s with one worker (deep.workers=1, one executor trains) and with two, and the
# ratio, measured in this one run: medians over the epochs after the first (each is printed too),
# which also shuffles the rows into one cached partition per worker and runs while each executor's
# JIT compiler, on the executor's only core, still compiles the training loop. Six epochs: the two
# workers took three to reach their pace (Xeon family 6 model 167, 2026-12-06: 2,589, 3,625, 4,169,
# then 4,231-4,526 images/s; one worker 2,020-2,362 after its first), so four sampled the ramp. Then the ceiling
# this machine puts on that ratio: the same network in two independent one-thread DL4J processes,
# one on each core, against one alone (DeepReference on 20,000 images, no Spark, no averaging):
# what two cores give when nothing is shared but the hardware (caches, memory bandwidth, a
# hypervisor's core mapping).
# Each Worker and its executor are pinned to a core of their own (FMNIST_PIN_WORKERS=1, as a 1-core
# machine or container would hold them): unpinned, the one-worker run's executor has the idle
# second core for its JIT compiler and GC threads, which no 1-core worker has.
# Usage: [FMNIST_PIN_WORKERS=0] scripts/bench-scaleout.sh [EPOCHS (6)] [--set key=value ...]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=${1:-6}
shift || true
work=$(mktemp -d)
export FMNIST_CLUSTER_DIR=$work/cluster FMNIST_CLUSTER_WORKERS=2 FMNIST_WORKER_CORES=1
export FMNIST_PIN_WORKERS=${FMNIST_PIN_WORKERS:-1}
trap '"$repo/scripts/local-cluster.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")"
machine=$(java -cp "$repo/target/classes" io.fmnist.run.Machine)
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null
"$repo/scripts/local-cluster.sh" start >&2

for workers in 1 2; do
  echo "== seed CNN on the cluster, $workers worker(s)" >&2
  "$repo/scripts/local-cluster.sh" submit train --data "$work/data" --output "$work/run-$workers" --models cnn \
    --conf "$repo/conf/seed.conf" --set "deep.cnn.epochs=$epochs" --set deep.patience=100 \
    --set "deep.workers=$workers" "$@" 2>&1 | grep -E "epoch [0-9]+/[0-9]+: loss" >&2
done

"$repo/scripts/local-cluster.sh" stop >&2

reference() { # CORE OUT: the seed CNN, one epoch of 20,000 images, on that core alone
  (cd "$repo" && taskset -c "$1" java @conf/jvm.options -Xmx3g -Dlog4j2.configurationFile=conf/log4j2.properties \
    -cp "$classpath" io.fmnist.bench.DeepReference data/fashion-mnist cnn 1 20000 --conf conf/seed.conf "${@:3}" \
    2>/dev/null) > "$2"
}
echo "== seed CNN, one-thread DL4J processes: one alone, then two at once" >&2
reference 0 "$work/alone.txt" "$@"
reference 0 "$work/pair-0.txt" "$@" & reference 1 "$work/pair-1.txt" "$@"; wait
cat "$work"/alone.txt "$work"/pair-*.txt | grep epoch >&2

python3 - "$work" "$machine" "$FMNIST_PIN_WORKERS" <<'PY'
import json, re, statistics, sys, pathlib
work, machine, pinned = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
epochs = {}
for workers in (1, 2):
    history = json.loads((work / f"run-{workers}" / "history" / "cnn.json").read_text())
    epochs[workers] = [e["imagesPerSecond"] for e in history["epochs"]]
rate = {workers: statistics.median(epochs[workers][1:] or epochs[workers]) for workers in (1, 2)}
def images_per_second(name):
    return float(re.search(r"([0-9.]+) images/s", (work / name).read_text()).group(1))
alone = images_per_second("alone.txt")
pair = images_per_second("pair-0.txt") + images_per_second("pair-1.txt")
print(f"machine: {machine}")
print("seed CNN on a standalone cluster of two 1-core workers"
      + (", each pinned to a core with its executor" if pinned else ", not pinned")
      + "; training images/s, medians over the epochs" + (" after the first" if len(epochs[1]) > 1 else ""))
for workers in (1, 2):
    print(f"{workers} worker(s), each epoch: " + ", ".join(f"{r:.0f}" for r in epochs[workers]))
print(f"1 worker: {rate[1]:.0f}   2 workers: {rate[2]:.0f}   ratio: {rate[2] / rate[1]:.2f}")
print(f"ceiling, one-thread DL4J processes without Spark: 1 alone {alone:.0f}, 2 at once {pair:.0f} together, "
      f"ratio {pair / alone:.2f}")
PY
