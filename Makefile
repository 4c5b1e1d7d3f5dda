# Front door. `make run` and `make test` work on a fresh Debian 12 machine: both install what
# they need first (scripts/deps.sh), then build.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
# Where `make run` keeps its state: the daemon's default when running as root, else a folder here.
ifeq ($(shell id -u),0)
RUN_DATA_DIR ?= /var/lib/hypeman
else
RUN_DATA_DIR ?= $(CURDIR)/.run/data
endif

.PHONY: all deps configure build run test test-unit test-integration test-e2e test-asan test-tsan \
        bench fuzz asan format format-check clean

all: build

deps:
	@scripts/deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	DATA_DIR=$${DATA_DIR:-$(RUN_DATA_DIR)} $(BUILD_DIR)/src/exe/ingressd serve

test: build
	@scripts/run-tests.sh $(BUILD_DIR) format unit integration asan tsan

test-unit: build
	@cd $(BUILD_DIR) && ctest -L unit --output-on-failure -j $(JOBS)

test-integration: build
	@cd $(BUILD_DIR) && ctest -L integration --output-on-failure

test-e2e: build
	@cd $(BUILD_DIR) && ctest -L e2e --output-on-failure

bench: build
	@scripts/run-bench.sh $(BUILD_DIR)

fuzz: deps
	@scripts/fuzz.sh

asan:
	@$(MAKE) build BUILD_DIR=build-asan BUILD_TYPE=Debug \
	  CMAKE_FLAGS="-DINGRESS_SANITIZE=address -DENVOY_ZSTD_LEVEL=3"

# The unit tests under ASan+UBSan / TSan, each in its own unit-only tree (build-asan-unit,
# build-tsan-unit); `make test` runs both after the normal suite.
test-asan: deps
	@scripts/run-tests.sh $(BUILD_DIR) asan

test-tsan: deps
	@scripts/run-tests.sh $(BUILD_DIR) tsan

# clang-format-14 over our C++ sources (.clang-format). format-check changes nothing and fails
# when a file would change.
FORMAT_FILES = $(shell git ls-files '*.cc' '*.h' | grep -v '^third_party/')
format:
	@clang-format-14 -i $(FORMAT_FILES)

format-check:
	@clang-format-14 --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD_DIR)
