#!/usr/bin/env bash
# Prints the suite's totals as one plain line ("tests: N passed, N failed, N skipped")
# from XCTest's log, and fails when the log shows no test at all, a failure, or
# (unless --unit) a test skipped because its tier was not requested: the CLI tier
# ("CLI tier not requested", IRSL_BIN unset) or the full tier ("full tier:",
# IRSL_FULL unset). `make test` requests every tier, so there such a skip means
# a test that should have run did not.
#   scripts/test-summary.sh out/test.log          # make test
#   scripts/test-summary.sh --unit out/unit.log   # make test-unit: the CLI and full tiers are skipped by design
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
# A tier skip is XCTest's ": Test skipped ... - <message>" line with one of these messages.
tiers="CLI tier not requested|full tier: "
cli_skips=$(grep -E ": Test skipped" "$log" | grep -c "CLI tier not requested" || true)
full_skips=$(grep -E ": Test skipped" "$log" | grep -c "full tier: " || true)
if [ "$unit" -eq 1 ]; then
  echo "tiers skipped by design: $cli_skips CLI-tier test(s), $full_skips full-tier test(s)"
elif [ "$cli_skips" -gt 0 ] || [ "$full_skips" -gt 0 ]; then
  [ "$cli_skips" -eq 0 ] || echo "test-summary: $cli_skips test(s) skipped with 'CLI tier not requested' although make test requests every tier (is IRSL_BIN set?)" >&2
  [ "$full_skips" -eq 0 ] || echo "test-summary: $full_skips test(s) skipped with 'full tier:' although make test requests every tier (is IRSL_FULL=1 set?)" >&2
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  # The reasons of skips other than the tiers' (e.g. a machine without network namespaces).
  grep -E ": Test skipped" "$log" | grep -vE "$tiers" | sed 's/^/  skip: /' | head -20 || true
fi
[ "$failed" -eq 0 ]
