#!/bin/bash
# make fuzz / make test's brief fuzz step: builds the libFuzzer targets under
# fuzz/ with swiftc -sanitize=fuzzer,address (the sources they exercise are
# compiled in directly) and runs each for FUZZ_SECONDS (default 60), starting
# from its regression inputs in Tests/fuzz-regressions/<target>/ (crashing
# inputs found are kept there). Prints executions per target; exits non-zero
# on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
OUT=${FUZZ_OUT:-.build/fuzz}
mkdir -p "$OUT"
SWIFTC=${SWIFTC:-swiftc}
build() {   # name, sources...
    local name=$1; shift
    "$SWIFTC" -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_${name//-/_}" "$@" -o "$OUT/$name" 2> "$OUT/$name.build.log" \
        || { cat "$OUT/$name.build.log"; return 1; }
}
build harness-record fuzz/HarnessRecordFuzz.swift Sources/Ingest/JSONScanner.swift Sources/Ingest/HarnessRecordParser.swift \
    Sources/Ingest/HarnessRecord.swift Sources/Ingest/GoldRule.swift Sources/Ingest/ContentHash.swift
status=0
for target in harness-record; do
    corpus="$OUT/corpus-$target"; regressions="Tests/fuzz-regressions/$target"
    mkdir -p "$corpus" "$regressions"
    log="$OUT/$target.log"
    if "$OUT/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$regressions/" "$corpus" "$regressions" > "$log" 2>&1; then
        runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')
        echo "fuzz $target: $runs executions in ${SECONDS_PER_TARGET} s, no finding"
    else
        status=1
        echo "fuzz $target: FINDING (input kept in $regressions/):"; tail -30 "$log"
    fi
done
exit $status
