#!/usr/bin/env bash
# Builds an image offline from a small staged context: only the files the Dockerfile copies, with the
# chosen model placed where the Dockerfile expects it (so tests can build from a model of their own).
#   usage: deploy/docker-build.sh [--pickle | --debug] --model FILE --tag TAG [--base IMAGE]
#   --base   the build stage's base (default digits-onnx-base:bookworm, from `make base-image`)
#   --pickle the pickle-design comparison image (deploy/docker/pickle/: scikit-learn + pickle + Flask)
#   --debug  the runtime's `debug` target: the runtime image with Debian's bash and coreutils laid over it
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=runtime target=runtime base=digits-onnx-base:bookworm model="" tag=""
while [ $# -gt 0 ]; do
  case $1 in
    --pickle) flavour=pickle target=""; shift ;;
    --debug) target=debug; shift ;;
    --model) model=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    *) echo "docker-build: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$tag" ] || { echo "docker-build: --tag is required" >&2; exit 2; }

if [ "$flavour" = runtime ]; then
  dockerfile=Dockerfile model_dest=artifacts/model.onnx
  files=(Dockerfile requirements/runtime.txt wheels/runtime deploy/docker/healthcheck.py deploy/docker/slim-venv.sh deploy/docker/rootfs.py
         digits server)
else
  dockerfile=deploy/docker/pickle/Dockerfile model_dest=artifacts/best_model.pkl
  files=(deploy/docker/pickle wheels/pickle digits tools/__init__.py tools/bench/__init__.py
         tools/bench/pickle_app.py)
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
# The pickle image's label names its base, so `make bench` can tell what it adds above it; the
# runtime image carries no base (its final stage starts from scratch).
flags=(--force-rm --network none --build-arg "BASE=$base" -f "$context/$dockerfile" -t "$tag")
if [ -n "$target" ]; then flags+=(--target "$target"); else flags+=(--label "digits-onnx.base=$base"); fi
docker build "${flags[@]}" "$context"
docker image prune --force --filter label=digits-onnx.stage >/dev/null
if [ "$target" = runtime ]; then
  echo "docker-build: $tag's software bill of materials (CycloneDX) is /app/sbom.cdx.json in the image:"
  echo "  docker run --rm --entrypoint python $tag -m json.tool /app/sbom.cdx.json"
fi
