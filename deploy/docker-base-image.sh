#!/usr/bin/env bash
# Builds a local base image from Debian bookworm packages, for machines that cannot pull from a
# registry: by default Python 3.11 (for python:3.11-slim); with PACKAGES, a minbase plus those (the
# load balancer's base: haproxy). Idempotent: does nothing when the image already exists.
#   usage: deploy/docker-base-image.sh NAME [PACKAGES]   (e.g. digits-onnx-base:bookworm,
#          or digits-onnx-lb-base:bookworm haproxy; PACKAGES is comma-separated)
#   env:   DEBIAN_MIRROR  apt mirror for debootstrap (default: debootstrap's own default)
set -euo pipefail

name=${1:?usage: $0 IMAGE_NAME [PACKAGES]}
packages=${2:-python3,python3-venv}
cmd='["python3"]'
[ -z "${2:-}" ] || cmd='["bash"]'
if docker image inspect "$name" >/dev/null 2>&1; then
  echo "base-image: $name already exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image: needs debootstrap (make system-deps)" >&2; exit 1; }

root=$(mktemp -d)
cleanup() {
  # debootstrap mounts proc/sys (and may bind /dev) inside the target: never delete through a mount.
  grep -o " $root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$root" "$root.log"
}
trap cleanup EXIT
echo "base-image: debootstrap bookworm + $packages into $root (about 2 minutes)"
debootstrap --variant=minbase --include="$packages" bookworm "$root" ${DEBIAN_MIRROR:-} >"$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; exit 1; }

# Caches and docs no container reads; the dpkg database stays so the image remains a Debian system.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*

# --change gives the imported filesystem the metadata a pulled python image would carry.
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "CMD $cmd" \
  - "$name" >/dev/null
echo "base-image: $name $(docker image inspect --format '{{.Size}}' "$name" | numfmt --to=iec) "
