# irsl — the two commands a new user needs are `make demo` and `make test`.
# Both install what is missing (as root, from Debian), then build.

SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/irsl
RANKS ?= 2
# mpirun as root needs these; --oversubscribe lets tests use more ranks than cores.
MPIRUN ?= mpirun --allow-run-as-root --oversubscribe
OUT ?= out

.PHONY: all deps build pyenv demo test test-unit bench bench-ingest scaling-study bench-memory fuzz clean

all: build

## deps: install MPI and HDF5 from Debian when missing (needs root).
deps:
	@bash scripts/install-deps.sh

## build: release build of the irsl executable.
build: deps
	$(SWIFT) build -c release --product irsl

## demo: simulate the default dataset, fit it with mpirun -n 2, then law, items, subset, forecasts and the HTML report.
demo: build
	@mkdir -p $(OUT)
	$(BIN) simulate --models 2000 --items 5000 --benchmarks 10 --families 10 --response beta --seed 1 --output $(OUT)/demo.h5
	$(BIN) info $(OUT)/demo.h5
	$(MPIRUN) -n $(RANKS) $(BIN) fit $(OUT)/demo.h5 --output $(OUT)/demo-fit.h5 --overwrite
	$(BIN) info $(OUT)/demo-fit.h5
	$(BIN) law $(OUT)/demo-fit.h5 --output $(OUT)/demo-law.h5
	$(BIN) items $(OUT)/demo-fit.h5 --output $(OUT)/demo-diagnostics.csv
	$(BIN) select $(OUT)/demo-fit.h5 --per-benchmark 50 --output $(OUT)/demo-subset.csv
	printf 'name,family,flops\ndemo-new-small,,1e22\ndemo-new-large,family0,3e25\n' > $(OUT)/demo-new.csv
	$(BIN) forecast $(OUT)/demo-law.h5 --fit $(OUT)/demo-fit.h5 --models $(OUT)/demo-new.csv --output $(OUT)/demo-forecasts.csv
	$(BIN) report $(OUT)/demo-fit.h5 --law $(OUT)/demo-law.h5 --forecasts $(OUT)/demo-forecasts.csv --models $(OUT)/demo-new.csv --diagnostics $(OUT)/demo-diagnostics.csv --subset $(OUT)/demo-subset.csv --output $(OUT)/demo-report.html
	@echo "report: $(CURDIR)/$(OUT)/demo-report.html"

## pyenv: a local virtual environment with h5py and pandas, for the interoperability tests.
pyenv:
	@bash scripts/python-env.sh

## test: the whole suite in release mode: the unit tier, the full tier (IRSL_FULL=1: long recoveries,
## K ≥ 2 kernel sweeps) and the CLI tier (IRSL_BIN: irsl, mpirun, Slurm, Chromium).
test: build pyenv
	@bash scripts/install-chromium.sh
	$(SWIFT) build -c release --build-tests
	@mkdir -p $(OUT)
	set -o pipefail; IRSL_FULL=1 IRSL_BIN=$(CURDIR)/$(BIN) $(SWIFT) test -c release --skip-build --disable-swift-testing 2>&1 | tee $(OUT)/test.log
	@bash scripts/test-summary.sh $(OUT)/test.log
	FUZZ_SECONDS=10 bash scripts/fuzz.sh

## fuzz: libFuzzer targets (swiftc -sanitize=fuzzer,address) for FUZZ_SECONDS each (default 600); findings kept in Tests/fuzz-regressions/.
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} bash scripts/fuzz.sh

## test-unit: the unit tier only (every module's tests; no irsl binary, mpirun, Slurm or Chromium),
## in under a minute once built. The CLI tier's classes skip with "CLI tier not requested"
## because IRSL_BIN is unset, the full tier's tests with "full tier: ..." because IRSL_FULL is
## unset (a plain `swift test` does the same).
test-unit: deps
	$(SWIFT) build -c release --build-tests
	@mkdir -p $(OUT)
	set -o pipefail; env -u IRSL_BIN -u IRSL_FULL $(SWIFT) test -c release --skip-build --disable-swift-testing 2>&1 | tee $(OUT)/test-unit.log
	@bash scripts/test-summary.sh --unit $(OUT)/test-unit.log

## bench: the published-scale fit (6,612 × 37,682) against a plain C reference pass.
bench: build
	@bash bench/run.sh

## bench-ingest: ingest throughput, one core: lm-eval on a ~1 GB harness corpus, then Inspect .eval and HELM on >= 500 MB corpora (CPU and wall MB/s, peak RSS).
bench-ingest: build
	@bash bench/ingest.sh

## scaling-study: strong and weak scaling over 1, 2 and 4 ranks into docs/scaling/.
scaling-study: build
	$(BIN) scaling-study --models 3000 --items 10000 --ranks 1,2,4 --weak 1500 --iterations 8 --output $(OUT)/scaling
	mkdir -p docs/scaling && cp $(OUT)/scaling/scaling.csv $(OUT)/scaling/scaling.md $(OUT)/scaling/scaling.svg docs/scaling/

## bench-memory: a fit whose every rank is capped below the size of the whole matrix.
bench-memory: build
	@bash bench/memory-cap.sh

clean:
	rm -rf .build $(OUT) bench/out
