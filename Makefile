# digits-onnx as a pipeline: each file in artifacts/ is remade when an input is newer, and every
# target sets up the virtualenv it needs on first use. `make help` lists the targets.

PYTHON    ?= python3
VENV      ?= .venv
BIN       := $(VENV)/bin
ARTIFACTS ?= artifacts
TRIALS    ?= 50
FOLDS     ?= 5
PORT      ?= 5000
# DIGITS_ONLY=1: train on Digits rows (and their jittered copies) alone, without the font glyphs.
DIGITS_ONLY ?=

# The pipeline's files and what each is made from.
MODEL_PKL     := $(ARTIFACTS)/best_model.pkl
MODEL_ONNX    := $(ARTIFACTS)/model.onnx
# A file's inputs are the files whose change can change its bytes, and no others: editing the
# report, a message or the scoring code must not make `make serve` or `make image` ask for a
# retrain. The model is made from its rows and features (the split, Digits' copies, the font
# glyphs, the featurizer graph in recognizer/ with the constants it takes from digits/), its
# parameters and fit (search space, trials, the choice of trees, the final fit's copies and
# weights) and the choice of which fit ships (train/compare.py's and glyph_effects.py's cells).
# These modules do none of that: they score, write the report, time, say where the study lives,
# name files or word messages. Every other module of these packages is an input, so one added
# later counts until someone decides it does not.
NOT_MODEL_INPUTS := $(addprefix train/,__init__.py report.py like_for_like.py progress.py evaluate.py \
                      drawings_check.py real_check.py calibration_choice.py cost.py storage.py) \
                    $(addprefix digits/,__init__.py artifacts.py cli.py errors.py) \
                    recognizer/__init__.py export/__init__.py
