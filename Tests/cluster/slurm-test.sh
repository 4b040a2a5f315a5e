#!/usr/bin/env bash
# Runs jobs/fit.sbatch and jobs/preemptible-fit.sbatch on a real, private,
# single-node Slurm (see slurm-env.sh), as a user would submit them.
# Exit 0: passed; 77: skipped because the machine forbids the daemons; else failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IRSL=${IRSL_BIN:-$root/.build/release/irsl}
source "$here/slurm-env.sh"

fail() { echo "slurm-test: FAIL: $*" >&2; [ -n "${SLURM_DIR:-}" ] && tail -5 "$SLURM_DIR"/log/*.log >&2; slurm_down; exit 1; }

slurm_install || exit $?
slurm_up; rc=$?
[ $rc -eq 0 ] || { slurm_down; exit $rc; }
trap 'slurm_down' EXIT
work=$SLURM_DIR/work
mkdir -p "$work"
cd "$work" || exit 1

"$IRSL" simulate --models 300 --items 2500 --benchmarks 3 --seed 23 --output data.h5 >/dev/null || fail "simulate"

# 1. A plain fit job.
timeout 180 sbatch --wait --export=ALL,INPUT=data.h5,OUTPUT=fit.h5,IRSL="$IRSL" -o fit-job.out "$root/jobs/fit.sbatch" \
  || fail "fit.sbatch exited $?: $(cat fit-job.out)"
grep -q "converged after" fit-job.out || fail "fit.sbatch output has no convergence line: $(cat fit-job.out)"
grep -q "2 rank(s)" fit-job.out || fail "fit.sbatch did not run 2 ranks: $(head -3 fit-job.out)"
"$IRSL" info fit.h5 | grep -q "300 models × 2500 items" || fail "fit.sbatch output unreadable"
echo "slurm-test: fit.sbatch ok"

# 2. Preemption: USR1 to the batch script, checkpoint, requeue, resume.
fixed="--tolerance 0 --parameter-tolerance 0 --max-iterations 200"
OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 300 \
  mpirun -n 2 "$IRSL" fit data.h5 --output reference.h5 $fixed >/dev/null || fail "reference fit"
job=$(sbatch --parsable --export=ALL,INPUT=data.h5,OUTPUT=pre.h5,CHECKPOINT_EVERY=0,IRSL="$IRSL",EXTRA="$fixed" \
      -o pre-job.out "$root/jobs/preemptible-fit.sbatch") || fail "submit preemptible-fit.sbatch"
# The checkpoint appearing is the event (a 60 s deadline): the ranks are iterating with their
# signal handlers installed, and the batch script's USR1 trap was set before they started.
for i in $(seq 1 120); do [ -f pre.h5.ckpt ] && break; sleep 0.5; done
[ -f pre.h5.ckpt ] || fail "no checkpoint appeared: $(cat pre-job.out)"
scancel --signal=USR1 --batch "$job" || fail "scancel --signal=USR1"
state=""
for i in $(seq 1 300); do
  state=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  restarts=$(scontrol show job "$job" 2>/dev/null | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
  [ "$state" = COMPLETED ] && break
  # A requeued job waits out a begin-time delay; a user would just wait, the test need not.
  if [ "$state" = PENDING ] && [ "${restarts:-0}" -ge 1 ] && [ -z "${nudged:-}" ]; then
    scontrol update JobId="$job" StartTime=now >/dev/null 2>&1 && nudged=1
  fi
  case "$state" in FAILED|CANCELLED|TIMEOUT|NODE_FAIL) fail "job ended $state: $(cat pre-job.out)";; esac
  sleep 1
done
[ "$state" = COMPLETED ] || fail "preemptible job not completed (state $state): $(cat pre-job.out)"
[ "${restarts:-0}" -ge 1 ] || fail "the job was never requeued: $(cat pre-job.out)"
grep -q "checkpoint of iteration" pre-job.out || fail "no signal checkpoint: $(cat pre-job.out)"
grep -q "resumed from" pre-job.out || fail "the requeued job did not resume: $(cat pre-job.out)"
python3 - "$work/pre.h5" "$work/reference.h5" "$IRSL" <<'PY' || fail "resumed fit differs from the uninterrupted one"
import csv, sys
def load(path):
    rows = list(csv.DictReader(open(path + ".items.csv")))
    return [(float(r["a"]), float(r["d"])) for r in rows], [float(r["theta"]) for r in csv.DictReader(open(path + ".abilities.csv"))]
(items1, th1), (items2, th2) = load(sys.argv[1]), load(sys.argv[2])
worst = max(abs(x - y) / max(abs(x), abs(y), 1e-12) for p, q in zip(items1 + [(t, t) for t in th1], items2 + [(t, t) for t in th2]) for x, y in zip(p, q))
print(f"slurm-test: resumed vs uninterrupted, largest relative difference {worst:.2e}")
sys.exit(0 if worst <= 1e-9 else 1)
PY
echo "slurm-test: preemptible-fit.sbatch ok (requeued $restarts time(s), resumed, equal to the uninterrupted fit)"
exit 0
