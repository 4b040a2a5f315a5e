#!/bin/bash
# make fuzz / make test's brief fuzz step: builds the libFuzzer targets under
# fuzz/ with swiftc -sanitize=fuzzer,address and runs each for FUZZ_SECONDS
# (default 60), starting from its seed inputs in fuzz/seeds/<target>/ and its
# regression inputs in Tests/fuzz-regressions/<target>/ (crashing inputs found
# are kept there). Prints executions per target; exits non-zero on any finding.
#
# The sources a target exercises are compiled into it directly; the packages
# they import (yaslab/CSV.swift, TOMLKit and its C++ toml++) are built once
# into instrumented static modules under $FUZZ_OUT/lib and rebuilt only when
# their sources change. Targets: FUZZ_TARGETS (default all, in this order).
# FUZZ_RUNS=N stops each target after N executions instead (FUZZ_SECONDS
# then only caps the time; default 6 h): `FUZZ_RUNS=10000000 make fuzz`.
#
# Input sizes: libFuzzer's default cap (4,096 bytes) is kept except where a
# larger input only repeats work the target already did: hdf5-bounds turns
# the bytes after its ~100 bytes of fields into fixed-length strings (at
# width 1, one String per byte) and csv-table parses a table; 512 and 1,024
# bytes hold every field and several multi-line records, and keep their
# rate from falling to ~1,500 executions a second as the corpus grows.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${FUZZ_RUNS:-}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-$([ -n "$RUNS" ] && echo 21600 || echo 60)}
OUT=${FUZZ_OUT:-.build/fuzz}
CHECKOUTS=${FUZZ_CHECKOUTS:-.build/checkouts}
TARGETS=${FUZZ_TARGETS:-harness-record csv-table config hdf5-bounds}
SWIFTC=${SWIFTC:-swiftc}
CLANGXX=${CLANGXX:-$(dirname "$(command -v "$SWIFTC")")/clang++}
SANITIZE=(-sanitize=fuzzer,address)
mkdir -p "$OUT/lib"
[ -d "$CHECKOUTS/CSV.swift" ] && [ -d "$CHECKOUTS/TOMLKit" ] || swift package resolve > /dev/null

# stale OUTPUT SOURCE...: true when OUTPUT is missing or older than a source.
stale() {
    local out=$1; shift
    [ -e "$out" ] || return 0
    [ -n "$(find "$@" -newer "$out" -print -quit)" ]
}
fail_build() { cat "$1"; return 1; }
# module NAME SOURCE...: an instrumented static Swift library and its module.
module() {
    local name=$1; shift
    stale "$OUT/lib/lib$name.a" "$@" "$0" || return 0
    "$SWIFTC" -O "${SANITIZE[@]}" -parse-as-library -emit-library -static -emit-module \
        -module-name "$name" -emit-module-path "$OUT/lib/$name.swiftmodule" "${MODULE_FLAGS[@]}" "$@" \
        -o "$OUT/lib/lib$name.a" 2> "$OUT/lib/$name.build.log" || fail_build "$OUT/lib/$name.build.log"
}
# build NAME SOURCE...: the fuzz target, linked with the modules in $OUT/lib.
build() {
    local name=$1; shift
    "$SWIFTC" -O "${SANITIZE[@]}" -parse-as-library -module-name "Fuzz_${name//-/_}" -I "$OUT/lib" -L "$OUT/lib" \
        "${LINK_FLAGS[@]}" "$@" -o "$OUT/$name" 2> "$OUT/$name.build.log" || fail_build "$OUT/$name.build.log"
}

