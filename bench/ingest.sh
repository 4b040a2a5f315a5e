#!/usr/bin/env bash
# make bench-ingest: throughput of `irsl ingest lm-eval` on a ~1 GB corpus of
# harness samples files shaped like the real exports (generated once into
# bench/out/ingest-corpus by bench/make_ingest_corpus.py; git-ignored).
# Prints MB/s of JSONL parsed (one core) and end to end (incl. HDF5 writes).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IRSL_BIN:-.build/release/irsl}
OUT=${BENCH_OUT:-bench/out}
BYTES=${BYTES:-1000000000}
SOURCE=${SOURCE:-../shared/data/lm-eval-harness/EleutherAI__pythia-14m}
CORPUS="$OUT/ingest-corpus"
PY=$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )
mkdir -p "$OUT"
# One core: pin to CPU 0 where taskset exists.
PIN=$(command -v taskset > /dev/null && echo "taskset -c 0" || true)

if [ ! -f "$CORPUS/.complete-$BYTES" ]; then
  echo "== generating a $((BYTES / 1000000)) MB corpus into $CORPUS (once)"
  rm -rf "$CORPUS"
  "$PY" bench/make_ingest_corpus.py "$SOURCE" "$CORPUS" --bytes "$BYTES"
  touch "$CORPUS/.complete-$BYTES"
fi
corpus_bytes=$(find "$CORPUS" -name 'samples_*.jsonl' -printf '%s\n' | awk '{s += $1} END {print s}')
# Read the corpus once so the timed run measures parsing, not the disk.
find "$CORPUS" -name 'samples_*.jsonl' -exec cat {} + > /dev/null

models=$(ls -d "$CORPUS"/*/ | wc -l)
run() {  # run LABEL [extra ingest options...]: one timed ingest on core 0; prints "parse_MBps wall_s"
  local label=$1; shift
  rm -f "$OUT/ingest-$label.h5"
  local start end
  start=$(date +%s.%N)
  $PIN "$BIN" ingest lm-eval "$CORPUS" --output "$OUT/ingest-$label.h5" "$@" > "$OUT/ingest-$label.log" \
    || { tail -5 "$OUT/ingest-$label.log" >&2; exit 1; }
  end=$(date +%s.%N)
  local parse
  parse=$(grep -o 'in [0-9.]* s: [0-9.]* MB/s' "$OUT/ingest-$label.log" | awk '{print $4}')
  awk -v p="$parse" -v a="$start" -v b="$end" 'BEGIN { print p, b - a }'
}

echo "== irsl ingest lm-eval ($((corpus_bytes / 1000000)) MB, $models models), --response probability"
read -r prob_parse prob_wall < <(run probability)
tail -4 "$OUT/ingest-probability.log"
"$BIN" info "$OUT/ingest-probability.h5" | sed -n '2,4p'
echo "== same corpus, --length-normalised (also decodes every choice's continuation)"
read -r norm_parse norm_wall < <(run normalised --length-normalised)
tail -2 "$OUT/ingest-normalised.log"

"$PY" - "$corpus_bytes" "$prob_parse" "$prob_wall" "$norm_parse" "$norm_wall" <<'PY'
import sys
mb = int(sys.argv[1]) / 1e6
prob_parse, prob_wall, norm_parse, norm_wall = map(float, sys.argv[2:6])
print()
print(f"== make bench-ingest summary ({mb:.0f} MB of JSONL, one core)")
print(f"probability:       parse {prob_parse:.0f} MB/s, end to end {mb / prob_wall:.0f} MB/s ({prob_wall:.2f} s wall, incl. start-up and HDF5 writes)")
print(f"length-normalised: parse {norm_parse:.0f} MB/s, end to end {mb / norm_wall:.0f} MB/s ({norm_wall:.2f} s wall)")
worst = min(prob_parse, mb / prob_wall, norm_parse, mb / norm_wall)
print(f"target ≥ 50 MB/s: {'met' if worst >= 50 else 'NOT met'} (slowest figure {worst:.0f} MB/s)")
PY
bash bench/ingest-formats.sh   # Inspect .eval and HELM corpora
