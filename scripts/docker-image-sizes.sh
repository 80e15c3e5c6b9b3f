#!/usr/bin/env bash
# Prints a Markdown table of the runtime and seed-style images' sizes, whole and above their base.
#   usage: scripts/docker-image-sizes.sh BASE IMAGE SEED_IMAGE
set -euo pipefail
base=${1:?base} image=${2:?image} seed=${3:?seed image}
size() { docker image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
base_size=$(size "$base")
echo "| image | what it holds | size | above the base |"
echo "|---|---|---:|---:|"
echo "| \`$base\` | the base: Debian bookworm minbase + python3 | $(mb "$base_size") | - |"
echo "| \`$image\` | runtime: onnxruntime + Flask + waitress, server/, model.onnx | $(mb "$(size "$image")") | $(mb $(( $(size "$image") - base_size ))) |"
echo "| \`$seed\` | seed-style: scikit-learn + scipy + Flask, pickled model | $(mb "$(size "$seed")") | $(mb $(( $(size "$seed") - base_size ))) |"
