#!/usr/bin/env bash
# make bench: the fit's speed as a multiple of a physical yardstick, measured in one command.
#
# 1. The yardstick: ../shared/bench/refpass.c (one fused Float32 Beta-2PL pass over the
#    published-scale matrix on one core), compiled with -O3 -ffast-math -march=native.
#    Its seconds_per_pass is the unit: a whole fit is reported as a number of passes.
# 2. The published-scale fit: 6,612 × 37,682 Beta 2PL K = 1, 5 % missing, mpirun -n 2; on an
#    AVX-512 CPU also through the AVX2 path, against an AVX2 build of the yardstick.
# 3. K = 1, 2, 4 on a smaller Beta file (simulated with K = 4): ns per entry per pass per rank.
# 4. Binary 3,000 × 30,000 (Bernoulli 2PL) next to girth's joint ML, when girth is in .venv.
#
# Knobs: RANKS, SKIP_DIMS=1, SKIP_BINARY=1, SKIP_AVX2=1, BENCH_OUT. Data files are simulated once into bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IRSL_BIN:-.build/release/irsl}
OUT=${BENCH_OUT:-bench/out}
RANKS=${RANKS:-2}
mkdir -p "$OUT" .build
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"

simulate() {   # simulate FILE ARGS...: once
  local file=$1; shift
  [ -f "$file" ] || { echo "== simulating $file"; $BIN simulate "$@" --output "$file"; }
}

# fit LABEL DATA ARGS...: mpirun wall time and the fit's own performance and memory lines → summary.
fit() {
  local label=$1 data=$2; shift 2
  echo "== fit [$label]: mpirun -n $RANKS irsl fit $data $*"
  local start end
  start=$(date +%s.%N)
  timeout -k 10 3000 mpirun --allow-run-as-root --oversubscribe -n "$RANKS" ${LANES:+-x IRSL_VECTOR_LANES=$LANES} $BIN fit "$data" --output "$OUT/fit-$label.h5" --overwrite "$@" \
    | tee "$OUT/fit-$label.log" | grep -E "^(converged|stopped|performance|memory)" || true
  end=$(date +%s.%N)
  python3 - "$label" "$OUT/fit-$label.log" "$start" "$end" "$YARD_SECONDS" "$SUMMARY" <<'PY'
import re, sys
label, log, start, end, yard, summary = sys.argv[1], open(sys.argv[2]).read(), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
wall = end - start
perf = re.search(r"performance: ([\d.]+) s in (\d+) iterations \(([\d.]+) s/iteration\), ([\d.]+) ns per entry", log)
mem = re.search(r"peak RSS per rank (.*); largest shard (\d+) MB", log)
peaks = [float(x) for x in re.findall(r"(\d+) MB", mem.group(1))]
shard = float(mem.group(2)); budget = 1.3 * shard + 200
line = (f"{label}: wall {wall:.1f} s = {wall / yard:.1f} yardstick passes; iterations {perf.group(2)}; "
        f"{perf.group(4)} ns per entry per pass per rank; peak RSS per rank {', '.join(f'{p:.0f}' for p in peaks)} MB, "
        f"budget 1.3 × {shard:.0f} MB + 200 MB = {budget:.0f} MB: {'met' if max(peaks) <= budget else 'NOT met'}")
print(line)
open(summary, "a").write(line + "\n")
open(summary + "." + label, "w").write(f"{wall} {perf.group(4)}\n")
PY
}

# yardstick LABEL FLAGS...: builds refpass.c with -O3 -ffast-math -march=native FLAGS, runs one
# pass on one core, records it in the summary and sets YARD_SECONDS, the unit of the fits after it.
yardstick() {
  local label=$1; shift
  echo "== $label: cc -O3 -ffast-math -march=native $* ../shared/bench/refpass.c (one core, 6612 × 37682)"
  $CC -O3 -ffast-math -march=native "$@" ../shared/bench/refpass.c -lm -o .build/refpass
  local out
  out=$(.build/refpass 6612 37682)
  echo "$out"
  echo "$label: $out" >> "$SUMMARY"
  YARD_SECONDS=$(echo "$out" | sed -E 's/.*seconds_per_pass ([0-9.]+).*/\1/')
}

CC=$(command -v cc || command -v gcc || command -v clang)
yardstick yardstick
MAIN_YARD_SECONDS=$YARD_SECONDS

# 2. Published scale.
SCALE="$OUT/irsl-scale-6612x37682.h5"
simulate "$SCALE" --models 6612 --items 37682 --benchmarks 10 --response beta --missing 0.05 --seed 2024
fit scale-k1 "$SCALE"

# 2b. On a CPU with AVX-512, the AVX2 path too (IRSL_VECTOR_LANES=8), against the
#     yardstick compiled without AVX-512: the ratio an AVX2-only machine would see.
if [ "${SKIP_AVX2:-0}" != 1 ] && grep -q -w avx512f /proc/cpuinfo 2>/dev/null; then
  echo "== the AVX2 path on this AVX-512 CPU: fit with IRSL_VECTOR_LANES=8 against the yardstick built with -mno-avx512f"
  yardstick "yardstick (AVX2)" -mno-avx512f
  LANES=8 fit scale-k1-avx2 "$SCALE"
  YARD_SECONDS=$MAIN_YARD_SECONDS
fi

# 3. Dimensions on a smaller file.
if [ "${SKIP_DIMS:-0}" != 1 ]; then
  DIMS="$OUT/beta-k4-2000x10000.h5"
  simulate "$DIMS" --models 2000 --items 10000 --benchmarks 5 --dims 4 --response beta --missing 0.05 --seed 7
  for k in 1 2 4; do fit "dims-k$k" "$DIMS" --dims "$k" --max-iterations 20; done
  python3 - "$SUMMARY" <<'PY'
import sys
s = sys.argv[1]
ns = {k: float(open(f"{s}.dims-k{k}").read().split()[1]) for k in (1, 2, 4)}
line = (f"per-entry cost on 2000 × 10000 (Beta 2PL, K = 4 truth, 20 iterations at most): "
        f"K = 2 / K = 1 = {ns[2] / ns[1]:.2f} (target ≤ 1.5: {'met' if ns[2] / ns[1] <= 1.5 else 'NOT met'}), "
        f"K = 4 / K = 1 = {ns[4] / ns[1]:.2f} (target ≤ 2.5: {'met' if ns[4] / ns[1] <= 2.5 else 'NOT met'})")
print(line); open(s, "a").write(line + "\n")
PY
fi

# 4. Binary against girth.
if [ "${SKIP_BINARY:-0}" != 1 ]; then
  BINARY="$OUT/bernoulli-3000x30000.h5"
  simulate "$BINARY" --models 3000 --items 30000 --benchmarks 6 --response bernoulli --missing 0 --seed 11
  fit binary "$BINARY"
  if [ -x .venv/bin/python ] && .venv/bin/python -c "import girth" 2>/dev/null; then
    wall=$(cut -d' ' -f1 "$SUMMARY.binary")
    echo "== girth twopl_jml on the same file (cached in $OUT/girth-3000x30000.json while the file is unchanged)"
    .venv/bin/python bench/girth_compare.py "$BINARY" "$OUT/fit-binary.h5" "$wall" "$OUT/girth-3000x30000.json" | tee -a "$SUMMARY"
  else
    echo "girth is not installed in .venv (.venv/bin/pip install girth): no comparison" | tee -a "$SUMMARY"
  fi
fi

echo
echo "== make bench summary (yardstick seconds_per_pass $YARD_SECONDS)"
cat "$SUMMARY"