# Training also reads the font list and its pinned libraries; it runs the featurizer, not the
# calibration or the composition with the forest (recognizer/compose.py), which only export uses.
TRAIN_INPUTS  := $(filter-out $(NOT_MODEL_INPUTS) digits/calibration.py recognizer/compose.py, \
                   $(wildcard train/*.py recognizer/*.py digits/*.py)) train/fonts.txt requirements/train.txt
# Export writes the converted forest, the whole recognizer's graph and the calibration into its
# files. The parity gate (export/parity.py) decides whether they are published, not what is in
# them; digits/pixels.py and recognizer/{run,model}.py serve only the gate's checks.
EXPORT_INPUTS := $(filter-out $(NOT_MODEL_INPUTS) export/parity.py digits/pixels.py recognizer/run.py \
                   recognizer/model.py, $(wildcard export/*.py recognizer/*.py digits/*.py)) requirements/train.txt

.DEFAULT_GOAL := help
.PHONY: help setup system-deps fonts train evaluate export serve openapi lint test test-fast test-server \
        test-page page-screenshots examples lock clean FORCE

help: ## list the targets ([root]: needs root, for apt-get on first use or for the Docker engine)
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}' \
	  | sed -e 's|$$(PORT)|$(PORT)|g; s|$$(PICKLE_IMAGE)|$(PICKLE_IMAGE)|g; s|$$(LOCAL_BASE)|$(LOCAL_BASE)|g' \
	        -e 's|$$(IMAGE)|$(IMAGE)|g; s|$$(BASE)|$(BASE)|g; s|$$(MODEL)|$(MODEL)|g'

$(BIN)/.installed: requirements/dev.txt requirements/train.txt requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

setup: $(BIN)/.installed ## create .venv with the pinned training + test requirements

system-deps: ## [root] install the Debian packages the tests drive (PostgreSQL, Docker, Chromium, Node.js) and the fonts
	tools/system-deps.sh

fonts: ## [root] install the Debian font packages whose digit glyphs training learns from (train/fonts.txt)
	tools/system-deps.sh fonts

# --- the pipeline --------------------------------------------------------------------------------

# Training takes minutes, so only `make train` starts it (and always does: the study resumes and
# tops up to TRIALS). Anything else that needs the model says so in one line instead.
NO_MODEL = no trained model in $(ARTIFACTS)/: run `make train` first
# Only `make train` installs the fonts first (when one is missing); DIGITS_ONLY=1 needs none.
$(MODEL_PKL): $(TRAIN_INPUTS) $(if $(filter train,$(MAKECMDGOALS)),FORCE) | $(BIN)/.installed \
              $(if $(and $(filter train,$(MAKECMDGOALS)),$(if $(DIGITS_ONLY),,1)),fonts)
	$(if $(filter train,$(MAKECMDGOALS)),,$(error $(if $(wildcard $@),$@ is older than the training code: run `make train` first,$(NO_MODEL))))
	$(BIN)/python -m train --trials $(TRIALS) --folds $(FOLDS) --artifacts $(ARTIFACTS) $(if $(DIGITS_ONLY),--digits-only)

$(MODEL_ONNX): $(MODEL_PKL) $(EXPORT_INPUTS) | $(BIN)/.installed
	$(BIN)/python -m export --artifacts $(ARTIFACTS)

train: $(MODEL_PKL) ## [root] tune with Optuna, fit best + baseline, evaluate, report -> artifacts/best_model.pkl (DIGITS_ONLY=1: no font glyphs)

evaluate: $(MODEL_PKL) ## re-score the saved models on the held-out split -> artifacts/metrics.json
	$(BIN)/python -m train.evaluate --artifacts $(ARTIFACTS)

export: $(MODEL_ONNX) ## convert the tuned model to ONNX behind the parity gate -> artifacts/model.onnx

serve: $(MODEL_ONNX) server/openapi.json ## serve artifacts/model.onnx with waitress on 127.0.0.1:$(PORT)
	$(BIN)/python -m server --port $(PORT) --model $(MODEL_ONNX)

openapi: server/openapi.json ## render server/openapi.yaml (the source) to server/openapi.json (what the server serves)

server/openapi.json: server/openapi.yaml | $(BIN)/.installed
	$(BIN)/python -c 'import json, sys, yaml; json.dump(yaml.safe_load(open("$<")), sys.stdout, indent=2, default=str)' > $@.tmp
	mv $@.tmp $@

FORCE:

# --- checks --------------------------------------------------------------------------------------

lint: setup ## ruff over the tree (rules in pyproject.toml)
	$(BIN)/ruff check .

test: lint system-deps web ## [root] lint, then every test tier: Docker, PostgreSQL, Chromium, Node (JUnit XML in test-results/)
	$(BIN)/python -m pytest

test-fast: setup ## the in-process and unit tests only (no root, Docker, database, browser or Node)
	$(BIN)/python -m pytest -m "not live"

test-server: setup ## the server and the layers it runs on (digits/, recognizer/): in-process, and real waitress on a free port
	$(BIN)/python -m pytest tests/server tests/digits tests/recognizer

test-page: setup system-deps web ## [root] the draw-a-digit page: HTTP checks + headless Chromium against the real server
	$(BIN)/python -m pytest tests/server/test_page.py tests/browser

page-screenshots: setup system-deps web ## [root] re-take docs/screenshots/page-*.png with the browser tests
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/browser

# --- maintenance ---------------------------------------------------------------------------------

PIP_COMPILE = cd requirements && PIP_CONSTRAINT= $(abspath $(BIN))/pip-compile -q --strip-extras \
              --allow-unsafe --no-emit-index-url --no-emit-find-links

lock: setup ## re-pin requirements/*.txt from the *.in files (runtime with hashes)
	$(PIP_COMPILE) --generate-hashes runtime.in -o runtime.txt
	$(PIP_COMPILE) train.in -o train.txt
	$(PIP_COMPILE) dev.in -o dev.txt

# The examples show the answers of the default model (`make train export`); each command is run in
# process on it from the repository root, exactly as written in the document.
examples: $(MODEL_ONNX) | $(BIN)/.installed ## re-run the curl examples in README.md and docs/api.md on artifacts/model.onnx and write the answers in
	$(BIN)/python -m tools.examples --model $(MODEL_ONNX) README.md docs/api.md

clean: ## remove generated artifacts and test results (keeps .venv)
	find $(ARTIFACTS) -mindepth 1 ! -name README.md -delete
	rm -rf test-results .pytest_cache

# Each area keeps its own targets in mk/<area>.mk (docker, bench, drawings, reliability, tuning).
include $(sort $(wildcard mk/*.mk))
