# repsim: the two commands a newcomer needs.
#   make run    install what is missing, build, run the default scenario
#   make test   install what is missing, build, run every test through CTest
# Everything else is a convenience over CMake.

BUILD    ?= build
SCENARIO ?= scenarios/t5-base-token-crisis.toml
CMAKE_FLAGS ?=
# WERROR=1 (CI, .ci/run) turns compiler warnings into errors; the default build does not.
WERROR ?=
WERROR_FLAG = -DCMAKE_COMPILE_WARNING_AS_ERROR=$(if $(WERROR),ON,OFF)

# Debian packages the build, the tests and the plots need.
DEPS := cmake ninja-build g++ pkg-config libtomlplusplus-dev libfmt-dev \
        libboost-dev libboost-program-options-dev catch2 librapidcheck-dev libceres-dev libeigen3-dev gnuplot-nox \
        clang-format clang-tidy \
        zlib1g-dev chromium \
        libfaiss-dev python3-sklearn \
        pybind11-dev python3-dev python3-numpy python3-pandas python3-matplotlib python3-pytest \
        python3-hypothesis \
        python3-nbconvert python3-ipykernel jupyter-nbconvert \
        python3-venv python3-pip \
        slurm-wlm slurmctld slurmd munge
# libfaiss-dev: `repsim select` (K-means, nearest neighbours; pulls BLAS/LAPACK).
# python3-sklearn: its digits data (sklearn/datasets/data/digits.csv.gz) is the
# real embedding-like set `repsim select` is tested on; also the select benchmark.
# python3-venv, python3-pip: the test that `pip install .` works in a fresh venv.
# slurm-wlm, slurmctld, slurmd, munge: the one-node Slurm cluster test (tests/slurm).
# The benchmarks' baselines (../shared/bench) also need numpy and scipy.
BENCH_DEPS := python3-numpy python3-scipy

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps build run test results readme-columns scenario-keys doc-tables bench clean sanitize fuzz lint

all: build

deps:
	@missing=""; for p in $(DEPS) $(EXTRA_DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(WERROR_FLAG) $(CMAKE_FLAGS)
	cmake --build $(BUILD)

run: build
	./$(BUILD)/repsim run $(SCENARIO)

test: build
	cd $(BUILD) && ctest --output-on-failure -j2

# Regenerates the committed outputs of every shipped scenario.
results: build
	./$(BUILD)/repsim run --quiet $$(find scenarios -name '*.toml' | sort)

# Refreshes docs/SCENARIO.md's generated tables: the scenario keys (`repsim columns
# --keys --format md`) and the output columns (`repsim columns --format md`), each
# between its markers; a test fails while either is stale.
doc-tables: build
	./$(BUILD)/repsim columns --keys --format md > $(BUILD)/keys.md
	./$(BUILD)/repsim columns --format md > $(BUILD)/columns.md
	awk -v keys=$(BUILD)/keys.md -v columns=$(BUILD)/columns.md \
	  '/<!-- repsim:keys:begin/ { print; while ((getline line < keys) > 0) print line; skip = 1; next } \
	   /<!-- repsim:columns:begin/ { print; while ((getline line < columns) > 0) print line; skip = 1; next } \
	   /<!-- repsim:(keys|columns):end -->/ { skip = 0 } !skip' docs/SCENARIO.md > docs/SCENARIO.md.tmp \
	  && mv docs/SCENARIO.md.tmp docs/SCENARIO.md
# The names these tables had.
readme-columns scenario-keys: doc-tables

# clang-format on every source, clang-tidy on the files changed since the lint
# base (scripts/lint.sh says how "changed" is defined on a clean clone).
lint: deps
	bash scripts/lint.sh

# AddressSanitizer + UndefinedBehaviorSanitizer build of the whole test suite.
sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DREPSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo"

bench:
	$(MAKE) build EXTRA_DEPS="$(BENCH_DEPS)" BUILD=build-bench CMAKE_FLAGS="-DREPSIM_BUILD_BENCH=ON"
	BUILD=build-bench bash bench/run_all.sh

# libFuzzer targets (clang): `make fuzz FUZZ_SECONDS=600` runs each for that
# long (FUZZ_JOBS=2: two at a time); fails when one crashes. CI runs 20 s each.
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
fuzz:
	$(MAKE) deps EXTRA_DEPS="clang libclang-rt-14-dev"
	CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DREPSIM_FUZZ=ON -DREPSIM_BUILD_TESTS=OFF \
	  -DREPSIM_BROWSER_TEST=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) BUILD=build-fuzz bash fuzz/run.sh

clean:
	rm -rf build build-asan build-bench build-fuzz
