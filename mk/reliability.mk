# Reliability and security: fuzzing, soak, faults, audit. Results in artifacts/reliability/.
FUZZ_REQUESTS ?= 10000
FUZZ_SECONDS  ?= 60
SOAK_SECONDS  ?= 60
SOAK_CLIENTS  ?= 32
RELIABILITY   ?= $(ARTIFACTS)/reliability

.PHONY: fuzz fuzz-atheris soak hostile slow-clients audit test-reliability

fuzz: $(MODEL_ONNX) ## FUZZ_REQUESTS hostile requests at the real server: 0 5xx, JSON errors, same answer after
	$(BIN)/python -m tools.reliability fuzz --requests $(FUZZ_REQUESTS) --model $(MODEL_ONNX) --out $(RELIABILITY)/fuzz.json

fuzz-atheris: setup ## coverage-guided fuzzing of the preprocessing (atheris), FUZZ_SECONDS long
	mkdir -p $(RELIABILITY)/corpus $(RELIABILITY)/crashes
	$(BIN)/python -m tools.reliability.fuzz_preprocess_atheris -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		-artifact_prefix=$(RELIABILITY)/crashes/ $(RELIABILITY)/corpus

soak: $(MODEL_ONNX) ## SOAK_SECONDS at SOAK_CLIENTS concurrency: 0 errors, RSS growth < 10 %, p99
	$(BIN)/python -m tools.reliability soak --seconds $(SOAK_SECONDS) --concurrency $(SOAK_CLIENTS) --model $(MODEL_ONNX) --out $(RELIABILITY)/soak.json

hostile: $(MODEL_ONNX) ## /healthz delay under 4 amplification clients; RSS before/after FUZZ_REQUESTS + SOAK_SECONDS
	$(BIN)/python -m tools.reliability hostile --requests $(FUZZ_REQUESTS) --soak-seconds $(SOAK_SECONDS) --model $(MODEL_ONNX) --out $(RELIABILITY)/hostile.json

slow-clients: $(MODEL_ONNX) ## slowloris connections held before a normal request waits > 1 s (the denial point)
	$(BIN)/python -m tools.reliability slow-clients --model $(MODEL_ONNX) --out $(RELIABILITY)/slow_clients.json

audit: setup ## pip-audit requirements/runtime.txt against PyPI's advisory database
	$(BIN)/pip-audit -r requirements/runtime.txt --disable-pip --no-deps --progress-spinner off

test-reliability: setup ## the short fuzz, fault and security tests
	$(BIN)/python -m pytest tests/reliability
