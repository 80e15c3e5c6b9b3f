# Benchmarks (tools/bench/): results, never pass/fail. They serve the exported model and its pickle.
.PHONY: bench bench-quick bench-deps profile bench-revisions

BENCH_ARGS ?=
PROFILE_ARGS ?=

bench-deps: ## [root] install wrk, the HTTP load generator (Debian package), if it is missing
	tools/system-deps.sh wrk

bench: $(MODEL_ONNX) bench-deps ## [root] measure model, HTTP, cold start, memory -> tools/bench/results/<date>.json + tools/bench/README.md
	$(BIN)/python -m tools.bench.run --artifacts $(ARTIFACTS) $(BENCH_ARGS)

bench-quick: $(MODEL_ONNX) bench-deps ## [root] a few-second smoke run of every benchmark (results file only)
	$(BIN)/python -m tools.bench.run --quick --artifacts $(ARTIFACTS) $(BENCH_ARGS)

profile: $(MODEL_ONNX) bench-deps ## [root] sample the server with py-spy under wrk load -> tools/bench/results/profile-*.svg
	$(BIN)/python -m tools.bench.profile --artifacts $(ARTIFACTS) $(PROFILE_ARGS)

REVISIONS ?= HEAD
bench-revisions: $(MODEL_ONNX) bench-deps ## [root] the same model served by each of REVISIONS, side by side -> tools/bench/results/revisions-*.json
	$(BIN)/python -m tools.bench.revisions --model $(MODEL_ONNX) $(REVISIONS) $(BENCH_ARGS)
