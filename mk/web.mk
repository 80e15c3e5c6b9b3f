# The draw-a-digit page's in-browser runtime (docs/page.md): ONNX Runtime Web from the npm registry,
# pinned with its integrity in tools/web/package-lock.json. `make web` copies the one WebAssembly build
# the page runs into server/browser/, gzipped only (the server sends it as it is to browsers, which
# all accept gzip), so every copy of server/ (the image included) serves it.

WEB_DIST      := tools/web/node_modules/onnxruntime-web/dist
BROWSER_DIR   := server/browser
# The ES module bundle with the WebAssembly glue inside, and the single-build WebAssembly file
# (SIMD; threads stay off without cross-origin isolation): no JSEP/WebGPU, JSPI or asyncify builds.
BROWSER_FILES := ort.wasm.bundle.min.mjs ort-wasm-simd-threaded.wasm
BROWSER_GZ    := $(BROWSER_FILES:%=$(BROWSER_DIR)/%.gz)

.PHONY: web

# npm ci installs exactly the lockfile and checks each package's integrity; no install scripts run.
tools/web/node_modules/.package-lock.json: tools/web/package.json tools/web/package-lock.json
	cd tools/web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

$(BROWSER_DIR)/%.gz: tools/web/node_modules/.package-lock.json
	mkdir -p $(BROWSER_DIR)
	gzip -9 --no-name --stdout $(WEB_DIST)/$* > $@.tmp
	mv $@.tmp $@

web: $(BROWSER_GZ) ## fetch ONNX Runtime Web (npm ci, lockfile-pinned) -> server/browser/*.gz, the page's in-browser runtime

.PHONY: bench-page
bench-page: web $(MODEL_ONNX) ## [root] the page reading in Chromium: download sizes, start-up (cold, cached), time per answer -> tools/bench/results/page-*.json
	$(BIN)/python -m tools.bench.page --model $(MODEL_ONNX)
