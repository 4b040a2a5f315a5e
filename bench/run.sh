#!/usr/bin/env bash
# make bench: the published-scale Beta 2PL fit (6,612 models × 37,682 items,
# 5 % missing) under mpirun -n 2, against a plain C reference pass over the
# same file, in one command. Prints the figures the calibration-core issue asks for.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/irsl
OUT=${BENCH_OUT:-bench/out}
RANKS=${RANKS:-2}
MODELS=${MODELS:-6612}
ITEMS=${ITEMS:-37682}
mkdir -p "$OUT"
DATA="$OUT/irsl-scale-${MODELS}x${ITEMS}.h5"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [ ! -f "$DATA" ]; then
  echo "== simulating $MODELS × $ITEMS (Beta 2PL, 5 % missing), once"
  $BIN simulate --models "$MODELS" --items "$ITEMS" --benchmarks 10 --response beta --missing 0.05 --seed 2024 --output "$DATA"
fi

echo "== fit: mpirun -n $RANKS irsl fit"
start=$(date +%s.%N)
mpirun --oversubscribe -n "$RANKS" $BIN fit "$DATA" --output "$OUT/fit.h5" --overwrite | tee "$OUT/fit.log"
end=$(date +%s.%N)

echo "== plain C reference pass (-O3 -ffast-math -march=native), same file"
HDF5_FLAGS=$(pkg-config --cflags --libs hdf5)
REF_ROWS=${REF_ROWS:-400}
gcc -O3 -ffast-math -march=native bench/reference_pass.c -o "$OUT/reference_pass_gcc" $HDF5_FLAGS -lm
ref_gcc=$("$OUT/reference_pass_gcc" "$DATA" "$REF_ROWS" 2)
echo "gcc:   $ref_gcc"
CLANG=$(command -v clang || true)
[ -n "$CLANG" ] || CLANG=$(dirname "$(readlink -f "$(command -v swift)")")/clang
ref_clang=""
if [ -x "$CLANG" ]; then
  "$CLANG" -O3 -ffast-math -march=native -fveclib=libmvec bench/reference_pass.c -o "$OUT/reference_pass_clang" $HDF5_FLAGS -lm
  ref_clang=$("$OUT/reference_pass_clang" "$DATA" "$REF_ROWS" 2)
  echo "clang: $ref_clang"
fi

python3 - "$OUT/fit.log" "$start" "$end" "$ref_gcc" "$ref_clang" "$MODELS" "$ITEMS" "$RANKS" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
wall = float(sys.argv[3]) - float(sys.argv[2])
perf = re.search(r"performance: ([\d.]+) s in (\d+) iterations \(([\d.]+) s/iteration\), ([\d.]+) ns per entry", log)
mem = re.search(r"peak RSS per rank (.*); largest shard (\d+) MB", log)
refs = [float(m) for m in re.findall(r"([\d.]+) ns per entry per pass", sys.argv[4] + " " + sys.argv[5])]
ours = float(perf.group(4))
best = min(refs)
peaks = [float(x) for x in re.findall(r"(\d+) MB", mem.group(1))]
shard = float(mem.group(2))
budget = 1.3 * shard + 200
models, items, ranks = sys.argv[6], sys.argv[7], sys.argv[8]
print()
print(f"== make bench summary ({models} × {items}, Beta 2PL, 5 % missing, mpirun -n {ranks})")
print(f"total fit seconds (mpirun wall, incl. start-up, read, SEs, write): {wall:.1f} s   target < 60 s: {'met' if wall < 60 else 'NOT met'}")
print(f"iterations: {perf.group(2)}   seconds per iteration: {perf.group(3)}")
print(f"ns per matrix entry per pass (per rank): {ours:.2f}   C reference: {best:.2f} (best of gcc/clang)   ratio {ours / best:.2f}   target ≤ 1.5: {'met' if ours / best <= 1.5 else 'NOT met'}")
print(f"peak RSS per rank: {', '.join(f'{p:.0f} MB' for p in peaks)}   budget 1.3 × {shard:.0f} MB shard + 200 MB = {budget:.0f} MB: {'met' if max(peaks) <= budget else 'NOT met'}")
PY
