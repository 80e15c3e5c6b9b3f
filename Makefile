# digits-onnx: every target sets up what it needs (the virtualenv is built on first use).
# `make help` lists the targets.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
ARTIFACTS ?= artifacts
TRIALS   ?= 50
FOLDS    ?= 5
PORT     ?= 5000

.DEFAULT_GOAL := help
.PHONY: help setup system-deps train evaluate export serve test lock clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements/dev.txt requirements/train.txt requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

setup: $(BIN)/.installed ## create .venv with the pinned training + test requirements

train: setup ## tune with Optuna, fit best + baseline, evaluate, write artifacts/report/
	$(BIN)/python -m train --trials $(TRIALS) --folds $(FOLDS) --artifacts $(ARTIFACTS)

evaluate: setup ## re-evaluate the saved models on the held-out split -> artifacts/metrics.json
	$(BIN)/python -m train.evaluate --artifacts $(ARTIFACTS)

export: setup ## convert the tuned model to ONNX behind the parity gate -> artifacts/model.onnx
	$(BIN)/python -m export --artifacts $(ARTIFACTS)

serve: setup ## serve artifacts/model.onnx with waitress on port $(PORT)
	$(BIN)/python -m server --port $(PORT) --model $(ARTIFACTS)/model.onnx

system-deps: ## install the Debian packages the tests drive for real (PostgreSQL, Docker, Chromium, Node.js)
	scripts/system-deps.sh

test: setup system-deps ## set up and run the whole test suite (JUnit XML in test-results/)
	$(BIN)/python -m pytest

lock: ## re-pin requirements/*.txt from the *.in files (pip-compile; runtime with hashes)
	cd requirements && PIP_CONSTRAINT= ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --generate-hashes runtime.in -o runtime.txt
	cd requirements && PIP_CONSTRAINT= ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links train.in -o train.txt
	cd requirements && PIP_CONSTRAINT= ../$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

clean: ## remove generated artifacts and test results (keeps .venv)
	find $(ARTIFACTS) -mindepth 1 ! -name README.md -delete
	rm -rf test-results .pytest_cache

# Each area keeps its own targets in mk/<area>.mk (server, docker, bench, ...).
include $(sort $(wildcard mk/*.mk))