CTOML=$CHECKOUTS/TOMLKit/Sources/CTOML
# TOMLKit: toml++ (C++17, exceptions on, as the package builds it) and its Swift layer. toml++'s
# own assertions abort on some malformed TOML by design (irsl parses a config in a child process,
# `irsl __check-config`, for that; the inputs that showed it are kept in the regressions); here
# they are compiled out (TOML_ASSERT a no-op, not NDEBUG's assumptions) so the fuzzer looks past
# them for memory errors (AddressSanitizer) and for breaches of ConfigTable's own promises.
build_toml() {
    local sources=() objects=() cpp
    for cpp in "$CTOML"/Sources/*.cpp; do
        local object="$OUT/lib/ctoml-$(basename "${cpp%.cpp}" | tr -c 'A-Za-z0-9\n' _).o"
        if stale "$object" "$cpp" "$CTOML/Sources" "$CTOML/include" "$0"; then
            "$CLANGXX" -std=c++17 -O1 -DTOML_EXCEPTIONS=1 '-DTOML_ASSERT(expr)=((void)0)' \
                -fsanitize=fuzzer-no-link,address -I "$CTOML/include" \
                -c "$cpp" -o "$object" 2> "$object.log" || fail_build "$object.log"
        fi
        objects+=("$object")
    done
    if stale "$OUT/lib/libCTOML.a" "${objects[@]}"; then rm -f "$OUT/lib/libCTOML.a"; ar rcs "$OUT/lib/libCTOML.a" "${objects[@]}"; fi
    while IFS= read -r -d '' f; do sources+=("$f"); done < <(find "$CHECKOUTS/TOMLKit/Sources/TOMLKit" -name '*.swift' -print0 | sort -z)
    MODULE_FLAGS=(-Xcc -fmodule-map-file="$CTOML/include/CTOML/module.modulemap" -Xcc -I"$CTOML/include")
    module TOMLKit "${sources[@]}"
    MODULE_FLAGS=()
}

MODULE_FLAGS=() LINK_FLAGS=()
for target in $TARGETS; do
    case $target in
    harness-record)
        build harness-record fuzz/HarnessRecordFuzz.swift Sources/Ingest/JSONSyntaxError.swift Sources/Ingest/JSONScanner.swift \
            Sources/Ingest/JSONScanner+Strings.swift Sources/Ingest/JSONScanner+Numbers.swift \
            Sources/Ingest/HarnessRecordError.swift Sources/Ingest/HarnessRecordParser.swift Sources/Ingest/HarnessRecordParser+Fields.swift \
            Sources/Ingest/HarnessRecordParser+Responses.swift Sources/Ingest/HarnessRecordParser+Arguments.swift \
            Sources/Ingest/HarnessRecordParser+Gold.swift Sources/Ingest/HarnessRecord.swift Sources/Ingest/GoldRule.swift \
            Sources/Ingest/ContentHash.swift ;;
    csv-table)
        module CSV "$CHECKOUTS"/CSV.swift/Sources/CSV/*.swift
        LINK_FLAGS=(-lCSV)
        build csv-table fuzz/CSVTableFuzz.swift Sources/Store/CSVTable.swift Sources/Store/StoreError.swift \
            Sources/Store/SubsetTable.swift Sources/Store/ForecastTable.swift Sources/Store/ItemDiagnosticsTable.swift \
            Sources/Store/CSVWriter.swift
        LINK_FLAGS=() ;;
    config)
        build_toml
        LINK_FLAGS=(-Xcc -fmodule-map-file="$CTOML/include/CTOML/module.modulemap" -Xcc -I"$CTOML/include" -lTOMLKit -lCTOML -lstdc++)
        build config fuzz/ConfigFuzz.swift Sources/Config/*.swift
        LINK_FLAGS=() ;;
    hdf5-bounds)
        build hdf5-bounds fuzz/HDF5BoundsFuzz.swift Sources/Store/HDF5Bounds.swift Sources/Store/HDF5CheckReport.swift ;;
    *) echo "fuzz: unknown target '$target'" >&2; exit 2 ;;
    esac
done

status=0
for target in $TARGETS; do
    corpus="$OUT/corpus-$target"; regressions="Tests/fuzz-regressions/$target"; seeds="fuzz/seeds/$target"
    mkdir -p "$corpus" "$regressions"
    dirs=("$corpus" "$regressions"); [ -d "$seeds" ] && dirs+=("$seeds")
    flags=() asan=${ASAN_OPTIONS:-}
    if [ "$target" = config ]; then
        dirs+=(configs)   # the shipped configs are seeds too
        # TOMLKit leaks the strdup'd keys of every table it lists (tableGetKeys in its C++ layer:
        # a few bytes per key, once per config read); the input that showed it is kept in
        # Tests/fuzz-regressions/config/tomlkit-table-keys-leak.toml. Leaks are not findings here.
        flags=(-detect_leaks=0) asan=detect_leaks=0${asan:+:$asan}
    fi
    case $target in
    hdf5-bounds) flags+=(-max_len=512) ;;
    csv-table) flags+=(-max_len=1024) ;;
    esac
    [ -n "$RUNS" ] && flags+=(-runs="$RUNS")
    log="$OUT/$target.log"
    if ASAN_OPTIONS=$asan "$OUT/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$regressions/" "${flags[@]}" ${FUZZ_FLAGS:-} "${dirs[@]}" > "$log" 2>&1; then
        runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')
        rate=$(grep -oE 'exec/s: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo '?')
        took=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' || echo "$SECONDS_PER_TARGET")
        echo "fuzz $target: $runs executions in $took s ($rate exec/s), no finding"
    else
        status=1
        echo "fuzz $target: FINDING (input kept in $regressions/):"; tail -30 "$log"
    fi
done
exit $status
