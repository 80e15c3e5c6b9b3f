# The runtime image (issue 5). See docs/docker.md.

BASE       ?= python:3.11-slim
LOCAL_BASE ?= digits-onnx-base:bookworm
IMAGE      ?= digits-onnx:latest
SEED_IMAGE ?= digits-onnx-seed:latest
WHEELS     ?= wheels
MODEL      ?= $(ARTIFACTS)/model.onnx
# Tags pip may pick for the image: the glibc of bookworm (2.36) or newer bases accepts all of these.
WHEEL_PLATFORMS ?= manylinux_2_28 manylinux_2_27 manylinux_2_17 manylinux2014
WHEEL_ARCH := $(shell uname -m)

.PHONY: wheels wheels-seed base-image image image-seed run screenshots image-sizes

# pip download with --require-hashes: every wheel is checked against the lock before it is kept.
define download_wheels
	rm -rf $(2) && mkdir -p $(2)
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	  --require-hashes -r $(1) -d $(2) --python-version 3.11 --implementation cp --abi cp311 \
	  $(foreach p,$(WHEEL_PLATFORMS),--platform $(p)_$(WHEEL_ARCH))
	touch $(2)/.complete
endef

$(WHEELS)/runtime/.complete: requirements/runtime.txt | setup
	$(call download_wheels,requirements/runtime.txt,$(WHEELS)/runtime)

$(WHEELS)/seed/.complete: docker/seed/requirements.txt | setup
	$(call download_wheels,docker/seed/requirements.txt,$(WHEELS)/seed)

wheels: $(WHEELS)/runtime/.complete ## download the runtime's hash-checked wheels for the image build

wheels-seed: $(WHEELS)/seed/.complete ## download the seed-style comparison image's wheels

base-image: ## build $(LOCAL_BASE), a Python base from Debian packages (for hosts that cannot pull)
	scripts/docker-base-image.sh $(LOCAL_BASE)

image: wheels ## build $(IMAGE) offline from $(MODEL) on BASE=$(BASE)
	scripts/docker-build.sh --model $(MODEL) --tag $(IMAGE) --base $(BASE)

image-seed: wheels-seed ## build the seed-style image (scikit-learn + pickle + Flask) for comparison
	scripts/docker-build.sh --seed --model $(ARTIFACTS)/best_model.pkl --tag $(SEED_IMAGE) --base $(BASE)

run: ## run $(IMAGE) in the foreground on 127.0.0.1:$(PORT) (Ctrl-C stops it)
	docker run --rm --name digits-onnx -p 127.0.0.1:$(PORT):5000 $(IMAGE)

screenshots: ## screenshots of $(IMAGE) answering in a container -> docs/screenshots/*.png
	scripts/docker-screenshots.sh $(IMAGE) $(PORT) $(BIN)/python

image-sizes: ## write docs/image-sizes.md: $(IMAGE) vs $(SEED_IMAGE) on BASE=$(BASE)
	scripts/docker-image-sizes.sh $(BASE) $(IMAGE) $(SEED_IMAGE) > docs/image-sizes.md
	@cat docs/image-sizes.md
