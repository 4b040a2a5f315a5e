#!/usr/bin/env bash
# make bench-memory: every rank of a 2-rank fit runs in its own memory
# cgroup capped below the size of the WHOLE response matrix, and the fit still
# succeeds, because each rank only ever holds its shard (docs/scaling.md).
# Uses cgroup v2 (memory.max) or v1 (memory.limit_in_bytes), whichever is mounted.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${IRSL_BIN:-$PWD/.build/release/irsl}
OUT=${BENCH_OUT:-bench/out}
MODELS=${MODELS:-6612}
ITEMS=${ITEMS:-37682}
mkdir -p "$OUT"
DATA="$OUT/irsl-scale-${MODELS}x${ITEMS}.h5"
[ -f "$DATA" ] || $BIN simulate --models "$MODELS" --items "$ITEMS" --benchmarks 10 --response beta --missing 0.05 --seed 2024 --output "$DATA"
matrix_mb=$(( MODELS * ITEMS * 4 / 1000000 ))
cap_mb=${CAP_MB:-$(( matrix_mb * 85 / 100 ))}
echo "== whole matrix ${matrix_mb} MB; every rank capped at ${cap_mb} MB"

wrapper="$OUT/capped-rank.sh"
cat > "$wrapper" <<WRAP
#!/usr/bin/env bash
# Puts this rank into its own memory cgroup, then becomes the irsl rank.
set -e
name=irsl-cap-\${OMPI_COMM_WORLD_RANK:-0}-\$\$
if [ "\$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  dir=/sys/fs/cgroup/\$name; mkdir "\$dir"
  echo \$(( $cap_mb * 1000000 )) > "\$dir/memory.max"; echo 0 > "\$dir/memory.swap.max" 2>/dev/null || true
else
  dir=/sys/fs/cgroup/memory/\$name; mkdir "\$dir"
  echo \$(( $cap_mb * 1000000 )) > "\$dir/memory.limit_in_bytes"
fi
echo \$\$ > "\$dir/cgroup.procs"
echo "rank \${OMPI_COMM_WORLD_RANK:-0}: cgroup \$dir, limit $cap_mb MB" >&2
exec "\$@"
WRAP
chmod +x "$wrapper"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun -n 2 "$wrapper" "$BIN" fit "$DATA" --output "$OUT/capped-fit.h5" --overwrite | grep -vE "^iter" | tee "$OUT/capped.log"
for d in /sys/fs/cgroup/irsl-cap-* /sys/fs/cgroup/memory/irsl-cap-*; do
  [ -d "$d" ] || continue
  [ -f "$d/memory.max_usage_in_bytes" ] && echo "$(basename "$d"): cgroup peak $(( $(cat "$d/memory.max_usage_in_bytes") / 1000000 )) MB (limit $cap_mb MB)"
  [ -f "$d/memory.failcnt" ] && echo "$(basename "$d"): times the limit was hit: $(cat "$d/memory.failcnt")"
  rmdir "$d" 2>/dev/null || true
done
echo "== the fit succeeded with every rank capped at ${cap_mb} MB < whole matrix ${matrix_mb} MB"
