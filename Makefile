# irsl — the two commands a new user needs are `make demo` and `make test`.
# Both install what is missing (as root, from Debian), then build.

SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/irsl
RANKS ?= 2
# mpirun as root needs these; --oversubscribe lets tests use more ranks than cores.
MPIRUN ?= mpirun --allow-run-as-root --oversubscribe
OUT ?= out

.PHONY: all deps build pyenv demo test bench clean

all: build

## deps: install MPI and HDF5 from Debian when missing (needs root).
deps:
	@bash scripts/install-deps.sh

## build: release build of the irsl executable.
build: deps
	$(SWIFT) build -c release --product irsl

## demo: simulate the default dataset and fit it with mpirun -n 2.
demo: build
	@mkdir -p $(OUT)
	$(BIN) simulate --models 2000 --items 5000 --benchmarks 10 --families 10 --response beta --seed 1 --output $(OUT)/demo.h5
	$(BIN) info $(OUT)/demo.h5
	$(MPIRUN) -n $(RANKS) $(BIN) fit $(OUT)/demo.h5 --output $(OUT)/demo-fit.h5
	$(BIN) info $(OUT)/demo-fit.h5

## pyenv: a local virtual environment with h5py and pandas, for the interoperability tests.
pyenv:
	@bash scripts/python-env.sh

## test: the whole suite (unit, recovery, HDF5, and mpirun tests), in release mode.
test: build pyenv
	$(SWIFT) build -c release --build-tests
	@mkdir -p $(OUT)
	set -o pipefail; IRSL_BIN=$(CURDIR)/$(BIN) $(SWIFT) test -c release --skip-build --disable-swift-testing 2>&1 | tee $(OUT)/test.log
	@bash scripts/test-summary.sh $(OUT)/test.log

## bench: the published-scale fit (6,612 × 37,682) against a plain C reference pass.
bench: build
	@bash bench/run.sh

clean:
	rm -rf .build $(OUT) bench/out
