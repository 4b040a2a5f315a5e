#!/usr/bin/env bash
# Prints the suite's totals as one plain line ("N passed, N failed") from
# XCTest's log, and fails when the log shows no test at all.
set -euo pipefail
log=$1
line=$(grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1 || true)
if [ -z "$line" ]; then echo "test-summary: no XCTest totals in $log" >&2; exit 1; fi
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")
failed=$(sed -E 's/.*with ([0-9]+) failures?.*/\1/' <<<"$line")
[ "$total" -gt 0 ] || { echo "test-summary: no test ran" >&2; exit 1; }
echo "tests: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
