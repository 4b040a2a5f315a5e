#!/usr/bin/env bash
# Prints the suite's totals as one plain line ("tests: N passed, N failed, N skipped")
# from XCTest's log, and fails when the log shows no test at all, a failure, or
# (unless --unit) a test of the CLI tier skipped because its tier was not
# requested: `make test` requests every tier, so there such a skip means a test
# that should have run did not.
#   scripts/test-summary.sh out/test.log          # make test
#   scripts/test-summary.sh --unit out/unit.log   # make test-unit: the CLI tier is skipped by design
set -euo pipefail
unit=0
if [ "${1:-}" = "--unit" ]; then unit=1; shift; fi
log=$1
# "Executed 12 tests, with 0 failures (0 unexpected)" or
# "Executed 12 tests, with 3 tests skipped and 0 failures (0 unexpected)"; the last one is the whole run.
line=$(grep -E "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" "$log" | tail -1 || true)
if [ -z "$line" ]; then echo "test-summary: no XCTest totals in $log" >&2; exit 1; fi
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")
skipped=0
if grep -qE "with [0-9]+ tests? skipped" <<<"$line"; then
  skipped=$(sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/' <<<"$line")
fi
failed=$(sed -E 's/.* ([0-9]+) failures?.*/\1/' <<<"$line")
[ "$total" -gt 0 ] || { echo "test-summary: no test ran" >&2; exit 1; }
echo "tests: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
tier_skips=$(grep -c "CLI tier not requested" "$log" || true)
if [ "$unit" -eq 0 ] && [ "$tier_skips" -gt 0 ]; then
  echo "test-summary: $tier_skips test(s) skipped with 'CLI tier not requested' although make test requests every tier (is IRSL_BIN set?)" >&2
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  # The reasons of skips other than the tier's (e.g. a machine without network namespaces).
  grep -E ": Test skipped" "$log" | grep -v "CLI tier not requested" | sed 's/^/  skip: /' | head -20 || true
fi
[ "$failed" -eq 0 ]
