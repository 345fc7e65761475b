#!/usr/bin/env bash
# Where a deep training step's time goes, per network, on this machine:
#  1. one worker's step (one thread, as each Spark worker runs): DL4J training on real minibatches
#     under Java Flight Recorder, every stack sample put in a category (a layer kind's forward or
#     backward pass, the updater, the loss, DL4J's and ND4J's bookkeeping, GC), by
#     io.fmnist.bench.DeepProfile; then, in a second run (its printing slows the steps down),
#     oneDNN's own time per primitive kind (DNNL_VERBOSE);
#  2. the Spark level: one epoch on 12,800 images through Spark in local mode, split into the
#     slowest worker's fitting, its parameter averaging (waiting for the other worker included)
#     and the rest of the epoch (job, broadcast, network restore and return);
#  3. the same network in PyTorch (Debian's python3-torch, one thread, torch.profiler), for what
#     each op should cost on this CPU; seed networks only, skipped where PyTorch is not installed.
# Usage: scripts/profile-deep.sh [seed|default] [STEPS]   (seed: conf/seed.conf's networks;
#        default: the pipeline's, conf/default.conf)
set -euo pipefail
# Debian's python3-torch is for Debian's python3; a python3 earlier on PATH (pyenv, a venv) may lack it.
torch_python=${FMNIST_TORCH_PYTHON:-/usr/bin/python3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
networks=${1:-seed}
steps=${2:-150}
conf=()
[ "$networks" = seed ] && conf=(--conf "$repo/conf/seed.conf")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/scripts/fetch-data.sh" >/dev/null
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")"
echo "machine: $(java -cp "$classpath" io.fmnist.run.Machine)"
"$repo/scripts/fmnist" ingest --input "$repo/data/fashion-mnist" --output "$work/data" >/dev/null

for model in cnn resnet; do
  echo
  echo "=== $model ($networks networks)"
  profile() { # DNNL_VERBOSE value, steps
    (cd "$repo" && DNNL_VERBOSE=$1 taskset -c 0 java @conf/jvm.options -Xmx4g \
      -Dlog4j2.configurationFile=conf/log4j2.properties -cp "$classpath" \
      io.fmnist.bench.DeepProfile data/fashion-mnist "$model" "$2" "${conf[@]}" 2>/dev/null)
  }
  profile 0 "$steps" | tee "$work/$model.txt"
  batch=$(sed -n 's/.* batch \([0-9]*\),.*/\1/p' "$work/$model.txt" | head -1)
  profile 1 50 > "$work/$model-onednn.txt"
  python3 - "$work/$model-onednn.txt" <<'PY'
import collections, sys
lines = [l.strip().split(",") for l in open(sys.argv[1]) if l.startswith(("dnnl_verbose,exec", "onednn_verbose,exec"))]
total_steps = 50 + 30  # DeepProfile's warm-up steps run too
spent = collections.Counter()
for f in lines:
    kind = f[3] if f[3] == "reorder" else f"{f[3]} {f[5]}"
    spent[kind] += float(f[-1])
print(f"  oneDNN primitives (libnd4j's 2.3 and the direct 2.5; a second run, slowed by their logging): {sum(spent.values()) / total_steps:.2f} "
      "ms per step in all")
for kind, ms in spent.most_common(12):
    print(f"    {ms / total_steps:8.2f} ms  {kind}")
PY
  echo "  through Spark (local mode, one epoch of 12,800 images):"
  "$repo/scripts/fmnist" train --data "$work/data" --output "$work/run-$model" --models "$model" "${conf[@]}" \
    --set "deep.$model.epochs=1" --set data.train-limit=14200 --set data.test-limit=500 --verbose 2>&1 \
    | grep -E "slowest worker|epoch 1/1: loss" | sed -E 's/^[0-9:]+ [A-Z]+ +[A-Za-z]+: /    /'
  if [ "$networks" = seed ] && "$torch_python" -c 'import torch' 2>/dev/null; then
    echo "  PyTorch, one thread:"
    "$torch_python" "$repo/scripts/torch-reference.py" profile "$repo/data/fashion-mnist" "$model" "$steps" "$batch" 1 \
      | head -22 | sed 's/^/    /'
  fi
done
