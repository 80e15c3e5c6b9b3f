# Replicas behind HAProxy with Compose, rolling updates, the deployment benchmark. See docs/deployment.md.

REPLICAS   ?= 3
NEW_IMAGE  ?=
LB_BASE    ?= digits-onnx-lb-base:bookworm
LB_IMAGE   ?= digits-onnx-lb:latest
LB_PORT    ?= 8080
PROJECT    ?= digits-deploy
# Debian's docker-compose 1.29; COMPOSE="docker compose" for Compose v2.
COMPOSE    ?= docker-compose
DEPLOY_BENCH_ARGS ?=
DEPLOY_ENV  = COMPOSE_PROJECT_NAME=$(PROJECT) DIGITS_IMAGE=$(IMAGE) DIGITS_LB_IMAGE=$(LB_IMAGE) DIGITS_LB_PORT=$(LB_PORT)
COMPOSE_CMD = $(DEPLOY_ENV) $(COMPOSE) -p $(PROJECT) -f deploy/docker-compose.yml

.PHONY: deploy-deps lb-base-image lb-image up down ps rollout bench-deploy

deploy-deps: ## install docker-compose, debootstrap and wrk (Debian packages) if missing
	tools/system-deps.sh docker-compose debootstrap wrk

lb-base-image: ## build $(LB_BASE): Debian bookworm minbase + haproxy (debootstrap, once: docs/deployment.md)
	deploy/docker-base-image.sh $(LB_BASE) haproxy

lb-image: lb-base-image ## build $(LB_IMAGE), the load balancer (deploy/haproxy/), offline
	docker build --quiet --network none --build-arg BASE=$(LB_BASE) -t $(LB_IMAGE) deploy/haproxy >/dev/null

up: lb-image ## start $(REPLICAS) replicas of $(IMAGE) behind HAProxy on 127.0.0.1:$(LB_PORT)
	@docker image inspect $(IMAGE) >/dev/null 2>&1 || { echo "up: no image $(IMAGE): run 'make image' first" >&2; exit 1; }
	$(COMPOSE_CMD) up --detach --scale model=$(REPLICAS)

ps: ## list the deployment's containers and their health
	$(COMPOSE_CMD) ps

rollout: ## replace the replicas with NEW_IMAGE one at a time (deploy/rollout.sh)
	@[ -n "$(NEW_IMAGE)" ] || { echo "rollout: give NEW_IMAGE=<image>" >&2; exit 2; }
	$(DEPLOY_ENV) COMPOSE="$(COMPOSE)" deploy/rollout.sh $(NEW_IMAGE)

down: ## stop and remove the deployment's containers and network
	$(COMPOSE_CMD) down --remove-orphans

bench-deploy: image deploy-deps lb-image | $(BIN)/.installed ## [root] req/s through HAProxy with 1 and 2 replicas vs direct -> tools/bench/results/deploy-*.json
	$(BIN)/python -m tools.bench.deploy --image $(IMAGE) --lb-image $(LB_IMAGE) $(DEPLOY_BENCH_ARGS)
