#!/usr/bin/env bash
# The colour data set (issue 16): every Fashion-MNIST item tinted with a random colour over a random
# textured background, 32x32x3, seeded (the configuration's seed) and reproducible, written as
# DIR/idx (idx4 images + idx1 labels, gzip) and DIR/folders (train|test/<k>-<class>/<id>.png).
# Both forms ingest to the same data set. Usage: scripts/make-colour-fashion.sh [DIR] [make-colour options]
# (default DIR data/colour-fashion; e.g. --limit 5000 for a subset, --overwrite to replace it).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$repo/data/colour-fashion}
shift || true
"$repo/scripts/fetch-data.sh" "$repo/data/fashion-mnist" >/dev/null
"$repo/scripts/fmnist" make-colour --input "$repo/data/fashion-mnist" --output "$dir" "$@"
