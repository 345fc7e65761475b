#!/usr/bin/env bash
# Trains the MLlib models N times on the full ingested data set and prints, per model, the median
# training seconds, test-set prediction images/s and test accuracy over the runs (from
# metrics/<name>.json), with the machine's CPU.
# Usage: scripts/bench-classical.sh [N] [extra train options, e.g. --conf conf/pixels.conf]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-3}
shift || true
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null

for i in $(seq "$runs"); do
  start=$(date +%s)
  "$repo/scripts/fmnist" train --data "$work/data" --output "$work/run$i" "$@" >/dev/null
  echo "run $i: $(( $(date +%s) - start )) s for the whole train command"
done

machine=$(java -cp "$repo/target/classes" io.fmnist.run.Machine)
python3 - "$work" "$runs" "$machine" <<'PY'
import json, statistics, sys, pathlib
work, runs = pathlib.Path(sys.argv[1]), int(sys.argv[2])
print(f"machine: {sys.argv[3]}")
names = sorted(p.stem for p in (work / "run1" / "metrics").glob("*.json"))
print(f"{'model':6} {'train s':>9} {'infer img/s':>12} {'accuracy':>9} {'Shirt F1':>9}  (medians of {runs})")
for name in names:
    m = [json.loads((work / f"run{i}" / "metrics" / f"{name}.json").read_text()) for i in range(1, runs + 1)]
    med = lambda key: statistics.median(x[key] for x in m)
    shirt = statistics.median(x["perClass"][6]["f1"] for x in m)
    print(f"{name:6} {med('trainSeconds'):9.1f} {med('inferenceImagesPerSecond'):12.0f} {med('accuracy'):9.4f} {shirt:9.4f}")
PY
