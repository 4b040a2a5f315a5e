#!/usr/bin/env bash
# Part of make bench-ingest: `irsl ingest inspect` and `irsl ingest helm` on
# generated corpora of >= 500 MB each (bench/make_format_corpus.py, once, into
# bench/out/), one core. Prints MB/s (input bytes: compressed .eval bytes, HELM
# JSON bytes) and the peak RSS the command reports.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IRSL_BIN:-.build/release/irsl}
OUT=${BENCH_OUT:-bench/out}
BYTES=${FORMAT_BYTES:-520000000}
PY=$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )
PIN=$(command -v taskset > /dev/null && echo "taskset -c 0" || true)
for kind in inspect helm; do
  corpus="$OUT/$kind-corpus"
  if [ ! -f "$corpus/.complete-$BYTES" ]; then
    echo "== generating a $((BYTES / 1000000)) MB $kind corpus into $corpus (once)"
    rm -rf "$corpus"
    "$PY" bench/make_format_corpus.py "$kind" "$corpus" --bytes "$BYTES"
    touch "$corpus/.complete-$BYTES"
  fi
  find "$corpus" -type f -exec cat {} + > /dev/null   # warm the page cache: measure parsing, not the disk
  rm -f "$OUT/$kind.h5"
  start=$(date +%s.%N)
  $PIN "$BIN" ingest "$kind" "$corpus" --output "$OUT/$kind.h5" > "$OUT/ingest-$kind.log" || { tail -5 "$OUT/ingest-$kind.log" >&2; exit 1; }
  end=$(date +%s.%N)
  bytes=$(du -sb "$corpus" | cut -f1)
  echo "== irsl ingest $kind ($((bytes / 1000000)) MB)"
  tail -4 "$OUT/ingest-$kind.log"
  awk -v b="$bytes" -v s="$start" -v e="$end" 'BEGIN { printf "  end to end: %.2f s, %.0f MB/s on one core\n", e - s, b / 1e6 / (e - s) }'
done
