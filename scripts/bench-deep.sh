#!/usr/bin/env bash
# Training and inference speed of the seed CNN and ResNet (conf/seed.conf, 64 images per batch for
# both) on the full data set, three ways on this machine in one run:
#  - through Spark: synchronous parameter averaging in local mode (one worker per core), images/s
#    per epoch from the run's history/<name>.json, and test-set prediction images/s;
#  - one plain DL4J process without Spark on the same minibatches, all cores (DeepReference);
#  - PyTorch (Debian's python3-torch) on the same network, batch and cores (scripts/torch-reference.py),
#    in float and in bf16 mixed precision (autocast; the project's convolutions run bf16 where
#    oneDNN has AMX kernels for them, deep.<name>.convolution-precision = auto), the faster of the
#    two the reference; skipped with a note where it is not installed.
# Prints the CPU, the median over the epochs of each, and the ratios, all measured in this one run.
# Usage: scripts/bench-deep.sh [EPOCHS] [--set key=value ...] (passed to the Spark and DL4J runs)
set -euo pipefail
# Debian's python3-torch is for Debian's python3; a python3 earlier on PATH (pyenv, a venv) may lack it.
torch_python=${FMNIST_TORCH_PYTHON:-/usr/bin/python3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=${1:-3}
shift || true
batch=64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")"
cores=$(nproc)
machine=$(java -cp "$classpath" io.fmnist.run.Machine)
torch=no
if "$torch_python" -c 'import torch' 2>/dev/null; then torch=yes; fi
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null

for model in cnn resnet; do
  echo "== $model: through Spark" >&2
  "$repo/scripts/fmnist" train --data "$work/data" --output "$work/run-$model" --models "$model" \
    --conf "$repo/conf/seed.conf" --set "deep.$model.epochs=$epochs" --set deep.patience=100 \
    --set "deep.$model.batch-size-per-worker=$batch" "$@" 2>&1 | grep -E "epoch [0-9]+/[0-9]+: loss" >&2
  echo "== $model: one DL4J process" >&2
  (cd "$repo" && java @conf/jvm.options -Xmx6g -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$classpath" \
    io.fmnist.bench.DeepReference data/fashion-mnist "$model" "$epochs" 60000 \
    --conf conf/seed.conf --set "deep.$model.batch-size-per-worker=$batch" "$@" 2>/dev/null) \
    | tee "$work/reference-$model.txt" | grep epoch >&2
  if [ $torch = yes ]; then
    echo "== $model: PyTorch" >&2
    for precision in f32 bf16; do
      "$torch_python" "$repo/scripts/torch-reference.py" train "$repo/data/fashion-mnist" "$model" "$epochs" $batch \
        "$cores" $precision | tee "$work/torch-$model-$precision.txt" >&2
    done
  fi
done

python3 - "$work" "$machine" "$torch" "$batch" <<'PY'
import json, re, statistics, sys, pathlib
work, machine, torch, batch = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "yes", sys.argv[4]
def median_rate(text):
    return statistics.median(float(x) for x in re.findall(r"([0-9.]+) images/s", text))
print(f"machine: {machine}")
print(f"seed networks, batch {batch}; training images/s are medians over the epochs of this run")
if not torch:
    print("PyTorch: not installed (apt-get install python3-torch), its columns are empty")
amx = json.loads((work / "run-resnet" / "metrics" / "resnet.json").read_text())["chosenParams"]["bf16-on-amx"]
print("this project's convolutions: " + ("bf16 where oneDNN has AMX kernels for them" if amx else "float (no AMX)")
      + "; spark/pytorch: against the faster of PyTorch's float and bf16 autocast")
print(f"{'model':7} {'spark':>7} {'dl4j':>7} {'pytorch':>8} {'pt bf16':>8} {'spark/dl4j':>11} {'spark/pytorch':>14} "
      f"{'test acc':>9} {'predict img/s':>14}")
for model in ("cnn", "resnet"):
    run = work / f"run-{model}"
    history = json.loads((run / "history" / f"{model}.json").read_text())
    spark = statistics.median(e["imagesPerSecond"] for e in history["epochs"])
    metrics = json.loads((run / "metrics" / f"{model}.json").read_text())
    reference = median_rate((work / f"reference-{model}.txt").read_text())
    pytorch, bf16 = (median_rate((work / f"torch-{model}-{p}.txt").read_text()) if torch else None
                     for p in ("f32", "bf16"))
    print(f"{model:7} {spark:7.0f} {reference:7.0f} {pytorch or 0:8.0f} {bf16 or 0:8.0f} {spark / reference:11.2f} "
          f"{(spark / max(pytorch, bf16)) if pytorch else float('nan'):14.2f} {metrics['accuracy']:9.4f} "
          f"{metrics['inferenceImagesPerSecond']:14.0f}")
PY
