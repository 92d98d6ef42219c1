# iomhub: the two commands are `make demo` and `make test`. Each installs
# what is missing (deploy/install-deps.sh), builds, then runs.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# ccache hits across checkouts (CI clones elsewhere) when paths are relative.
export CCACHE_BASEDIR := $(CURDIR)
CMAKE_ARGS ?=

.PHONY: all deps configure build demo test test-sanitize test-fuzz test-container bench bench-peers install clean
PREFIX ?= /usr/local

all: build

deps:
	@bash deploy/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) > $(BUILD_DIR).configure.log 2>&1 \
	  || (cat $(BUILD_DIR).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# Runs the hub with its embedded store, dev certificates and demo data. The
# build is quiet (its log is $(BUILD_DIR).build.log, shown if it fails), so
# the walkthrough is what you read.
demo: configure
	@echo "make demo: building (log: $(BUILD_DIR).build.log) ..."
	@cmake --build $(BUILD_DIR) -j$(JOBS) > $(BUILD_DIR).build.log 2>&1 \
	  || (tail -n 60 $(BUILD_DIR).build.log; exit 1)
	@bash deploy/demo.sh $(BUILD_DIR)

# Every test: unit tests, integration tests against the real binaries, crash tests.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j$(JOBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer. -g1 keeps
# the line tables reports need and compiles 10-20 % faster than -g.
UNIT_TESTS = common_test eventstore_test projections_test sharing_test alert_rules_test services_test clients_test adapters_test dashboard_test simulate_test
test-sanitize:
	@$(MAKE) --no-print-directory BUILD_DIR=build-asan BUILD_TYPE=Debug \
	  CMAKE_ARGS="-DIOMHUB_SANITIZE=address,undefined -DIOMHUB_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1" configure
	@cmake --build build-asan -j$(JOBS) --target $(UNIT_TESTS)
	@cd build-asan && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --output-on-failure --timeout 900 -j$(JOBS) -L unit

# libFuzzer targets (tests/fuzz/) and the thread-safety analysis: a clang
# build of the hub, its clients and the fuzzers with -Wthread-safety
# -Werror (every ABSL_GUARDED_BY checked), ASan and UBSan; then each fuzzer
# runs FUZZ_SECONDS over its corpus. Any crash or sanitizer report fails.
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = iomhub_fuzzers iomhubd iomctl iomhub-probation-feed iomhub-police-feed iomhub-health-notifier \
  iomhub-dashboard iomhub-simulate
test-fuzz:
	@$(MAKE) --no-print-directory BUILD_DIR=build-fuzz BUILD_TYPE=Debug \
	  CMAKE_ARGS="-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DIOMHUB_FUZZ=ON -DIOMHUB_SANITIZE=address,undefined -DIOMHUB_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG='-g1 -O1'" configure
	@cmake --build build-fuzz -j$(JOBS) --target $(FUZZ_TARGETS)
	@bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Opt-in: the container image's build steps from scratch (a Release build of
# iomhubd and iomctl), as deploy/container/Dockerfile runs them, without a
# container engine. See tests/container_check.sh.
test-container: deps
	@bash tests/container_check.sh --full .

# Opt-in benchmarks that print figures (see docs/benchmarks.md).
bench:
	@$(MAKE) --no-print-directory BUILD_DIR=build-release BUILD_TYPE=Release build
	@bash bench/run.sh build-release

# Opt-in: appends beside Redis Streams and the no-op gRPC ceiling, interleaved
# in one run, with ratios (installs redis-server from Debian when missing).
bench-peers:
	@$(MAKE) --no-print-directory BUILD_DIR=build-release BUILD_TYPE=Release build
	@bash bench/peers.sh build-release

# iomhubd, iomctl, the systemd unit, example config and docs under $(PREFIX)
# (DESTDIR works too). See docs/operations.md "Installing".
install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-release build-fuzz *.configure.log
