#!/usr/bin/env bash
# Training speed of the seed CNN and ResNet (conf/seed.conf, at the default 64 images per worker
# batch for both) on the full data set:
#  - through Spark (parameter averaging, local mode, default workers and batch), images/s per epoch
#    from the run's history/<name>.json;
#  - one plain DL4J process without Spark on the same minibatches, all cores (the reference).
# Prints the median over the epochs of each, and their ratio, measured in this one run.
# The reference uses the model's batch-size-per-worker as its batch size.
# Usage: scripts/bench-deep.sh [EPOCHS] [--set key=value ...] (passed to both)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=${1:-3}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null

for model in cnn resnet; do
  "$repo/scripts/fmnist" train --data "$work/data" --output "$work/run-$model" --models "$model" \
    --conf "$repo/conf/seed.conf" --set "deep.$model.epochs=$epochs" --set deep.patience=100 \
    --set "deep.$model.batch-size-per-worker=64" "$@" >/dev/null
  (cd "$repo" && java @conf/jvm.options -Xmx6g -Dlog4j2.configurationFile=conf/log4j2.properties \
    -cp "target/test-classes:target/classes:$(cat target/local-classpath.txt)" \
    io.fmnist.bench.DeepReference data/fashion-mnist "$model" "$epochs" 60000 \
    --conf conf/seed.conf --set "deep.$model.batch-size-per-worker=64" "$@" 2>/dev/null) | tee "$work/reference-$model.txt" | grep -v '^reference .*parameters' >&2
done

python3 - "$work" <<'PY'
import json, re, statistics, sys, pathlib
work = pathlib.Path(sys.argv[1])
print(f"{'model':7} {'spark img/s':>12} {'reference img/s':>16} {'ratio':>6} {'spark test acc':>15}  (medians over epochs)")
for model in ("cnn", "resnet"):
    history = json.loads((work / f"run-{model}" / "history" / f"{model}.json").read_text())
    spark = statistics.median(e["imagesPerSecond"] for e in history["epochs"])
    ref_text = (work / f"reference-{model}.txt").read_text()
    reference = statistics.median(float(x) for x in re.findall(r"([0-9.]+) images/s", ref_text))
    accuracy = json.loads((work / f"run-{model}" / "metrics" / f"{model}.json").read_text())["accuracy"]
    print(f"{model:7} {spark:12.0f} {reference:16.0f} {spark / reference:6.2f} {accuracy:15.4f}")
PY
