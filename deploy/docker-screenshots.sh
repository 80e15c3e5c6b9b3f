#!/usr/bin/env bash
# Screenshots of the model running in a container (docs/screenshots/): a real shell in tmux runs
# `docker ps` and a curl, its screen is rendered to PNG; the web page too once the server has one.
#   usage: deploy/docker-screenshots.sh IMAGE PORT PYTHON
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:?image} port=${2:?port} python=${3:?python with Pillow}
out=docs/screenshots name=digits-onnx-screenshots session=digits-onnx-screenshots
mkdir -p "$out"
work=$(mktemp -d)
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  docker rm --force "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

docker rm --force "$name" >/dev/null 2>&1 || true
docker run --detach --name "$name" --publish "127.0.0.1:$port:5000" "$image" >/dev/null
for _ in $(seq 60); do
  [ "$(docker inspect --format '{{.State.Health.Status}}' "$name")" = healthy ] && break
  sleep 1
done

# A fresh, plain shell so the picture shows only what a user types and sees.
prompts() { tmux capture-pane -p -t "$session" | grep -c '^\$' || true; }
# Type each command only at a fresh prompt, as a person would, so nothing is echoed twice.
type_at_prompt() {
  local want=$1; shift
  for _ in $(seq 100); do [ "$(prompts)" -ge "$want" ] && break; sleep 0.1; done
  tmux send-keys -t "$session" "$*" Enter
}
tmux new-session -d -s "$session" -x 160 -y 30 "env -i HOME=$work PATH=$PATH TERM=xterm PS1='\$ ' bash --norc --noprofile"
type_at_prompt 1 "docker ps --filter name=$name --format 'table {{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}'"
type_at_prompt 2 "curl -s -F image=@handwritten-digits/digit_7.png http://127.0.0.1:$port/predict_digit"
for _ in $(seq 100); do [ "$(prompts)" -ge 3 ] && break; sleep 0.1; done
tmux capture-pane -p -t "$session" > "$work/pane.txt"
"$python" tools/render_terminal.py "$work/pane.txt" "$out/terminal.png" --title "digits-onnx in Docker"
echo "screenshots: $out/terminal.png"

if curl -sf -o /dev/null -H 'Accept: text/html' "http://127.0.0.1:$port/" && command -v chromium >/dev/null; then
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,800 \
    --screenshot="$out/page.png" "http://127.0.0.1:$port/" >/dev/null 2>&1
  echo "screenshots: $out/page.png"
else
  echo "screenshots: no web page at / yet; skipped page.png"
fi
