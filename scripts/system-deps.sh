#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (PostgreSQL, Docker, Chromium, ...).
# Idempotent and quick when everything is there; needs root (or sudo) only when something is missing.
set -euo pipefail

# command -> Debian package that provides it
declare -A NEEDS=(
  [initdb]=postgresql
  [dockerd]=docker.io
  [iptables]=iptables
  [debootstrap]=debootstrap
  [chromium]=chromium
  [chromedriver]=chromium-driver
)

have() {
  # PostgreSQL's server binaries live outside PATH on Debian.
  command -v "$1" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

missing=()
for cmd in "${!NEEDS[@]}"; do
  have "$cmd" || missing+=("${NEEDS[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
