#!/usr/bin/env bash
# The main job on a laptop: builds if needed, fetches Fashion-MNIST if absent, and runs the whole
# pipeline in local mode with the default configuration into runs/<timestamp>/.
# Extra arguments go to `pipeline` (for example --conf conf/quick.conf or --set key=value).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/fetch-data.sh" "$repo/data/fashion-mnist"
run=$repo/runs/$(date -u +%Y%m%d-%H%M%S)
"$repo/scripts/fmnist" pipeline --input "$repo/data/fashion-mnist" --output "$run" "$@"
echo "results: $run (run manifest: $run/run.json)"
