#!/usr/bin/env bash
# Builds an image offline from a small staged context: only the files the Dockerfile copies, with the
# chosen model placed where the Dockerfile expects it (so tests can build from a model of their own).
#   usage: scripts/docker-build.sh [--pickle] --model FILE --tag TAG [--base IMAGE]
#   --pickle the pickle-design comparison image (docker/pickle/: scikit-learn + pickle + Flask)
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=runtime base=python:3.11-slim model="" tag=""
while [ $# -gt 0 ]; do
  case $1 in
    --pickle) flavour=pickle; shift ;;
    --model) model=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    *) echo "docker-build: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$tag" ] || { echo "docker-build: --tag is required" >&2; exit 2; }

if [ "$flavour" = runtime ]; then
  dockerfile=Dockerfile model_dest=artifacts/model.onnx
  files=(Dockerfile requirements/runtime.txt wheels/runtime docker/healthcheck.py docker/slim-venv.sh digits server)
else
  dockerfile=docker/pickle/Dockerfile model_dest=artifacts/best_model.pkl
  files=(docker/pickle wheels/pickle digits bench/__init__.py bench/pickle_app.py)
fi
if [ ! -f "$model" ]; then
  echo "docker-build: no model at '$model': run 'make train export' first" >&2
  exit 1
fi
wheels=$(printf '%s\n' "${files[@]}" | grep '^wheels/')
if [ ! -f "$wheels/.complete" ]; then
  echo "docker-build: $wheels is incomplete: run 'make wheels' (or 'make wheels-pickle')" >&2
  exit 1
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp -r --parents "${files[@]}" "$context"/
mkdir -p "$context/$(dirname "$model_dest")"
cp "$model" "$context/$model_dest"
find "$context" -name __pycache__ -prune -exec rm -rf {} +
# Root owns the files and the non-root user only reads them (artifacts are written 0600).
chmod -R a+rX,go-w "$context"

# --network none: the build must need nothing but the context (the wheels are already here).
# The label names the base, so `make bench` can tell what the runtime adds above it.
docker build --force-rm --network none --build-arg "BASE=$base" --label "digits-onnx.base=$base" -f "$context/$dockerfile" -t "$tag" "$context"
docker image prune --force --filter label=digits-onnx.stage=venv >/dev/null
