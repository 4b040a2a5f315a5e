#!/usr/bin/env bash
# Creates .venv (git-ignored) with h5py, numpy and pandas when missing, so
# tests can check that users read irsl's files with the tools they use.
set -euo pipefail
cd "$(dirname "$0")/.."
if .venv/bin/python -c "import h5py, pandas" 2>/dev/null; then exit 0; fi
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check h5py numpy pandas
