#!/usr/bin/env bash
# Prints Markdown tables of the image sizes: the runtime image whole and by layer, the pickle-design
# image whole and above the base it runs on, and that base (the runtime's build stages' base).
#   usage: deploy/docker-image-sizes.sh BASE IMAGE PICKLE_IMAGE
set -euo pipefail
base=${1:?base} image=${2:?image} pickle=${3:?pickle image}
size() { docker image inspect --format '{{.Size}}' "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
base_size=$(size "$base")
echo "| image | what it holds | size | above the base |"
echo "|---|---|---:|---:|"
echo "| \`$image\` | runtime, distroless (from scratch): python, onnxruntime + Flask + waitress, server/, model.onnx | $(mb "$(size "$image")") | - |"
echo "| \`$pickle\` | pickle design: scikit-learn + scipy + Flask, pickled model, on the base | $(mb "$(size "$pickle")") | $(mb $(( $(size "$pickle") - base_size ))) |"
echo "| \`$base\` | the base: Debian bookworm minbase + python3 (the runtime's build stages only) | $(mb "$base_size") | - |"
echo
echo "\`$image\` by layer (\`docker history\`):"
echo
echo "| layer | size |"
echo "|---|---:|"
# The legacy builder records each COPY as "... COPY <source> in <destination>".
docker history --no-trunc --human=false --format '{{.Size}} {{.CreatedBy}}' "$image" | tac |
  while read -r bytes created; do
    [ "$bytes" -gt 0 ] || continue
    case ${created##* in } in
      /|"/ ") what="interpreter, standard library, shared libraries, /etc, SBOM (deploy/docker/rootfs.py)" ;;
      /opt/venv*) what="the venv (requirements/runtime.txt, pruned by deploy/docker/slim-venv.sh)" ;;
      /app/artifacts/*) what="the model (artifacts/model.onnx)" ;;
      /app*) what="digits/, server/, healthcheck.py, with their bytecode" ;;
      *) what=${created:0:60} ;;
    esac
    echo "| $what | $(mb "$bytes") |"
  done
