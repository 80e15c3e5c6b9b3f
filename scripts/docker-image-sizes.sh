#!/usr/bin/env bash
# Prints a Markdown table of the runtime and pickle-design images' sizes, whole and above their base.
#   usage: scripts/docker-image-sizes.sh BASE IMAGE PICKLE_IMAGE
set -euo pipefail
base=${1:?base} image=${2:?image} pickle=${3:?pickle image}
size() { docker image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
base_size=$(size "$base")
echo "| image | what it holds | size | above the base |"
echo "|---|---|---:|---:|"
echo "| \`$base\` | the base: Debian bookworm minbase + python3 | $(mb "$base_size") | - |"
echo "| \`$image\` | runtime: onnxruntime + Flask + waitress, server/, model.onnx | $(mb "$(size "$image")") | $(mb $(( $(size "$image") - base_size ))) |"
echo "| \`$pickle\` | pickle design: scikit-learn + scipy + Flask, pickled model | $(mb "$(size "$pickle")") | $(mb $(( $(size "$pickle") - base_size ))) |"
