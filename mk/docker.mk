# The runtime image and the pickle-design image it is compared with (docs/docker.md). Building and
# running images needs the Docker engine, hence root.

LOCAL_BASE   ?= digits-onnx-base:bookworm
# The build stages' base. The runtime image's final stage starts from scratch and takes from it only
# the interpreter, the standard library and the shared libraries; the pickle image runs on it.
BASE         ?= $(LOCAL_BASE)
IMAGE        ?= digits-onnx:latest
DEBUG_IMAGE  ?= digits-onnx:debug
PICKLE_IMAGE ?= digits-onnx-pickle:latest
WHEELS       ?= wheels
MODEL        ?= $(MODEL_ONNX)
# Tags pip may pick for the image: the glibc of bookworm (2.36) or newer bases accepts all of these.
WHEEL_PLATFORMS ?= manylinux_2_28 manylinux_2_27 manylinux_2_17 manylinux2014
WHEEL_ARCH := $(shell uname -m)

# `make image` on a fresh machine builds the base itself (debootstrap: Debian's mirror, no registry).
BASE_IMAGE_TARGET := $(if $(filter $(LOCAL_BASE),$(BASE)),base-image)

.PHONY: wheels wheels-pickle base-image image image-debug image-pickle docker-run docker-screenshots image-sizes

# pip download with --require-hashes: every wheel is checked against the lock before it is kept.
define download_wheels
	rm -rf $(2) && mkdir -p $(2)
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	  --require-hashes -r $(1) -d $(2) --python-version 3.11 --implementation cp --abi cp311 \
	  $(foreach p,$(WHEEL_PLATFORMS),--platform $(p)_$(WHEEL_ARCH))
	touch $(2)/.complete
endef

$(WHEELS)/runtime/.complete: requirements/runtime.txt | $(BIN)/.installed
	$(call download_wheels,requirements/runtime.txt,$(WHEELS)/runtime)

$(WHEELS)/pickle/.complete: deploy/docker/pickle/requirements.txt | $(BIN)/.installed
	$(call download_wheels,deploy/docker/pickle/requirements.txt,$(WHEELS)/pickle)

wheels: $(WHEELS)/runtime/.complete ## download the runtime's hash-checked wheels for the image build

wheels-pickle: $(WHEELS)/pickle/.complete ## download the pickle-design image's wheels

base-image: ## [root] build $(LOCAL_BASE), Python from Debian packages (debootstrap, once): the build stages' base
	deploy/docker-base-image.sh $(LOCAL_BASE)

image: $(WHEELS)/runtime/.complete $(MODEL) server/openapi.json web $(BASE_IMAGE_TARGET) ## [root] build $(IMAGE), distroless, offline from $(MODEL)
	deploy/docker-build.sh --model $(MODEL) --tag $(IMAGE) --base $(BASE)

image-debug: $(WHEELS)/runtime/.complete $(MODEL) server/openapi.json web $(BASE_IMAGE_TARGET) ## [root] build DEBUG_IMAGE (digits-onnx:debug): the runtime image with a shell and coreutils, for debugging
	deploy/docker-build.sh --debug --model $(MODEL) --tag $(DEBUG_IMAGE) --base $(BASE)

image-pickle: $(WHEELS)/pickle/.complete $(MODEL_PKL) $(BASE_IMAGE_TARGET) ## [root] build the pickle-design image (scikit-learn + pickle + Flask) for comparison
	deploy/docker-build.sh --pickle --model $(MODEL_PKL) --tag $(PICKLE_IMAGE) --base $(BASE)

docker-run: image ## [root] run $(IMAGE) in the foreground on 127.0.0.1:$(PORT) (Ctrl-C stops it)
	docker run --rm --name digits-onnx -p 127.0.0.1:$(PORT):5000 $(IMAGE)

docker-screenshots: image | $(BIN)/.installed ## [root] screenshots of $(IMAGE) answering in a container -> docs/screenshots/
	deploy/docker-screenshots.sh $(IMAGE) $(PORT) $(BIN)/python

image-sizes: image image-pickle ## [root] write docs/image-sizes.md: $(IMAGE) (whole, by layer) vs $(PICKLE_IMAGE) on BASE=$(BASE)
	deploy/docker-image-sizes.sh $(BASE) $(IMAGE) $(PICKLE_IMAGE) > docs/image-sizes.md
	@cat docs/image-sizes.md
