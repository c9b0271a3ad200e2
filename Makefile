# Wharf: the two commands a newcomer needs are `make serve` and `make test`.
# Everything they need is installed from Debian's packages by scripts/install-deps.sh.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
LISTEN     ?= 127.0.0.1:5000
DATA       ?= ./var
FUZZ_SECONDS ?= 20
# Debian's interpreter: its pytest and boto3 come from Debian packages (a pyenv python on PATH has
# neither).
PYTHON     ?= /usr/bin/python3

.PHONY: all deps test-deps build serve test unit e2e asan fuzz lint bench docs clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

# Release build of build/wharf and every test binary.
build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

serve: build
	$(BUILD)/wharf serve --config examples/config/quickstart.toml --listen $(LISTEN) --data $(DATA)

# The whole suite: what CI runs.
test: test-deps build lint unit e2e asan fuzz

unit:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

e2e:
	WHARF_BIN=$(CURDIR)/$(BUILD)/wharf $(PYTHON) -m pytest -q tests/e2e

# Unit, conformance and fuzz-replay tests under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: test-deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWHARF_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

# libFuzzer (clang) builds of every fuzz target, each run briefly from its seed corpus.
fuzz: test-deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DWHARF_FUZZ=ON -DWHARF_TESTS=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $$(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$$//')
	@set -e; for src in tests/fuzz/*_fuzz.cpp; do \
		name=$$(basename $$src .cpp); corpus=tests/fuzz/corpus/$${name%_fuzz}; \
		work=$$(mktemp -d); cp -r $$corpus/. $$work/ 2>/dev/null || true; \
		echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
		$(FUZZ_BUILD)/tests/fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $$work >$$work.log 2>&1 \
			|| { tail -40 $$work.log; exit 1; }; \
		grep -E "^#[0-9]+.*DONE|Done [0-9]+ runs" $$work.log | tail -1; rm -rf $$work $$work.log; \
	done

lint:
	@$(PYTHON) scripts/check_layers.py

bench:
	@scripts/install-deps.sh bench
	@$(MAKE) --no-print-directory build
	WHARF_BIN=$(CURDIR)/$(BUILD)/wharf bench/run.sh

docs: build
	@mkdir -p docs/spec
	$(BUILD)/gen_docs errors > docs/errors.md
	$(BUILD)/gen_docs oci > docs/spec/oci.md
	$(BUILD)/gen_docs ecr > docs/spec/ecr.md

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
