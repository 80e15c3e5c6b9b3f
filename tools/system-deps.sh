#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (PostgreSQL, Docker, Compose, Chromium, ...)
# and the fonts whose digit glyphs training learns from (train/fonts.txt).
# Idempotent and quick when everything is there; needs root (or sudo) only when something is missing.
# With arguments (command names from NEEDS, or `fonts`), only those are checked:
# `tools/system-deps.sh wrk`, `tools/system-deps.sh fonts` (what `make train` runs).
set -euo pipefail

# command -> Debian package that provides it
declare -A NEEDS=(
  [initdb]=postgresql
  [dockerd]=docker.io
  [iptables]=iptables
  [debootstrap]=debootstrap
  [docker-compose]=docker-compose
  [chromium]=chromium
  [chromedriver]=chromium-driver
  [wrk]=wrk
  [node]=nodejs
  [npm]=npm
  [tmux]=tmux
)

have() {
  # PostgreSQL's server binaries live outside PATH on Debian.
  command -v "$1" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

# The package of every font in train/fonts.txt whose file is not there.
missing_fonts() {
  local list package path
  list="$(dirname "$0")/../train/fonts.txt"
  while read -r package path _; do
    case "$package" in ''|'#'*) continue ;; esac
    [ -f "$path" ] || echo "$package"
  done <"$list" | sort -u
}

wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${!NEEDS[@]}" fonts)
missing=()
for cmd in "${wanted[@]}"; do
  if [ "$cmd" = fonts ]; then
    mapfile -t -O ${#missing[@]} missing < <(missing_fonts)
    continue
  fi
  [ -n "${NEEDS[$cmd]:-}" ] || { echo "system-deps: unknown command $cmd" >&2; exit 2; }
  have "$cmd" || missing+=("${NEEDS[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
