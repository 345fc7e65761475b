#!/usr/bin/env bash
# Puts the four official Fashion-MNIST files (gzip, as published) in DIR
# (default data/fashion-mnist) and verifies the SHA-256 of their decompressed
# contents. Sources, first that works: an installed Debian package
# dataset-fashion-mnist, the same package fetched with apt-get download and
# unpacked without root, the upstream download links.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$repo/data/fashion-mnist}
system_dir=/usr/share/datasets/fashion-mnist
upstream=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com

declare -A sha=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)

log() { echo "fetch-data: $*" >&2; }

# Checks every file in $1; prints the first problem and fails.
verify() {
  local from=$1 name actual
  for name in "${!sha[@]}"; do
    [ -s "$from/$name.gz" ] || { echo "$from/$name.gz: missing"; return 1; }
    actual=$(gzip -dc "$from/$name.gz" | sha256sum | cut -d' ' -f1) \
      || { echo "$from/$name.gz: not a readable gzip file"; return 1; }
    [ "$actual" = "${sha[$name]}" ] \
      || { echo "$from/$name.gz: SHA-256 of the decompressed file is $actual, expected ${sha[$name]}"; return 1; }
  done
}

if verify "$dir" >/dev/null 2>&1; then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/files"

from=""
if [ -d "$system_dir" ]; then
  log "copying from $system_dir (Debian package dataset-fashion-mnist)"
  from=$system_dir
elif command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
    && (cd "$tmp" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1); then
  log "unpacking Debian package dataset-fashion-mnist"
  dpkg-deb -x "$tmp"/dataset-fashion-mnist_*.deb "$tmp/pkg"
  from=$tmp/pkg$system_dir
else
  log "downloading from $upstream"
  for name in "${!sha[@]}"; do
    curl -fsSL --retry 3 -o "$tmp/files/$name.gz" "$upstream/$name.gz" \
      || { log "could not download $upstream/$name.gz"; exit 1; }
  done
  from=$tmp/files
fi

if ! problem=$(verify "$from"); then
  log "refusing the data: $problem"
  exit 1
fi
mkdir -p "$dir"
for name in "${!sha[@]}"; do
  cp "$from/$name.gz" "$dir/$name.gz.part"
  mv "$dir/$name.gz.part" "$dir/$name.gz"
done
log "verified Fashion-MNIST in $dir"
