#!/usr/bin/env bash
# Rolling update: replaces the model replicas of a running deployment with NEW_IMAGE, one at a time.
# For each old replica: Compose adds one replica of NEW_IMAGE; once Docker reports it healthy
# (GET /readyz) and HAProxy has had time to resolve and check it, one old replica is stopped.
# SIGTERM makes it refuse new connections and drain; HAProxy sends what it refuses elsewhere.
# If a new replica does not become healthy, it is removed and the old ones keep serving.
#   usage: deploy/rollout.sh NEW_IMAGE
#   env:   COMPOSE_PROJECT_NAME (default digits-deploy), COMPOSE_FILE (default
#          deploy/docker-compose.yml; ':'-separated with overrides), COMPOSE (default docker-compose; or
#          "docker compose"), ROLLOUT_SETTLE seconds between healthy and the old one's stop (3),
#          DIGITS_LB_IMAGE / DIGITS_LB_PORT as for `make up`
set -euo pipefail
cd "$(dirname "$0")/.."

new=${1:?usage: $0 NEW_IMAGE}
project=${COMPOSE_PROJECT_NAME:-digits-deploy}
settle=${ROLLOUT_SETTLE:-3}
read -r -a compose <<<"${COMPOSE:-docker-compose}"
compose+=(-p "$project")
export COMPOSE_FILE=${COMPOSE_FILE:-deploy/docker-compose.yml}

replicas() {
  docker ps --quiet --no-trunc --filter "label=com.docker.compose.project=$project" \
    --filter label=com.docker.compose.service=model | sort
}

wait_healthy() {
  local id=$1 status deadline=$((SECONDS + 90))
  while [ $SECONDS -lt $deadline ]; do
    status=$(docker inspect --format '{{.State.Health.Status}}' "$id")
    [ "$status" = healthy ] && return 0
    [ "$status" = unhealthy ] && break
    sleep 0.5
  done
  echo "rollout: new replica ${id:0:12} is not healthy ($status); removing it, the old replicas keep serving" >&2
  docker logs --tail 20 "$id" >&2 || true
  docker rm --force "$id" >/dev/null
  return 1
}

docker image inspect "$new" >/dev/null 2>&1 || { echo "rollout: no image $new" >&2; exit 1; }
mapfile -t old < <(replicas)
count=${#old[@]}
[ "$count" -gt 0 ] || { echo "rollout: project $project has no running replicas (make up first)" >&2; exit 1; }

for id in "${old[@]}"; do
  before=$(replicas)
  # --no-recreate keeps the running replicas as they are; only the added one gets NEW_IMAGE.
  DIGITS_IMAGE=$new "${compose[@]}" up --detach --no-deps --no-recreate --scale "model=$((count + 1))" model
  fresh=$(comm -13 <(echo "$before") <(replicas))
  [ "$(echo "$fresh" | wc -w)" -eq 1 ] || { echo "rollout: expected one new replica, got: $fresh" >&2; exit 1; }
  wait_healthy "$fresh"
  sleep "$settle"
  docker stop --time 10 "$id" >/dev/null
  docker rm "$id" >/dev/null
  echo "rollout: replaced ${id:0:12} with ${fresh:0:12} ($new)"
done
