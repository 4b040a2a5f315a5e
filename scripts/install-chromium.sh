#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium when `chromium` is missing, for
# the report's browser test (Tests/CLITests/ReportBrowserTests.swift), plus
# fonts so text renders in screenshots. Needs root (apt-get); does nothing
# when chromium is already on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "the report test needs chromium — install it with: apt-get install -y chromium (as root)" >&2
  exit 1
fi
echo "installing chromium ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
