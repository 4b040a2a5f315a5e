#!/usr/bin/env bash
# Two MPI "hosts" on one machine: network namespaces irsl-host-a and
# irsl-host-b joined by a veth pair (addresses exist only inside them).
# mpirun runs in host A with a hostfile naming both; an rsh agent that enters
# the namespace starts the remote daemon; ranks talk over TCP across the veth.
# Checks: the two-host fit equals the single-host fit; killing the rank on
# host B ends the whole job non-zero within seconds.
# Exit 0: passed; 77: skipped (no permission for namespaces); else failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IRSL=${IRSL_BIN:-$root/.build/release/irsl}
A=irsl-host-a B=irsl-host-b
work=$(mktemp -d /tmp/irsl-multihost.XXXXXX)

down() {
  ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null
  rm -rf "$work"
}
fail() { echo "multihost-test: FAIL: $*" >&2; down; exit 1; }

command -v ip >/dev/null || { apt-get install -y -qq iproute2 >/dev/null 2>&1 || exit 77; }
down 2>/dev/null; work=$(mktemp -d /tmp/irsl-multihost.XXXXXX)
ip netns add $A 2>/dev/null || { echo "multihost-test: cannot create network namespaces here; skipping" >&2; exit 77; }
ip netns add $B || fail "netns add"
ip link add irsl-veth-a type veth peer name irsl-veth-b || fail "veth"
ip link set irsl-veth-a netns $A && ip link set irsl-veth-b netns $B || fail "move veth"
ip -n $A addr add 10.213.0.1/24 dev irsl-veth-a && ip -n $B addr add 10.213.0.2/24 dev irsl-veth-b || fail "addresses"
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set irsl-veth-a up && ip -n $B link set irsl-veth-b up || fail "links up"

cd "$work" || exit 1
"$IRSL" simulate --models 240 --items 1500 --benchmarks 3 --seed 31 --output data.h5 >/dev/null || fail "simulate"
printf '10.213.0.1 slots=1\n10.213.0.2 slots=1\n' > hosts
fixed="--tolerance 0 --parameter-tolerance 0 --max-iterations 60"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun --hostfile hosts -n 2 --map-by node
     --mca plm_rsh_agent "$here/netns-agent.sh" --mca btl self,tcp
     --mca btl_tcp_if_include 10.213.0.0/24 --mca oob_tcp_if_include 10.213.0.0/24)

timeout 120 mpirun -n 2 "$IRSL" fit data.h5 --output single.h5 $fixed > single.log 2>&1 || fail "single-host fit: $(tail -5 single.log)"
timeout 120 ip netns exec $A "${mpi[@]}" "$IRSL" fit data.h5 --output two.h5 $fixed > two.log 2>&1 || fail "two-host fit: $(tail -20 two.log)"
grep -q "2 rank(s)" two.log || fail "two-host fit did not run 2 ranks"
python3 - "$work/two.h5" "$work/single.h5" <<'PY' || fail "two-host fit differs from single-host fit"
import csv, sys
def load(p):
    items = [(float(r["a"]), float(r["d"])) for r in csv.DictReader(open(p + ".items.csv"))]
    th = [float(r["theta"]) for r in csv.DictReader(open(p + ".abilities.csv"))]
    return [x for pair in items for x in pair] + th
x, y = load(sys.argv[1]), load(sys.argv[2])
worst = max(abs(u - v) / max(abs(u), abs(v), 1e-12) for u, v in zip(x, y))
print(f"multihost-test: two hosts vs one, largest relative difference {worst:.2e}")
sys.exit(0 if worst <= 1e-9 and len(x) == len(y) else 1)
PY

# Kill the rank on host B mid-fit: the whole job must end non-zero within seconds.
ip netns exec $A "${mpi[@]}" "$IRSL" fit data.h5 --output killed.h5 --tolerance 0 --max-iterations 100000 > killed.log 2>&1 &
job=$!
victim=""
for i in $(seq 1 100); do
  for pid in $(pgrep -x irsl); do
    if [ "$(ip netns identify "$pid" 2>/dev/null)" = "$B" ]; then victim=$pid; fi
  done
  [ -n "$victim" ] && grep -q "^iter" killed.log && break
  sleep 0.2
done
[ -n "$victim" ] || { kill $job; fail "no rank found on host B"; }
start=$(date +%s.%N)
kill -9 "$victim"
( sleep 30; kill -9 $job 2>/dev/null ) & guard=$!
wait $job; rc=$?
kill $guard 2>/dev/null
elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
[ $rc -ne 0 ] || fail "the job exited 0 after losing a rank"
python3 -c "import sys; sys.exit(0 if $elapsed < 10 else 1)" || fail "the job took ${elapsed}s to end after the rank on host B died"
[ ! -f killed.h5 ] || fail "an output was written"
echo "multihost-test: killing the rank on host B ended the job with exit $rc after ${elapsed}s"
down
exit 0
