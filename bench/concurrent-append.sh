#!/bin/bash
# The concurrency measurement of docs/reliability.md: WRITERS (default 16)
# `irsl ingest lm-eval DIR --output all.h5 --append` started at once into a
# file holding one model, as a Slurm array of jobs/ingest.sbatch does. Prints
# every writer's exit code, how many waited for the lock, `irsl info` and
# `irsl info --verify` of the result; exits non-zero unless all exit 0 and
# the file holds WRITERS + 1 models.
#   bash bench/concurrent-append.sh [WRITERS]
set -euo pipefail
cd "$(dirname "$0")/.."
WRITERS=${1:-16}
BIN=${IRSL_BIN:-$PWD/.build/release/irsl}
OUT=${OUT:-bench/out/concurrent-append}
rm -rf "$OUT"; mkdir -p "$OUT"
# export NAME MODEL FIRST COUNT: a one-model harness export of COUNT gsm8k questions from FIRST.
export_model() {
    mkdir -p "$OUT/$1/org__$2"
    for ((doc = $3; doc < $3 + $4; doc++)); do
        printf '{"doc_id": %d, "doc": {"question": "q%d"}, "target": "a", "filtered_resps": ["x"], "exact_match": %d}\n' \
            "$doc" "$doc" $((doc % 2))
    done > "$OUT/$1/org__$2/samples_gsm8k_2024-01-01T00-00-00.000001.jsonl"
}
export_model base base 0 30
"$BIN" ingest lm-eval "$OUT/base" --output "$OUT/all.h5" > /dev/null
for ((k = 0; k < WRITERS; k++)); do export_model "export-$k" "model-$k" $((3 * k)) 30; done
started=$(date +%s.%N)
pids=()
for ((k = 0; k < WRITERS; k++)); do
    "$BIN" ingest lm-eval "$OUT/export-$k" --output "$OUT/all.h5" --append > "$OUT/writer-$k.log" 2>&1 &
    pids+=($!)
done
codes=()
for pid in "${pids[@]}"; do
    if wait "$pid"; then codes+=(0); else codes+=($?); fi
done
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
echo "$WRITERS concurrent appends in ${elapsed%???????} s; exit codes: ${codes[*]}"
echo "waited for the lock: $(grep -l 'waiting for the lock' "$OUT"/writer-*.log | wc -l) of $WRITERS"
"$BIN" info "$OUT/all.h5" | head -3
"$BIN" info --verify "$OUT/all.h5" | tail -2
models=$("$BIN" info "$OUT/all.h5" | grep -oE '[0-9]+ models' | head -1 | grep -oE '[0-9]+')
[ "$models" = $((WRITERS + 1)) ] && ! printf '%s\n' "${codes[@]}" | grep -qv '^0$'
