#!/usr/bin/env bash
# Part of make bench-ingest: `irsl ingest inspect` and `irsl ingest helm` on
# generated corpora of >= 500 MB each (bench/make_format_corpus.py, once, into
# bench/out/), pinned to one core, under /usr/bin/time -v.
#
# Input bytes are the compressed .eval bytes (Inspect) and the JSON bytes
# (HELM). The machine may be shared, so two rates are printed: MB per second
# of user+system CPU time (what one core does, robust to other load: the
# target figure) and MB per wall-clock second (what a user waits, which
# other processes on the core slow down). Each ingest runs REPEATS times
# (default 3) and the run with the least CPU time is reported (other load
# only ever adds time, through cache and core sharing). Peak RSS is the
# kernel's maximum resident set size of the process.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IRSL_BIN:-.build/release/irsl}
OUT=${BENCH_OUT:-bench/out}
BYTES=${FORMAT_BYTES:-520000000}
KINDS=${KINDS:-inspect inspect-json helm}
REPEATS=${REPEATS:-3}
PY=$( [ -x .venv/bin/python ] && echo .venv/bin/python || command -v python3 )
PIN=$(command -v taskset > /dev/null && echo "taskset -c 0" || true)
TIME=$( [ -x /usr/bin/time ] && echo "/usr/bin/time -v" || true)
for kind in $KINDS; do
  corpus="$OUT/$kind-corpus"
  if [ ! -f "$corpus/.complete-$BYTES" ]; then
    echo "== generating a $((BYTES / 1000000)) MB $kind corpus into $corpus (once)"
    rm -rf "$corpus"
    "$PY" bench/make_format_corpus.py "$kind" "$corpus" --bytes "$BYTES"
    touch "$corpus/.complete-$BYTES"
  fi
  find "$corpus" -type f -exec cat {} + > /dev/null   # warm the page cache: measure parsing, not the disk
  bytes=$(find "$corpus" -type f \( -name '*.eval' -o -name '*.json' \) -printf '%s\n' | awk '{s += $1} END {print s}')
  best=""
  for run in $(seq "$REPEATS"); do
    rm -f "$OUT/$kind.h5"
    start=$(date +%s.%N)
    $PIN $TIME "$BIN" ingest "${kind%-json}" "$corpus" --output "$OUT/$kind.h5" > "$OUT/ingest-$kind.log" 2> "$OUT/ingest-$kind.time" \
      || { tail -5 "$OUT/ingest-$kind.log" "$OUT/ingest-$kind.time" >&2; exit 1; }
    end=$(date +%s.%N)
    # "cpu wall rss" of this run; keep the run with the least CPU time.
    line=$(awk -v s="$start" -v e="$end" -F': ' '
      /User time/ { user = $2 } /System time/ { sys = $2 } /Maximum resident/ { rss = $2 }
      END { printf "%.2f %.2f %.2f %.3f %d\n", user, sys, user + sys, e - s, rss }' "$OUT/ingest-$kind.time")
    echo "  run $run: user, system, CPU, wall seconds, peak RSS kB: $line"
    if [ -z "$best" ] || awk -v a="$line" -v b="$best" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[3] < y[3]) }'; then best=$line; fi
  done
  echo "== irsl ingest $kind ($((bytes / 1000000)) MB), best of $REPEATS by CPU time"
  tail -3 "$OUT/ingest-$kind.log"
  echo "$best" | awk -v b="$bytes" '{
      printf "  CPU: %.2f s user + %.2f s system = %.0f MB per CPU second (%.2f ms per MB)\n", $1, $2, b / 1e6 / $3, 1000 * $3 / (b / 1e6)
      printf "  wall: %.2f s = %.0f MB/s on one (shared) core; peak RSS %.0f MB\n", $4, b / 1e6 / $4, $5 / 1024
    }'
done
